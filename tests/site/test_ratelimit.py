"""Flood limits per client address: 429 with a message, forged headers do not help."""

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from django.urls import reverse

from dialogue_portal.core import proofofwork, ratelimit
from polls.models import Vote
from publications.models import Rating
from tests.factories import make_poll, make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit(settings, monkeypatch):
    settings.WRITE_RATE_LIMIT = 3
    settings.WRITE_RATE_WINDOW = 60
    # Windows are fixed minutes of the clock: a test that crossed a minute would start a
    # new window halfway through. The counting runs at one moment, mid-window.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    return settings


def rate(client, publication, stars=4, **extra):
    """Rate as a browser does: shown the widget (which issues the reader), then the POST."""
    client.get(reverse("publications:rating", args=[publication.slug]))
    return client.post(
        reverse("publications:rate", args=[publication.slug]), {"stars": stars}, **extra
    )


def test_the_limit_answers_429_with_a_message(limit):
    publication = make_publication()
    for n in range(3):
        assert rate(Client(), publication).status_code == 302, n
    response = rate(Client(), publication)
    assert response.status_code == 429
    assert "Too many requests from your address" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert "no-store" in response["Cache-Control"]
    assert Rating.objects.count() == 3  # the refused write wrote nothing


def test_htmx_gets_the_message_as_a_fragment(limit):
    poll = make_poll()
    url = reverse("polls:vote", args=[poll.slug])

    def voter():
        client = Client()
        client.get(reverse("polls:ballot", args=[poll.slug]))
        return client

    for _ in range(3):
        voter().post(url, {"choice": poll.choices.first().pk})
    response = voter().post(
        url, {"choice": poll.choices.first().pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "<html" not in html and 'role="alert"' in html and "Too many requests" in html
    assert Vote.objects.count() == 3


def test_readers_behind_one_address_each_count_below_the_limit(limit):
    publication = make_publication()
    for _ in range(3):
        rate(Client(REMOTE_ADDR="198.51.100.20"), publication)
    assert Rating.objects.count() == 3


def test_addresses_are_limited_separately(limit):
    publication = make_publication()
    for _ in range(3):
        rate(Client(REMOTE_ADDR="198.51.100.1"), publication)
    assert rate(Client(REMOTE_ADDR="198.51.100.1"), publication).status_code == 429
    assert rate(Client(REMOTE_ADDR="198.51.100.2"), publication).status_code == 302


def test_a_forged_x_forwarded_for_does_not_help(limit):
    limit.TRUSTED_PROXY_COUNT = 0
    publication = make_publication()
    statuses = [
        rate(
            Client(REMOTE_ADDR="198.51.100.9"), publication, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_behind_one_trusted_proxy_only_the_address_it_appended_counts(limit):
    limit.TRUSTED_PROXY_COUNT = 1
    publication = make_publication()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    statuses = [
        rate(
            Client(**proxy),
            publication,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",  # forged left, real right
        ).status_code
        for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    other = rate(Client(**proxy), publication, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 302


def test_get_on_a_write_url_does_not_count(limit):
    publication = make_publication()
    for _ in range(5):
        assert (
            Client().get(reverse("publications:rate", args=[publication.slug])).status_code == 405
        )
    assert rate(Client(), publication).status_code == 302


@pytest.fixture
def redis_cache(monkeypatch):
    """A real Redis (db 1, a prefix of its own) behind the limiter, as in production."""
    prefix = f"dp_a_test_{uuid.uuid4().hex[:8]}"
    backend = RedisCache("redis://127.0.0.1:6379/1", {"KEY_PREFIX": prefix})
    try:
        backend.set("ping", 1)
    except Exception:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (it runs everywhere the tests do)")
    monkeypatch.setattr(ratelimit, "cache", backend)
    yield backend, prefix
    delete_prefixed(backend, prefix)


def delete_prefixed(backend, prefix):
    """Delete the keys under ``prefix`` (``clear()`` would empty the database for everyone)."""
    client = backend._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_the_limit_holds_across_concurrent_writers_on_redis(redis_cache):
    backend, prefix = redis_cache
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.44")

    def one(_):
        return ratelimit.hit(request, scope="test", limit=50, window=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        allowed = list(pool.map(one, range(200)))
    assert allowed.count(True) == 50


def test_keys_hold_a_hash_never_the_address(redis_cache, limit):
    backend, prefix = redis_cache
    publication = make_publication()
    rate(Client(REMOTE_ADDR="192.0.2.55"), publication)
    keys = [key.decode() for key in backend._cache.get_client().scan_iter(f"{prefix}:*")]
    keys = [key for key in keys if "ping" not in key]
    assert any(":ratelimit:rate:" in key for key in keys)  # the flood limit
    assert any(":ratelimit:day:publication:" in key for key in keys)  # the daily cap
    assert all(":ratelimit:" in key for key in keys)
    assert not any("192.0.2.55" in key for key in keys)


def test_the_daily_cap_holds_across_concurrent_writers_on_redis(redis_cache):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.45")

    def one(_):
        return ratelimit.daily_slot(request, scope="poll:1", limit=20)

    with ThreadPoolExecutor(max_workers=16) as pool:
        taken = [slot for slot in pool.map(one, range(100)) if slot]
    assert len(taken) == 20
    assert not any("192.0.2.45" in slot.key for slot in taken)
    taken[0].give_back()  # nothing was counted: the slot is free again, once
    assert one(0) is not None and one(0) is None
    assert ratelimit.daily_slot(request, scope="poll:2", limit=20) is not None


def at(text):
    """The clock stopped at ``text`` (UTC), so a test lands exactly on a minute's edge."""
    return time_machine.travel(dt.datetime.fromisoformat(f"2026-11-18T{text}+00:00"), tick=False)


@pytest.fixture
def events():
    """Count events in a scope of this test's own at a given moment."""
    scope = f"poll:{uuid.uuid4().hex[:8]}"

    def add(count, moment):
        with at(moment):
            for _ in range(count):
                ratelimit.add_event(scope)

    def seen(moment):
        with at(moment):
            return ratelimit.recent_events(scope)

    return SimpleNamespace(add=add, seen=seen, scope=scope)


def test_the_last_minute_does_not_fall_to_zero_when_a_minute_starts(events):
    """Ten events at 09:30:50: the estimate is this minute's count plus the previous
    minute's weighted by the share of it still within the last 60 seconds."""
    events.add(10, "09:30:50")
    assert events.seen("09:30:59.999") == 10  # all in this minute
    assert events.seen("09:31:00") == 10  # the previous minute, whole
    assert events.seen("09:31:15") == 7  # three quarters of it: 7.5, rounded down
    assert events.seen("09:31:30") == 5
    assert events.seen("09:31:59.999") == 0
    assert events.seen("09:32:00") == 0  # two minutes on: forgotten


def test_the_estimate_adds_this_minute_to_the_previous_ones_share(events):
    events.add(8, "09:30:20")
    events.add(4, "09:31:10")
    assert events.seen("09:31:10") == 4 + 6  # 8 x 50/60 = 6.7
    assert events.seen("09:31:45") == 4 + 2  # 8 x 15/60
    assert events.seen("09:32:00") == 4  # the 09:31 minute becomes the previous one, whole


def test_a_poll_is_busy_across_a_minutes_start_and_quiet_as_the_burst_ages(events, rf):
    policy = proofofwork.Policy(scope=events.scope, busy_per_minute=6, cap=0, stricter=0)
    request = rf.post("/", REMOTE_ADDR="192.0.2.90")
    events.add(10, "09:30:58")
    for moment, busy in (("09:30:59", "scope"), ("09:31:00", "scope"), ("09:31:30", "")):
        with at(moment):
            assert policy.busy(request) == busy, moment

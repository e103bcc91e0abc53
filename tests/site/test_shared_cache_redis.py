"""The proof-of-work check's replay record and the busy counters on a real Redis, as in
production: two app processes are two cache clients of one Redis, and what one records the
other sees. Django's RedisCache at redis://127.0.0.1:6379, database 9, under a key prefix of
this process's own (another test session may be using the same Redis), whose keys are
deleted before and after each test; Redis runs on every development machine and in CI."""

import datetime as dt
import json
import uuid

import altcha
import pytest
import time_machine
from django.core.cache.backends.redis import RedisCache
from django.test import Client, RequestFactory
from django.urls import reverse

from dialogue_portal.core import proofofwork, ratelimit
from dialogue_portal.core.cache import ResilientRedisCache
from polls.models import Vote
from tests.factories import make_poll
from tests.polls.test_voting import ballot_url, first_choice, vote_url
from tests.site.test_ratelimit import delete_prefixed

pytestmark = pytest.mark.django_db

LOCATION = "redis://127.0.0.1:6379/9"
PREFIX = f"dp-test-{uuid.uuid4().hex[:8]}"
OPTIONS = {"KEY_PREFIX": PREFIX, "OPTIONS": {"socket_connect_timeout": 0.5}}


def process():
    """The shared cache as one app process holds it: a client of its own."""
    return RedisCache(LOCATION, OPTIONS)


def empty(backend):
    """Delete this process's keys."""
    delete_prefixed(backend, PREFIX)


@pytest.fixture
def processes(settings):
    settings.ALTCHA_MAX_NUMBER = 500
    first, second = process(), process()
    assert first._cache.get_client() is not second._cache.get_client()
    empty(first)
    yield first, second
    empty(first)


def serve_from(monkeypatch, backend):
    """Requests from now on are served by the process holding ``backend``."""
    monkeypatch.setattr(proofofwork, "cache", backend)
    monkeypatch.setattr(ratelimit, "cache", backend)


def solved(scope):
    challenge = altcha.Challenge.from_dict(proofofwork.challenge(scope))
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def test_a_solution_accepted_by_one_process_is_refused_by_the_other(
    processes, monkeypatch, settings
):
    first, second = processes
    payload = solved("poll:1")
    serve_from(monkeypatch, first)
    assert proofofwork.verify(payload, "poll:1").accepted
    serve_from(monkeypatch, second)
    assert proofofwork.verify(payload, "poll:1") == proofofwork.Verdict(False, "replayed")
    serve_from(monkeypatch, first)
    assert proofofwork.verify(payload, "poll:1").reason == "replayed"
    # The record lives in Redis as long as the challenge could be used, and no longer.
    client = second._cache.get_client()
    [key] = list(client.scan_iter(f"{PREFIX}:*altcha:used:*"))
    assert 0 < client.ttl(key) <= settings.ALTCHA_EXPIRES_SECONDS + 60


def test_a_vote_with_a_solution_counts_once_whichever_process_serves_the_replay(
    processes, monkeypatch, settings
):
    first, second = processes
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 20
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 6
    poll = make_poll(answers=("Yes", "No"))
    reader = Client(REMOTE_ADDR="192.0.2.70")
    reader.get(ballot_url(poll))
    response = reader.get(reverse("polls:challenge", kwargs={"slug": poll.slug}))
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30))
    data = {"choice": first_choice(poll).pk, "altcha": payload.to_base64()}

    serve_from(monkeypatch, first)
    assert reader.post(vote_url(poll), data).status_code == 302
    serve_from(monkeypatch, second)
    again = Client(REMOTE_ADDR="192.0.2.71")
    again.get(ballot_url(poll))
    replayed = again.post(vote_url(poll), data)
    assert replayed.status_code == 400
    assert "This check was used already" in replayed.content.decode()
    assert Vote.objects.filter(poll=poll).count() == 1


def test_the_busy_counters_are_the_same_seen_from_either_process(processes, monkeypatch):
    first, second = processes
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.80")
    policy = proofofwork.Policy(scope="poll:9", busy_per_minute=4, cap=6, stricter=2)
    with time_machine.travel(dt.datetime(2026, 11, 18, 9, 30, 10, tzinfo=dt.UTC), tick=False):
        serve_from(monkeypatch, first)
        for _ in range(3):
            ratelimit.add_event("poll:9")
        assert ratelimit.daily_slot(request, scope="poll:9", limit=6) is not None
        assert ratelimit.hit(request, scope="subscribe-hour", limit=2, window=3600)

        serve_from(monkeypatch, second)
        assert ratelimit.recent_events("poll:9") == 3
        assert ratelimit.daily_count(request, scope="poll:9") == 1
        assert ratelimit.hits(request, scope="subscribe-hour", window=3600) == 1
        assert policy.busy(request) == ""
        ratelimit.add_event("poll:9")
        ratelimit.add_event("poll:9")  # five in the minute: more than four
        assert ratelimit.daily_slot(request, scope="poll:9", limit=6) is not None
        assert ratelimit.hit(request, scope="subscribe-hour", limit=2, window=3600)

        serve_from(monkeypatch, first)
        assert ratelimit.recent_events("poll:9") == 5
        assert policy.busy(request) == "scope"
        assert ratelimit.daily_count(request, scope="poll:9") == 2
        assert not ratelimit.hit(request, scope="subscribe-hour", limit=2, window=3600)

    # A minute and a half on, half of that minute's five still counts (see
    # test_ratelimit.py's boundary tests); the address's two votes today make it busy.
    with time_machine.travel(dt.datetime(2026, 11, 18, 9, 31, 30, tzinfo=dt.UTC), tick=False):
        serve_from(monkeypatch, second)
        assert ratelimit.recent_events("poll:9") == 2
        assert policy.busy(request) == "address"


def test_a_counter_is_counted_in_one_round_trip_and_never_made_without_its_expiry(monkeypatch):
    """The rate limits' and busy checks' counters (ratelimit._count) on the site's cache
    backend: adding to one is one command, and adding to one that has expired makes none
    (a counter made by INCR would have no expiry and count for ever)."""
    cache = ResilientRedisCache(LOCATION, OPTIONS)
    empty(cache)
    client = cache._cache.get_client(write=True)
    commands = []
    send = client.execute_command
    monkeypatch.setattr(
        client, "execute_command", lambda *args, **kw: commands.append(args[0]) or send(*args, **kw)
    )
    try:
        with pytest.raises(ValueError):
            cache.incr("expired")
        assert cache.get("expired") is None

        cache.add("counter", 1, timeout=60)
        commands.clear()
        assert cache.incr("counter") == 2
        assert commands == ["EVAL"]
        assert 0 < client.ttl(cache.make_key("counter")) <= 60
    finally:
        empty(cache)

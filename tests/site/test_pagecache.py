"""The anonymous page cache: shared pages cached, per-reader state and CSRF never in them."""

import re
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.decorators.vary import vary_on_cookie

from dialogue_portal.core import pagecache
from dialogue_portal.core.pagecache import (
    PAGED,
    QuerySpec,
    anonymous_page_cache,
    bump_content_version,
    content_version,
)
from polls.models import Vote
from publications.models import Rating
from tests.factories import make_poll, make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_TOTALS_SECONDS = 5
    return settings


@pytest.fixture
def later(monkeypatch):
    """The cache's clock stands still from here; ``later(seconds)`` moves it on from this
    moment (entries expire as they would), however slowly the test itself runs."""
    now = time.time()
    monkeypatch.setattr(locmem.time, "time", lambda: now)

    def move(seconds):
        monkeypatch.setattr(locmem.time, "time", lambda: now + seconds)

    return move


def token_from(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_off_when_seconds_is_zero(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    poll = make_poll()
    response = client.get(poll.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "public" not in response.get("Cache-Control", "")


def test_anonymous_pages_are_cached_and_marked_public(client, page_cache):
    poll = make_poll()
    first = client.get(poll.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    # A poll page shows its counts: browsers keep it no longer than totals may age.
    assert "public" in first["Cache-Control"] and "max-age=5" in first["Cache-Control"]
    second = Client().get(poll.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert "public" in second["Cache-Control"] and "max-age=5" in second["Cache-Control"]
    assert second.content == first.content
    assert not second.cookies


def test_publication_pages_are_cached_too(client, page_cache):
    publication = make_publication()
    assert client.get(publication.get_absolute_url())["X-Page-Cache"] == "miss"
    assert Client().get(publication.get_absolute_url())["X-Page-Cache"] == "hit"


def test_each_language_has_its_own_entry(client, page_cache):
    poll = make_poll()
    client.get(poll.get_absolute_url())
    russian = client.get("/ru" + poll.get_absolute_url())
    assert russian["X-Page-Cache"] == "miss"
    assert 'lang="ru"' in russian.content.decode()


def test_bumping_the_content_version_makes_pages_stale(client, page_cache):
    poll = make_poll()
    client.get(poll.get_absolute_url())
    before = content_version()
    bump_content_version()
    assert content_version() == before + 1
    assert client.get(poll.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_vote_leaves_pages_cached_and_their_totals_at_most_the_bound_old(
    client, page_cache, later, django_capture_on_commit_callbacks
):
    poll = make_poll(answers=("Yes", "No"))
    yes = poll.choices.order_by("order").first()
    before = content_version()
    assert "Total: 0 votes" in client.get(poll.get_absolute_url()).content.decode()
    voter = Client()
    voter.get(reverse("polls:ballot", args=[poll.slug]))  # the live ballot issues the reader
    with django_capture_on_commit_callbacks(execute=True):
        voter.post(reverse("polls:vote", args=[poll.slug]), {"choice": yes.pk})
    assert content_version() == before  # facet counts, totals and cards stay cached
    later(4)  # within PAGE_TOTALS_SECONDS: the shared totals may still be the old ones
    within = Client().get(poll.get_absolute_url())
    assert within["X-Page-Cache"] == "hit" and "Total: 0 votes" in within.content.decode()
    later(6)  # past it: the page is still the cached one, its totals are not
    past = Client().get(poll.get_absolute_url())
    assert past["X-Page-Cache"] == "hit"
    assert "Total: 1 vote" in past.content.decode()


def test_pages_with_totals_tell_browsers_to_keep_them_no_longer_than_the_bound(client, page_cache):
    publication = make_publication()
    first = client.get(publication.get_absolute_url())
    second = Client().get(publication.get_absolute_url())
    for response in (first, second):
        assert "max-age=5" in response["Cache-Control"], response["Cache-Control"]
    assert "max-age=60" in client.get("/people/")["Cache-Control"]


def test_a_page_built_while_content_changed_is_not_served(client, page_cache, monkeypatch):
    from publications import views

    publication = make_publication()
    real = views.PublicationDetailView.get_context_data

    def edited_meanwhile(self, **kwargs):
        bump_content_version()  # an editor saves while this page is being built
        return real(self, **kwargs)

    monkeypatch.setattr(views.PublicationDetailView, "get_context_data", edited_meanwhile)
    assert client.get(publication.get_absolute_url())["X-Page-Cache"] == "miss"
    monkeypatch.setattr(views.PublicationDetailView, "get_context_data", real)
    assert client.get(publication.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(publication.get_absolute_url())["X-Page-Cache"] == "hit"


def test_signed_in_readers_are_never_cached(client, page_cache, reader):
    poll = make_poll()
    client.force_login(reader)
    for _ in range(2):
        response = client.get(poll.get_absolute_url())
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]


def test_a_page_with_a_waiting_message_is_not_served_from_cache(client, page_cache):
    poll = make_poll()
    Client().get(poll.get_absolute_url())  # cached by someone else
    client.get(reverse("polls:ballot", args=[poll.slug]))
    client.post(reverse("polls:vote", args=[poll.slug]), {"choice": poll.choices.first().pk})
    response = client.get(poll.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "Thank you for voting." in response.content.decode()


def _cached(view, query=PAGED):
    factory = RequestFactory()

    def get(path="/p/"):
        from django.contrib.auth.models import AnonymousUser
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.contrib.sessions.backends.cache import SessionStore

        request = factory.get(path)
        request.user = AnonymousUser()
        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return anonymous_page_cache(view, query=query)(request)

    return get


def test_a_miss_is_answered_from_the_canonical_query(page_cache):
    """The view reads the query as the key names it, so the page stored for one address is
    the page every equivalent address would have been answered with."""
    spec = QuerySpec(single=("q", "page"), multi=("topic",), defaults={"page": "1"})
    get = _cached(lambda request: HttpResponse(request.GET.urlencode()), query=spec)
    first = get("/p/?topic=b&q=+x+&topic=a&page=1&utm_source=mail")
    assert first["X-Page-Cache"] == "miss"
    assert first.content == b"q=x&topic=a&topic=b"
    again = get("/p/?q=x&topic=a&topic=b")
    assert again["X-Page-Cache"] == "hit" and again.content == first.content


def test_responses_that_set_cookies_are_not_cached(page_cache):
    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("who", "you")
        return response

    get = _cached(view)
    assert "private" in get()["Cache-Control"]
    assert "X-Page-Cache" not in get()


def test_responses_that_vary_on_cookie_are_not_cached(page_cache):
    get = _cached(vary_on_cookie(lambda request: HttpResponse("hello")))
    assert "X-Page-Cache" not in get() and "X-Page-Cache" not in get()


def test_responses_that_use_the_csrf_token_are_not_cached(page_cache):
    from django.middleware.csrf import get_token

    def view(request):
        return HttpResponse(f"token {get_token(request)}")

    get = _cached(view)
    assert "X-Page-Cache" not in get() and "X-Page-Cache" not in get()


def test_errors_are_not_cached(page_cache):
    get = _cached(lambda request: HttpResponse("gone", status=410))
    assert "X-Page-Cache" not in get() and "X-Page-Cache" not in get()


def test_two_anonymous_readers_each_vote_once_on_a_cached_page(
    page_cache, later, django_capture_on_commit_callbacks
):
    poll = make_poll(answers=("Yes", "No"))
    yes, no = poll.choices.order_by("order")
    alice = Client(enforce_csrf_checks=True)
    bob = Client(enforce_csrf_checks=True)

    page = alice.get(poll.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    cached = bob.get(poll.get_absolute_url())
    assert cached["X-Page-Cache"] == "hit"
    html = cached.content.decode()
    assert "csrfmiddlewaretoken" not in html and "csrftoken" not in cached.cookies
    assert "dp_reader" not in page.cookies and "dp_reader" not in cached.cookies
    assert f'data-hx-get="{reverse("polls:ballot", args=[poll.slug])}"' in html

    for reader, choice in ((alice, yes), (bob, no)):
        live = reader.get(reverse("polls:ballot", args=[poll.slug]), headers={"HX-Request": "true"})
        assert "private" in live["Cache-Control"] and 'id="poll-form"' in live.content.decode()
        assert "dp_reader" in live.cookies  # issued by the never-cached ballot, per reader
        with django_capture_on_commit_callbacks(execute=True):
            response = reader.post(
                reverse("polls:vote", args=[poll.slug]),
                {"choice": choice.pk, "csrfmiddlewaretoken": token_from(live.content.decode())},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
        # A second try by the same reader changes nothing.
        reader.post(
            reverse("polls:vote", args=[poll.slug]),
            {"choice": choice.pk, "csrfmiddlewaretoken": token_from(live.content.decode())},
        )

    assert Vote.objects.count() == 2
    poll.refresh_from_db()
    assert poll.total_votes == 2
    # Each reader's live widget shows their own vote, never the other's.
    alice_ballot = alice.get(reverse("polls:ballot", args=[poll.slug])).content.decode()
    bob_ballot = bob.get(reverse("polls:ballot", args=[poll.slug])).content.decode()
    assert "You voted for “Yes”." in alice_ballot and "You voted for “No”." in bob_ballot
    # The votes left the cached page in place; its totals follow within the bound.
    later(page_cache.PAGE_TOTALS_SECONDS + 1)
    fresh = Client().get(poll.get_absolute_url())
    assert fresh["X-Page-Cache"] == "hit"
    assert "Total: 2 votes" in fresh.content.decode()
    assert "csrfmiddlewaretoken" not in fresh.content.decode()


def test_two_anonymous_readers_each_rate_once_on_a_cached_page(
    page_cache, later, django_capture_on_commit_callbacks
):
    publication = make_publication()
    readers = [Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)]
    statuses = [reader.get(publication.get_absolute_url())["X-Page-Cache"] for reader in readers]
    assert statuses == ["miss", "hit"]
    assert (
        "csrfmiddlewaretoken" not in readers[1].get(publication.get_absolute_url()).content.decode()
    )
    for stars, reader in zip((3, 5), readers, strict=True):
        live = reader.get(reverse("publications:rating", args=[publication.slug]))
        with django_capture_on_commit_callbacks(execute=True):
            reader.post(
                reverse("publications:rate", args=[publication.slug]),
                {"stars": stars, "csrfmiddlewaretoken": token_from(live.content.decode())},
            )
    assert Rating.objects.count() == 2
    later(page_cache.PAGE_TOTALS_SECONDS + 1)
    page = Client().get(publication.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    assert "votes: 2, rating: 4" in page.content.decode()


def test_a_cached_page_answers_a_repeated_request_with_304(client, page_cache):
    publication = make_publication()
    first = client.get(publication.get_absolute_url())
    second = Client().get(publication.get_absolute_url())
    assert second["X-Page-Cache"] == "hit" and second["ETag"] == first["ETag"]
    again = Client().get(publication.get_absolute_url(), HTTP_IF_NONE_MATCH=second["ETag"])
    assert again.status_code == 304 and again.content == b""
    type(publication).objects.filter(pk=publication.pk).update(title="Retitled")
    bump_content_version()  # what the admin does after the edit
    changed = Client().get(publication.get_absolute_url(), HTTP_IF_NONE_MATCH=second["ETag"])
    assert changed.status_code == 200 and "Retitled" in changed.content.decode()


def test_the_stated_bound_on_totals_is_five_seconds_by_default():
    """docs/caching.md promises readers of cached pages totals at most 5 seconds old."""
    import importlib
    import os

    from dialogue_portal import settings as site_settings

    assert "PAGE_TOTALS_SECONDS" not in os.environ
    assert importlib.reload(site_settings).PAGE_TOTALS_SECONDS == 5


def test_rows_with_totals_are_shared_no_longer_than_the_bound(client, settings, later):
    """Page cache off: a publication page's row and the featured poll are shared for
    PAGE_TOTALS_SECONDS at most, so totals written behind the site's back (an editor's
    recount) show within the bound."""
    settings.PAGE_TOTALS_SECONDS = 5
    publication = make_publication()
    assert "no votes yet" in client.get(publication.get_absolute_url()).content.decode()
    Rating.objects.create(publication=publication, reader="anon:x", stars=4)
    publication.__class__.objects.filter(pk=publication.pk).update(rating_count=1, rating_sum=4)
    later(4)
    assert "no votes yet" in client.get(publication.get_absolute_url()).content.decode()
    later(6)
    assert "votes: 1, rating: 4" in client.get(publication.get_absolute_url()).content.decode()


def test_a_readers_rating_and_vote_show_on_the_next_page_at_once(client, settings):
    """The rows shared for a few seconds are fetched again after a reader's write."""
    settings.PAGE_TOTALS_SECONDS = 5
    publication = make_publication()
    poll = make_poll(answers=("Yes", "No"), placement="everywhere")
    page = client.get(publication.get_absolute_url()).content.decode()
    assert "no votes yet" in page and "Total: 0 votes" in page
    assert "Total: 0 votes" in client.get("/").content.decode()

    client.get(reverse("publications:rating", args=[publication.slug]))
    client.post(reverse("publications:rate", args=[publication.slug]), {"stars": "5"})
    yes = poll.choices.order_by("order").first()
    client.get(reverse("polls:ballot", args=[poll.slug]))
    client.post(reverse("polls:vote", args=[poll.slug]), {"choice": yes.pk})

    page = Client().get(publication.get_absolute_url()).content.decode()
    assert "votes: 1, rating: 5" in page and "Total: 1 vote" in page
    assert "Total: 1 vote" in Client().get("/").content.decode()


def test_a_totals_fragment_lasts_until_its_totals_are_the_bound_old(page_cache, later):
    fresh, shared = make_publication(), make_publication()
    shared.totals_as_of = time.time() - 3  # fetched, and shared by other requests, 3 s ago
    pagecache.totals_fragment("rating", fresh)
    pagecache.totals_fragment("rating", shared)
    later(1)
    assert cache_has(fresh) and cache_has(shared)
    later(3)
    assert cache_has(fresh) and not cache_has(shared)
    later(6)
    assert not cache_has(fresh)


def cache_has(publication):
    return cache.get(pagecache._totals_key("rating", publication.pk, "en")) is not None

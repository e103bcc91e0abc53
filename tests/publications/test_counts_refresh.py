"""Facet counts that take long to count are never counted in a reader's request once they
exist: stale, they are served as they were while `refresh_counts` counts them again.
COUNTS_INLINE_MS=0 makes every count one of those; the default counts cheap ones inline."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from dialogue_portal.core.pagecache import bump_content_version
from publications.facets import facet_counts
from publications.filters import PublicationFilter
from publications.models import Publication, StoredCounts
from tests.factories import make_publication, make_topic

pytestmark = pytest.mark.django_db
LIST = reverse("publications:list")


def list_facets(response):
    return {
        facet["name"]: {option["value"]: option["count"] for option in facet["options"]}
        for facet in response.context["facets"]()
    }


def refresh():
    call_command("refresh_counts", verbosity=0)


@pytest.fixture
def costly(settings):
    settings.COUNTS_INLINE_MS = 0  # every count took longer than this
    return settings


def test_stale_costly_counts_are_served_as_they_were_until_refreshed(
    client, costly, django_assert_max_num_queries
):
    topic = make_topic()
    make_publication(topics=[topic], kind="report")
    assert list_facets(client.get(LIST))["kind"] == {"report": 1}  # first count: inline

    make_publication(topics=[topic], kind="briefing")
    bump_content_version()  # an editor published
    with django_assert_max_num_queries(20) as captured:
        response = client.get(LIST)
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert list_facets(response)["kind"] == {"report": 1}  # the previous counts, not a wait
    assert response.context["page_obj"].paginator.count == 1

    refresh()
    response = client.get(LIST)
    assert list_facets(response)["kind"] == {"report": 1, "briefing": 1}
    assert response.context["page_obj"].paginator.count == 2


def test_cheap_counts_are_counted_again_in_the_request(client):
    make_publication(kind="report")
    assert list_facets(client.get(LIST))["kind"] == {"report": 1}
    make_publication(kind="briefing")
    bump_content_version()
    assert list_facets(client.get(LIST))["kind"] == {"report": 1, "briefing": 1}


def test_refresher_counts_a_filtered_list_as_the_reader_sent_it(client, costly):
    one, two = make_topic(), make_topic()
    make_publication(topics=[one], kind="report")
    make_publication(topics=[one, two], kind="briefing")
    query = f"{LIST}?topic={one.slug}&kind=report"
    first = list_facets(client.get(query))
    assert first["topic"] == {one.slug: 1}
    assert first["kind"] == {"report": 1, "briefing": 1}

    make_publication(topics=[one, two], kind="report")
    bump_content_version()
    assert list_facets(client.get(query)) == first  # stale, served, asked for

    refresh()
    again = list_facets(client.get(query))
    assert again["topic"] == {one.slug: 2, two.slug: 1}
    assert again["kind"] == {"report": 2, "briefing": 1}
    # What the refresher counted is what counting in the request gives.
    filterset = PublicationFilter(
        {"topic": [one.slug], "kind": ["report"]}, queryset=Publication.objects.published()
    )
    bump_content_version()
    costly.COUNTS_INLINE_MS = 10_000_000
    assert facet_counts(filterset, "en").counts["topic"] == again["topic"]


def test_a_stale_set_is_queued_once_until_counted(costly):
    make_publication(kind="report")
    facet_counts(None, "en")
    bump_content_version()
    first = facet_counts(None, "en")
    for _ in range(5):
        assert facet_counts(None, "en") is not None  # stale reads, one request for a count
    assert cache.get("counts:queue:tail") == 1
    make_publication(kind="briefing")
    refresh()
    assert facet_counts(None, "en").counts["kind"] == {"report": 1, "briefing": 1}
    assert first.counts["kind"] == {"report": 1}


def test_refresher_counts_every_language_before_any_reader(
    client, costly, django_assert_max_num_queries
):
    make_publication(kind="report")
    refresh()
    for path in (LIST, "/ru" + LIST):
        with django_assert_max_num_queries(20) as captured:
            client.get(path)
        assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)


def test_unfiltered_counts_are_the_same_in_every_language(client, costly):
    """What lets the refresher count them once: each work counts once per option."""
    arms, arctic = make_topic(), make_topic()
    original = make_publication(kind="report", topics=[arms], language="en")
    make_publication(kind="briefing", topics=[arctic], language="ru", translation_of=original)
    make_publication(kind="article", topics=[arms], language="ru")
    english = facet_counts(None, "en").counts
    assert english["kind"] == {"report": 1, "briefing": 1, "article": 1}
    assert english["topic"] == {arms.slug: 2, arctic.slug: 1}
    assert english["total"] == {"total": 2}
    assert facet_counts(None, "ru").counts == english

    make_publication(kind="report", topics=[arctic], language="en")
    bump_content_version()
    refresh()  # one count, kept for both languages
    refreshed = {language: facet_counts(None, language) for language in ("en", "ru")}
    assert refreshed["en"].counts == refreshed["ru"].counts
    assert refreshed["en"].counts["total"] == {"total": 3}
    assert all(counted.is_fresh() for counted in refreshed.values())


def test_filters_never_counted_wait_for_the_refresher_where_counting_is_slow(
    client, costly, django_assert_max_num_queries
):
    """A large archive: the list of a new filter set comes at once, its counts a moment
    later, and the page that lacks them is kept by no cache."""
    costly.PAGE_CACHE_SECONDS = 600
    topic = make_topic()
    for _ in range(21):
        make_publication(topics=[topic], kind="report")
    make_publication(kind="briefing")
    refresh()  # the unfiltered counts, and what counting them cost
    query = f"{LIST}?topic={topic.slug}"
    with django_assert_max_num_queries(20) as captured:
        response = client.get(query)
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert response.context["counts_pending"]
    assert "no-cache" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    page = response.context["page_obj"]
    assert len(page.object_list) == 20 and page.has_next() and not page.has_previous()
    assert list_facets(response)["kind"] == {"report": None, "briefing": None}
    html = response.content.decode()
    assert "being counted" in html and "Page 1" in html and "Page 1 of" not in html

    last = client.get(f"{query}&page=2").context["page_obj"]
    assert len(last.object_list) == 1 and not last.has_next() and last.has_previous()
    for beyond in ("9", "1000001", "1" + "0" * 30):
        past = client.get(f"{query}&page={beyond}")
        assert past.status_code == 200 and "past the end" in past.content.decode()

    refresh()
    response = client.get(query)
    assert not response.context["counts_pending"]
    assert response.context["page_obj"].paginator.count == 21
    assert list_facets(response)["kind"] == {"report": 21}
    assert response["X-Page-Cache"] == "miss"


def test_a_reader_counts_what_no_refresher_counted_in_time(client, costly):
    costly.COUNTS_PENDING_SECONDS = 0
    topic = make_topic()
    make_publication(topics=[topic], kind="report")
    refresh()
    query = f"{LIST}?topic={topic.slug}"
    assert client.get(query).context["counts_pending"]  # asked for
    response = client.get(query)  # nobody counted: this reader does
    assert not response.context["counts_pending"]
    assert list_facets(response)["kind"] == {"report": 1}


def test_filters_are_counted_in_the_request_where_counting_is_quick(client):
    topic = make_topic()
    make_publication(topics=[topic], kind="report")
    refresh()
    response = client.get(f"{LIST}?topic={topic.slug}")
    assert not response.context["counts_pending"]
    assert response.context["page_obj"].paginator.count == 1


def test_an_emptied_cache_starts_from_the_stored_counts(
    client, costly, django_assert_max_num_queries
):
    """A large archive after a cache flush (or on a new cache): readers are served the
    last unfiltered counts from the database, stale, while the refresher counts again;
    no reader counts the archive, filtered or not."""
    topic = make_topic()
    make_publication(topics=[topic], kind="report")
    refresh()  # counted slowly: kept in the database too
    make_publication(topics=[topic], kind="briefing")
    cache.clear()

    with django_assert_max_num_queries(20) as captured:
        response = client.get(LIST)
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert list_facets(response)["kind"] == {"report": 1}  # stored, stale, served
    cache.clear()
    with django_assert_max_num_queries(20) as captured:
        filtered = client.get(f"{LIST}?topic={topic.slug}")  # never counted: left to the refresher
    assert not any("COUNT(" in query["sql"] for query in captured.captured_queries)
    assert filtered.context["counts_pending"]

    refresh()
    assert list_facets(client.get(LIST))["kind"] == {"report": 1, "briefing": 1}
    stored = StoredCounts.objects.get()
    assert stored.counts["kind"] == {"report": 1, "briefing": 1}


def test_counts_are_stored_only_where_counting_is_slow(client):
    make_publication(kind="report")
    refresh()
    client.get(LIST)
    assert not StoredCounts.objects.exists()
    cache.clear()
    response = client.get(LIST)  # nothing stored: counted, quickly, in the request
    assert list_facets(response)["kind"] == {"report": 1}

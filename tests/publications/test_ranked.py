"""Search results that take long to rank are ranked again off the request path: once an
editorial save makes them stale, readers get the last ranking (its publications fetched
by id, still published) while `refresh_counts` ranks again. RANK_INLINE_MS=0 makes every
ranking one of those; the default ranks cheap ones in the request."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dialogue_portal.core.pagecache import bump_content_version
from publications.models import Publication
from tests.factories import make_publication

pytestmark = pytest.mark.django_db
SEARCH = reverse("search")
LIST = reverse("publications:list")


def refresh():
    call_command("refresh_counts", verbosity=0)


def found(response):
    return [publication.title for publication in response.context["results"]["publications"]]


def listed(response):
    return [publication.title for publication in response.context["page_obj"].object_list]


@pytest.fixture
def slow(settings):
    settings.RANK_INLINE_MS = 0  # every ranking took longer than this
    return settings


def publications_searched(captured):
    """Queries that search the publications for words (PostgreSQL's full-text match or
    SQLite's LIKE on the title), rather than fetch them by id."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "@@" in query["sql"]
        or ('"publications_publication"."title"' in query["sql"] and "LIKE" in query["sql"])
    ]


def ranked(captured):
    """Queries that rank publications (RUM's distance, or GIN's ts_rank)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if "<=>" in query["sql"] or "ts_rank" in query["sql"]
    ]


def test_a_slow_ranking_is_served_as_it_was_until_ranked_again(
    client, slow, django_assert_max_num_queries
):
    make_publication(title="Arms control in the Arctic", days_ago=3)
    assert found(client.get(SEARCH, {"q": "arms"})) == ["Arms control in the Arctic"]

    make_publication(title="Arms control after the treaty", days_ago=1)
    bump_content_version()  # an editor published
    with django_assert_max_num_queries(10) as captured:
        response = client.get(SEARCH, {"q": "arms"})
    assert found(response) == ["Arms control in the Arctic"]  # as ranked, not a wait
    assert publications_searched(captured) == []

    refresh()
    assert sorted(found(client.get(SEARCH, {"q": "arms"}))) == [
        "Arms control after the treaty",
        "Arms control in the Arctic",
    ]


def test_a_stale_ranking_leaves_out_what_is_no_longer_published(client, slow):
    kept = make_publication(title="Arms and the state", days_ago=3)
    withdrawn = make_publication(title="Arms trade", days_ago=2)
    assert sorted(found(client.get(SEARCH, {"q": "arms"}))) == ["Arms and the state", "Arms trade"]
    Publication.objects.filter(pk=withdrawn.pk).update(status=Publication.Status.DRAFT)
    bump_content_version()
    assert found(client.get(SEARCH, {"q": "arms"})) == [kept.title]


def test_a_cheap_ranking_is_ranked_again_in_the_request(client):
    make_publication(title="Arms control in the Arctic", days_ago=3)
    assert len(found(client.get(SEARCH, {"q": "arms"}))) == 1
    make_publication(title="Arms control after the treaty", days_ago=1)
    bump_content_version()
    assert len(found(client.get(SEARCH, {"q": "arms"}))) == 2


def test_a_reader_ranks_what_no_refresher_ranked_in_time(client, slow):
    slow.COUNTS_PENDING_SECONDS = 0
    make_publication(title="Arms control in the Arctic", days_ago=3)
    client.get(SEARCH, {"q": "arms"})
    make_publication(title="Arms control after the treaty", days_ago=1)
    bump_content_version()
    assert len(found(client.get(SEARCH, {"q": "arms"}))) == 1  # asked for
    bump_content_version()
    assert len(found(client.get(SEARCH, {"q": "arms"}))) == 2  # nobody ranked: this reader did


@pytest.mark.postgres
def test_the_list_in_rank_order_is_served_as_ranked_until_ranked_again(
    client, slow, django_assert_max_num_queries
):
    """The publication list searched and sorted by relevance (PostgreSQL ranks)."""
    slow.PAGE_CACHE_SECONDS = 0
    make_publication(title="Arms control in the Arctic", summary="Arms control.", days_ago=3)
    query = {"q": "arms control"}
    assert listed(client.get(LIST, query)) == ["Arms control in the Arctic"]

    make_publication(title="Arms control, arms control", summary="Arms control.", days_ago=1)
    bump_content_version()
    with django_assert_max_num_queries(20) as captured:
        response = client.get(LIST, query)
    assert response.context["filterset"].sort_key == "relevance"
    assert listed(response) == ["Arms control in the Arctic"]
    assert ranked(captured) == []  # the facet counts may count the matches, never rank them

    refresh()
    assert listed(client.get(LIST, query)) == [
        "Arms control, arms control",  # the title says it twice: ranked first
        "Arms control in the Arctic",
    ]

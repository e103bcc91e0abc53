"""Each page fetches what it shows in a fixed number of queries, whatever the number of
authors, tags, attachments or results. The term lists, facet counts, list totals and
rendered cards are cached; both the cold count (first request) and the warm count
(every request after) are pinned."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from publications.models import Publication
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
)
from tests.sitemaps import page_holding

pytestmark = pytest.mark.django_db


def build(size):
    institution = make_institution(slug="inst")
    people = [make_person(institution=institution) for _ in range(size)]
    topics = [make_topic() for _ in range(size)]
    regions = [make_region() for _ in range(size)]
    project = make_project(slug="proj")
    publications = [
        make_publication(
            authors=people, topics=topics, regions=regions, project=project, project_part=index + 1
        )
        for index in range(size)
    ]
    for publication in publications:
        for _ in range(size):
            make_attachment(publication)
    # Each rated and its rating read by the top-rated order, as flush_counts leaves them: the
    # home page lists them all as top rated.
    Publication.objects.filter(pk__in=[p.pk for p in publications]).update(
        rating_count=1, rating_sum=4, ranked_count=1, ranked_average=4.0
    )
    poll = make_poll(placement="everywhere")
    poll.publications.set(publications)
    return {
        "home": "/",
        "list": "/publications/",
        "list_filtered": f"/publications/?topic={topics[0].slug}&date_from=2000-01-01",
        "list_sorted": "/publications/?sort=rating",
        "list_search": "/publications/?q=Publication",
        "detail": publications[0].get_absolute_url(),
        "cite_bib": publications[0].get_absolute_url() + "cite.bib",
        "person": people[0].get_absolute_url(),
        "people": "/people/",
        "institution": institution.get_absolute_url(),
        "topic": topics[0].get_absolute_url(),
        "project": project.get_absolute_url(),
        "browse": "/topics/",
        "search": "/search/?q=Publication",
        "feed": "/feeds/latest.rss",
        "sitemap": "/sitemap.xml",
        "sitemap_publications": page_holding("publications", publications[0].pk),
        "sitemap_people": page_holding("people", people[0].pk),
        "sitemap_topics": "/sitemap-topics.xml",
        "sitemap_pages": "/sitemap-pages.xml",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
    }


# page: (cold, warm). Warm counts are what every reader after the first costs. Pages that
# show facet counts make one more query cold: the stored counts (facets.StoredCounts),
# which spare a large archive's first reader after a cache flush from counting it.
EXPECTED = {
    # warm: the top-rated rows and the poll (shared for PAGE_TOTALS_SECONDS at most, as
    # their totals may be that old) and the rest from the cache
    "home": (9, 0),
    "list": (5, 0),  # warm: the total from the cached facet counts, the cards a fragment
    "list_filtered": (5, 0),  # warm: facet counts and the page of cards from the cache
    "list_sorted": (5, 0),
    "list_search": (5, 0),
    # warm: nothing. The row and the featured poll are shared for PAGE_TOTALS_SECONDS at
    # most (their totals may be that old); tags, versions, parts, related work and the
    # fragments (with the byline and downloads) come from the cache
    "detail": (8, 0),
    "cite_bib": (3, 3),
    "person": (6, 0),  # warm: nothing; the person (with affiliations), total and cards are cached
    "people": (4, 2),  # warm: the people of the page and their affiliations (the count cached)
    "institution": (7, 3),
    "topic": (6, 1),
    "project": (9, 4),
    "browse": (3, 0),  # warm: the term lists and their counts, as every page holds them
    "search": (5, 0),  # warm: the results are shared by every reader of the same words
    "feed": (2, 2),
    # The sitemap index: the highest id of the two sections paged by id and the count of
    # the pages editors write; the term sections from the term lists and counts every
    # page holds (cold: read once, as by any page)
    "sitemap": (6, 3),
    # a page of a section: the highest id, the page's rows and their published versions
    "sitemap_publications": (3, 3),
    "sitemap_people": (2, 2),  # the highest id and the page's people
    "sitemap_topics": (3, 0),  # the term lists and counts every page holds
    "sitemap_pages": (1, 1),  # the count (no page here: no rows to read)
    "polls": (4, 3),
    # warm: nothing. The poll and its answers are shared for PAGE_TOTALS_SECONDS at most
    # (their counts may be that old); its publications come from the cache
    "poll": (4, 0),
}


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.slow
@pytest.mark.parametrize("size", [1, 4])
def test_queries_per_page_are_fixed(client, size):
    urls = build(size)
    measured = {}
    for name, url in urls.items():
        cache.clear()
        cold = count(client, url)
        warm = count(client, url)
        measured[name] = (cold, warm)
    assert measured == EXPECTED


def test_no_public_page_needs_more_than_nine_queries_even_with_every_cache_empty():
    assert max(cold for cold, _warm in EXPECTED.values()) <= 9

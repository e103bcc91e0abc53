"""What the list's speed-ups must not change: date bounds in the site's time zone, and
facet counts that stay right while they are cached."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from dialogue_portal.core.pagecache import bump_content_version
from publications.facets import facet_counts
from publications.filters import PublicationFilter
from publications.models import Publication
from tests.factories import make_publication, make_topic

pytestmark = pytest.mark.django_db
LIST = reverse("publications:list")
LONDON = ZoneInfo("Europe/London")


def titles(response):
    return [p.title for p in response.context["publications"]]


def test_date_range_is_whole_days_in_the_site_time_zone(client, settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 in London on 30 June is 22:30 UTC the same day; 00:10 on 1 July is still 30 June UTC.
    make_publication(
        title="Last evening", published_at=dt.datetime(2019, 6, 30, 23, 30, tzinfo=LONDON)
    )
    make_publication(
        title="Next morning", published_at=dt.datetime(2019, 7, 1, 0, 10, tzinfo=LONDON)
    )
    make_publication(
        title="First minute", published_at=dt.datetime(2019, 6, 1, 0, 0, tzinfo=LONDON)
    )
    make_publication(
        title="Day before", published_at=dt.datetime(2019, 5, 31, 23, 59, tzinfo=LONDON)
    )
    response = client.get(f"{LIST}?date_from=2019-06-01&date_to=2019-06-30")
    assert titles(response) == ["Last evening", "First minute"]
    assert titles(client.get(f"{LIST}?date_from=2019-07-01")) == ["Next morning"]
    assert len(titles(client.get(f"{LIST}?date_from=0001-01-01&date_to=9999-12-31"))) == 4


def test_facet_counts_are_cached_until_content_changes(django_assert_num_queries):
    topic, other = make_topic(), make_topic()
    make_publication(topics=[topic, other], kind="report")
    make_publication(topics=[topic], kind="briefing")

    def counts():
        filterset = PublicationFilter({"topic": [topic.slug]}, queryset=Publication.objects.all())
        return facet_counts(filterset, "en").counts

    first = counts()
    assert first["topic"] == {topic.slug: 2, other.slug: 1}
    assert first["kind"] == {"report": 1, "briefing": 1}
    with django_assert_num_queries(0):
        assert counts() == first

    make_publication(topics=[topic, other], kind="report")
    bump_content_version()  # what every editorial save does
    again = counts()
    assert again["topic"] == {topic.slug: 3, other.slug: 2}
    assert again["kind"] == {"report": 2, "briefing": 1}


def test_facet_cache_key_ignores_order_of_chosen_options():
    one, two = make_topic(), make_topic()
    make_publication(topics=[one, two])
    a = PublicationFilter({"topic": [one.slug, two.slug]}, queryset=Publication.objects.all())
    b = PublicationFilter({"topic": [two.slug, one.slug]}, queryset=Publication.objects.all())
    assert facet_counts(a, "en") == facet_counts(b, "en")

"""Querysets compiled once per process (publications.compiled): the same rows as the
queryset itself, the current time in every run, and keys that follow the records."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.pagecache import bump_content_version
from publications import compiled
from publications.models import Publication
from tests.factories import make_person, make_publication, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_entries():
    compiled.forget()
    yield
    compiled.forget()


def cards(language="en"):
    return (
        Publication.objects.published()
        .one_per_work(language)
        .for_cards()
        .order_by("-published_at", "-pk")[:10]
    )


def test_rows_are_the_querysets_rows_with_its_annotations_and_related_rows():
    original = make_publication(title="Original", language="en", days_ago=3)
    make_publication(title="Перевод", language="ru", translation_of=original, days_ago=2)
    make_publication(title="Other", days_ago=1)
    expected = list(cards())
    rows = compiled.rows(("cards", "en"), cards)
    assert [row.pk for row in rows] == [row.pk for row in expected]
    assert rows[1].other_version_language == "ru"  # an annotation of for_cards()
    with mock.patch.object(compiled, "_compile", side_effect=AssertionError("compiled again")):
        again = compiled.rows(("cards", "en"), cards)
    assert [row.title for row in again] == ["Other", "Original"]


def test_each_run_compares_with_the_time_of_that_run(django_assert_num_queries):
    now = timezone.now()
    make_publication(title="Out already", published_at=now - dt.timedelta(hours=1))
    make_publication(title="Scheduled", published_at=now + dt.timedelta(hours=1))
    assert [row.title for row in compiled.rows(("cards", "en"), cards)] == ["Out already"]
    later = now + dt.timedelta(hours=2)
    clock = mock.patch("publications.models.timezone.now", return_value=later)
    with clock, django_assert_num_queries(1):
        rows = compiled.rows(("cards", "en"), cards)
    assert [row.title for row in rows] == ["Scheduled", "Out already"]


def test_a_queryset_with_another_changing_value_is_refused():
    def recent():
        # "Published this last day": derived from the clock, not the clock itself.
        return Publication.objects.filter(published_at__gte=compiled.now() - dt.timedelta(days=1))

    with pytest.raises(compiled.ClockNotFound):
        compiled.rows(("recent",), recent)


def test_a_query_that_can_match_nothing_gives_no_rows_without_a_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        assert compiled.rows(("none",), lambda: Publication.objects.filter(pk__in=[])) == []


def test_old_entries_give_way_past_the_size(monkeypatch):
    monkeypatch.setattr(compiled, "SIZE", 2)
    for n in range(3):
        compiled.rows(("n", n), lambda: Publication.objects.all()[:1])
    assert list(compiled._entries) == [("n", 1), ("n", 2)]


def test_a_list_filtered_by_a_term_follows_the_term_not_its_slug(client):
    first = make_topic(slug="arms-control", name="Arms control")
    make_publication(title="About the first term", topics=[first])
    url = reverse("publications:list") + "?topic=arms-control"
    assert [p.title for p in client.get(url).context["publications"]] == ["About the first term"]
    # An editor deletes the term and makes another with the same slug.
    first.delete()
    second = make_topic(slug="arms-control", name="Arms control")
    make_publication(title="About the second term", topics=[second])
    bump_content_version()
    assert [p.title for p in client.get(url).context["publications"]] == ["About the second term"]


def test_an_author_page_lists_the_same_cards_whether_compiled_before_or_not(client):
    person = make_person()
    for n in range(3):
        make_publication(title=f"Work {n}", authors=[person], days_ago=n + 1)
    first = [p.title for p in client.get(person.get_absolute_url()).context["publications"]]
    second = [p.title for p in client.get(person.get_absolute_url()).context["publications"]]
    assert first == second == ["Work 0", "Work 1", "Work 2"]

"""Counts per publication per day, written with the totals they belong to."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from dialogue_portal.core.readers import Reader
from polls.services import cast_vote
from publications import counting, daily
from publications.models import DailyCount, Publication
from publications.services import rate_publication
from tests import hot_updates
from tests.factories import make_attachment, make_poll, make_publication

# Days and their edges: run again under every clock of tests/clock.py.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"


def today(publication):
    row = DailyCount.objects.filter(publication=publication, day=timezone.localdate()).first()
    return {f: getattr(row, f) for f in daily.FIELDS} if row else None


def test_views_and_downloads_reach_the_day_as_they_are_flushed(client, settings):
    settings.COUNT_FLUSH_EVERY = 2
    publication = make_publication()
    attachment = make_attachment(publication)
    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        client.get(
            publication.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR=address
        )
        client.get(
            attachment.get_absolute_url(), headers={"User-Agent": BROWSER}, REMOTE_ADDR=address
        )
    assert today(publication) == {"views": 2, "downloads": 2, "ratings": 0, "votes": 0}
    counting.flush_all()
    publication.refresh_from_db()
    assert today(publication) == {"views": 3, "downloads": 3, "ratings": 0, "votes": 0}
    assert (publication.view_count, publication.download_count) == (3, 3)


def test_a_first_rating_counts_a_change_does_not():
    publication = make_publication()
    rate_publication(publication=publication, reader=Reader(key="anon:a", user=None), stars=4)
    rate_publication(publication=publication, reader=Reader(key="anon:a", user=None), stars=2)
    rate_publication(publication=publication, reader=Reader(key="anon:b", user=None), stars=5)
    assert today(publication)["ratings"] == 2


def test_a_vote_counts_for_every_publication_the_poll_links_to():
    linked, also_linked, other = make_publication(), make_publication(), make_publication()
    poll = make_poll()
    poll.publications.add(linked, also_linked)
    choice = poll.choices.first()
    cast_vote(poll=poll, choice=choice, reader=Reader(key="anon:a", user=None))
    cast_vote(poll=poll, choice=choice, reader=Reader(key="anon:a", user=None))  # again: no
    cast_vote(poll=poll, choice=choice, reader=Reader(key="anon:b", user=None))
    assert today(linked)["votes"] == today(also_linked)["votes"] == 2
    assert today(other) is None
    lonely = make_poll()
    cast_vote(poll=lonely, choice=lonely.choices.first(), reader=Reader(key="anon:c", user=None))
    assert DailyCount.objects.count() == 2


def test_each_day_has_its_own_row_and_amounts_add_up():
    publication = make_publication()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    daily.add(publication.pk, "views", 3, day=yesterday)
    daily.add(publication.pk, "views", 4, day=yesterday)
    daily.add(publication.pk, "downloads", 1)
    rows = {row.day: (row.views, row.downloads) for row in DailyCount.objects.all()}
    assert rows == {yesterday: (7, 0), timezone.localdate(): (0, 1)}
    with pytest.raises(ValueError):
        daily.add(publication.pk, "title", 1)


def test_a_rolled_back_total_takes_its_day_with_it():
    publication = make_publication()
    with pytest.raises(RuntimeError), transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(view_count=5)
        daily.add(publication.pk, "views", 5)
        raise RuntimeError
    assert today(publication) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_first_counts_of_a_day_lose_nothing():
    publication = make_publication()

    def add(_index):
        try:
            with transaction.atomic():
                daily.add(publication.pk, "views", 1)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(add, range(200)))
    assert today(publication)["views"] == 200


@pytest.mark.postgres
def test_no_index_holds_a_days_counts():
    """What lets PostgreSQL add to a day's row in place (HOT)."""
    table = DailyCount._meta.db_table
    assert hot_updates.indexes_reading(table, daily.FIELDS) == []


@pytest.mark.postgres
def test_a_days_second_rating_updates_its_row_in_place():
    """A busy publication's day row takes every rating: the first creates it, each next
    one is an update that writes no index entry."""
    publication = make_publication()
    rate_publication(publication=publication, reader=Reader(key="anon:first"), stars=4)
    before = hot_updates.updates(DailyCount._meta.db_table)
    for n in range(3):
        rate_publication(publication=publication, reader=Reader(key=f"anon:next{n}"), stars=5)
    after = hot_updates.updates(DailyCount._meta.db_table)
    assert (after[0] - before[0], after[1] - before[1]) == (3, 3)
    assert today(publication)["ratings"] == 4

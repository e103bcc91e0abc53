"""The poll a page features: the newest open one for its placement, with its answers."""

import datetime as dt

import pytest
from django.utils import timezone

from polls.models import Poll
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


def test_the_newest_open_poll_for_the_placement_comes_with_its_answers(
    django_assert_num_queries,
):
    make_poll(question="Older?", placement="home", opens_at=days_ago(5))
    make_poll(question="Elsewhere?", placement="publications", opens_at=days_ago(1))
    newest = make_poll(
        question="Newest?", placement="everywhere", answers=("A", "B", "C"), opens_at=days_ago(2)
    )
    make_poll(question="Closed?", placement="home", opens_at=days_ago(9), closes_at=days_ago(1))
    make_poll(question="Draft?", placement="home", is_published=False, opens_at=days_ago(1))
    with django_assert_num_queries(1):
        poll = Poll.objects.featured(Poll.Placement.HOME)
        results = poll.results()
    assert poll == newest
    assert [row.choice.text for row in results] == ["A", "B", "C"]


def test_no_poll_or_one_without_answers_features_nothing():
    assert Poll.objects.featured(Poll.Placement.HOME) is None
    make_poll(placement="home", answers=())
    assert Poll.objects.featured(Poll.Placement.HOME) is None

"""Results: counts and percentages that sum to 100, shown when the poll's rule allows."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from polls.models import Choice, Poll, Vote, largest_remainder_percentages
from tests.factories import make_poll, make_publication


def test_the_seed_poll_rounds_to_31_28_22_19():
    assert largest_remainder_percentages([33, 30, 24, 21]) == [31, 28, 22, 19]


def test_thirds_sum_to_100_ties_go_to_the_earlier_answer():
    assert largest_remainder_percentages([1, 1, 1]) == [34, 33, 33]


def test_no_votes_gives_zeros():
    assert largest_remainder_percentages([0, 0, 0]) == [0, 0, 0]
    assert largest_remainder_percentages([]) == []


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12))
def test_percentages_always_sum_to_100_and_stay_within_one_point(counts):
    percents = largest_remainder_percentages(counts)
    total = sum(counts)
    if not total:
        assert set(percents) == {0}
        return
    assert sum(percents) == 100
    for count, percent in zip(counts, percents, strict=True):
        assert abs(percent - count * 100 / total) < 1


def seed_poll(**fields):
    poll = make_poll(
        answers=("Partnership", "Deter", "Dissolve", "Alliance"),
        results_visibility=Poll.ResultsVisibility.ALWAYS,
        **fields,
    )
    for choice, votes in zip(poll.choices.order_by("order"), (33, 30, 24, 21), strict=True):
        Choice.objects.filter(pk=choice.pk).update(vote_count=votes)
    Poll.objects.filter(pk=poll.pk).update(total_votes=108)
    return poll


@pytest.mark.django_db
def test_results_as_text_and_bars_with_the_total(client):
    poll = seed_poll()
    html = client.get(poll.get_absolute_url()).content.decode()
    assert 'class="poll-results"' in html
    for text, figures in [
        ("Partnership", "33 votes (31%)"),
        ("Deter", "30 votes (28%)"),
        ("Dissolve", "24 votes (22%)"),
        ("Alliance", "21 votes (19%)"),
    ]:
        assert text in html and figures in html
    assert '<progress class="poll-results__bar" max="100" value="31"' in html
    assert "Total: 108 votes" in html


@pytest.mark.django_db
def test_the_archive_lists_polls_with_results(client):
    seed_poll()
    hidden = make_poll(question="Secret until closed?", results_visibility="after-close")
    closed = seed_poll(closes_at=timezone.now() - dt.timedelta(hours=1))
    html = client.get(reverse("polls:list")).content.decode()
    assert html.count('class="poll-results"') == 2
    assert "Secret until closed?" in html and hidden.get_absolute_url() in html
    assert closed.get_absolute_url() in html and "closed" in html


@pytest.mark.django_db
def test_the_archive_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _ in range(3):
        seed_poll()
    client.get(reverse("polls:list"))  # warms the site-wide caches (footer taxonomy)
    with django_assert_num_queries(3):  # count, polls, answers
        client.get(reverse("polls:list"))
    for _ in range(3):
        seed_poll()
    with django_assert_num_queries(3):
        client.get(reverse("polls:list"))


@pytest.mark.django_db
def test_the_poll_page_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    poll = seed_poll()
    poll.publications.set([make_publication(), make_publication()])
    client.get(reverse("polls:list"))  # warms the site-wide caches (footer taxonomy)
    with django_assert_num_queries(3):  # poll, answers, publications
        response = client.get(poll.get_absolute_url())
    assert response.status_code == 200
    other = make_poll(answers=("A", "B", "C", "D", "E", "F"))
    other.publications.set([make_publication() for _ in range(4)])
    with django_assert_num_queries(3):
        client.get(other.get_absolute_url())


def ballot(client, poll):
    return client.get(
        reverse("polls:ballot", kwargs={"slug": poll.slug}), headers={"HX-Request": "true"}
    ).content.decode()


def vote(client, poll):
    """Vote as a browser does: shown the ballot (which issues the reader), then the POST."""
    ballot(client, poll)
    response = client.post(
        reverse("polls:vote", kwargs={"slug": poll.slug}),
        {"choice": poll.choices.order_by("order").first().pk},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_after_vote_results_show_only_to_readers_who_voted(client):
    poll = make_poll(results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    assert 'class="poll-results"' not in client.get(poll.get_absolute_url()).content.decode()
    assert "The results show once you have voted." in ballot(client, poll)
    vote(client, poll)
    assert 'class="poll-results"' in ballot(client, poll)
    # The shared page stays reader-neutral: still no results there.
    assert 'class="poll-results"' not in client.get(poll.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_after_close_results_wait_for_the_close_even_for_voters(client):
    poll = make_poll(results_visibility=Poll.ResultsVisibility.AFTER_CLOSE)
    vote(client, poll)
    html = ballot(client, poll)
    assert 'class="poll-results"' not in html
    assert "The results show once the poll closes." in html
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    assert 'class="poll-results"' in ballot(client, poll)
    assert 'class="poll-results"' in client.get(poll.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_readers_own_answer_is_marked(client):
    poll = make_poll(answers=("Yes", "No"))
    vote(client, poll)
    assert "(your vote)" in ballot(client, poll)


@pytest.mark.django_db
def test_check_counts_finds_and_repairs_poll_counts(client, capsys):
    poll = make_poll(answers=("Yes", "No"))
    vote(client, poll)
    call_command("check_counts")
    Choice.objects.filter(poll=poll).update(vote_count=7)
    Poll.objects.filter(pk=poll.pk).update(total_votes=0)
    with pytest.raises(CommandError):
        call_command("check_counts")
    out = capsys.readouterr().out
    assert f"poll {poll.slug}: stored 0 votes, rows 1" in out
    call_command("check_counts", "--repair")
    poll.refresh_from_db()
    assert poll.total_votes == 1 == Vote.objects.count()
    assert [c.vote_count for c in poll.choices.order_by("order")] == [1, 0]
    call_command("check_counts")


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "abc", "99", "-1"])
def test_the_archive_answers_any_page_number(client, page):
    seed_poll()
    assert client.get(reverse("polls:list"), {"page": page}).status_code == 200

"""Bursts of votes: reviewers see votes per minute per poll and per address hash, and void a
burst; the votes stay stored, flagged, and the totals are recomputed exactly."""

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from dialogue_portal.core.clientip import hashed_client_ip
from dialogue_portal.core.pagecache import content_version
from dialogue_portal.core.readers import Reader
from dialogue_portal.staff.models import AdminProfile
from polls import services
from polls.models import Poll, Vote
from publications.models import DailyCount, Publication, Rating
from publications.services import rating_mismatches, void_ratings
from tests.factories import make_poll, make_publication
from tests.polls.test_voting import ballot_url, counts, vote_url
from tests.publications.test_rating import rate_url, rating_url

pytestmark = pytest.mark.django_db

BURSTS = reverse("admin:polls_vote_bursts")


@pytest.fixture(autouse=True)
def _open_caps(settings):
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 0
    settings.POLL_BUSY_VOTES_PER_MINUTE = 0
    settings.BURST_MIN_VOTES = 3


def votes_from(poll, address, n, answer=0):
    for _ in range(n):
        reader = Client(REMOTE_ADDR=address)
        reader.get(ballot_url(poll))
        choice = poll.choices.order_by("order")[answer]
        assert reader.post(vote_url(poll), {"choice": choice.pk}).status_code == 302


def address_hash(address):
    class Request:
        META = {"REMOTE_ADDR": address}

    return hashed_client_ip(Request)


def test_a_vote_stores_a_keyed_hash_of_its_address_never_the_address():
    poll = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 1)
    vote = Vote.objects.get()
    assert vote.address_hash == address_hash("203.0.113.9") and len(vote.address_hash) == 32
    assert "203.0.113.9" not in str(Vote.objects.values().get())


def test_reviewers_see_bursts_per_poll_and_per_address(reviewer_client):
    poll = make_poll(question="Stuffed?", answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 4)
    votes_from(poll, "198.51.100.1", 2, answer=1)
    page = reviewer_client.get(BURSTS)
    assert page.status_code == 200
    by_poll, by_address = page.context["by_poll"], page.context["by_address"]
    assert [(b.poll_id, b.votes, b.address_hash) for b in by_poll] == [(poll.pk, 6, "")]
    assert [(b.votes, b.address_hash) for b in by_address] == [(4, address_hash("203.0.113.9"))]
    html = page.content.decode()
    assert "Stuffed?" in html and address_hash("203.0.113.9") in html
    assert "203.0.113.9" not in html
    assert 'name="csrfmiddlewaretoken"' in html and 'name="burst"' in html


def test_voiding_a_burst_keeps_the_rows_flags_them_and_recounts_exactly(
    reviewer, reviewer_client, django_capture_on_commit_callbacks
):
    publication = make_publication()
    poll = make_poll(answers=("Yes", "No"))
    poll.publications.add(publication)
    votes_from(poll, "203.0.113.9", 4)  # the burst: all "Yes"
    votes_from(poll, "198.51.100.1", 2, answer=1)
    assert counts(poll) == (6, [4, 2])
    assert DailyCount.objects.get(publication=publication).votes == 6
    burst = reviewer_client.get(BURSTS).context["by_address"][0]
    version = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(BURSTS, {"burst": [burst.key]}, follow=True)
    assert response.status_code == 200
    assert "4 votes voided" in response.content.decode()
    assert Vote.objects.count() == 6  # nothing deleted
    voided = Vote.objects.voided()
    assert voided.count() == 4
    assert set(voided.values_list("voided_by", flat=True)) == {reviewer.pk}
    assert all(vote.voided_at is not None for vote in voided)
    assert counts(poll) == (2, [0, 2])
    assert services.vote_count_mismatches() == ([], [])
    assert DailyCount.objects.get(publication=publication).votes == 2
    assert content_version() != version  # cached pages learn the new totals
    # Voided votes are no burst any more; voiding them again changes nothing.
    assert reviewer_client.get(BURSTS).context["by_address"] == []
    reviewer_client.post(BURSTS, {"burst": [burst.key]})
    assert counts(poll) == (2, [0, 2]) and Vote.objects.voided().count() == 4


def test_voiding_a_whole_minute_of_a_poll(reviewer_client):
    poll = make_poll(answers=("Yes", "No"))
    other = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 3)
    votes_from(other, "203.0.113.9", 3)
    burst = next(b for b in reviewer_client.get(BURSTS).context["by_poll"] if b.poll_id == poll.pk)
    reviewer_client.post(BURSTS, {"burst": [burst.key]})
    assert counts(poll) == (0, [0, 0]) and counts(other) == (3, [3, 0])
    # A reader who voted in the voided burst is not counted again: one row per reader stays.
    assert Vote.objects.filter(poll=poll).count() == 3


@pytest.mark.parametrize(
    "keys",
    [["junk"], ["1:2"], ["x:0:"], ["1:61:"], ["1:0:NOTHEX"], ["1:99999999999999999999:"]],
)
def test_a_junk_burst_voids_nothing_and_is_no_500(reviewer_client, keys):
    poll = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 3)
    response = reviewer_client.post(BURSTS, {"burst": keys}, follow=True)
    assert response.status_code == 200
    assert "That is not a burst" in response.content.decode()
    assert not Vote.objects.voided().exists() and counts(poll) == (3, [3, 0])


def test_nothing_selected_voids_nothing(reviewer_client):
    poll = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 3)
    response = reviewer_client.post(BURSTS, {}, follow=True)
    assert "Select the bursts to void." in response.content.decode()
    assert counts(poll) == (3, [3, 0])


def test_only_reviewers_may_see_or_void_bursts(editor_client, reviewer, editor):
    poll = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 3)
    key = services.bursts(since=poll.opens_at, min_votes=3, by_address=False)[0].key
    assert editor_client.get(BURSTS).status_code == 403
    assert editor_client.post(BURSTS, {"burst": [key]}).status_code == 403
    assert Client().get(BURSTS).status_code == 302  # to the login page
    reviewers = Group.objects.get(name="Reviewers").permissions
    assert reviewers.filter(codename__in=["void_vote", "void_rating"]).count() == 2
    assert not editor.has_perm("polls.void_vote")
    assert not editor.has_perm("publications.void_rating")
    # CSRF: a reviewer's browser tricked into posting without the token voids nothing.
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(reviewer)
    assert csrf_checked.post(BURSTS, {"burst": [key]}).status_code == 403
    assert counts(poll) == (3, [3, 0])


def test_the_bursts_page_is_in_russian(reviewer_client, reviewer):
    AdminProfile.objects.create(user=reviewer, admin_language="ru")
    poll = make_poll(answers=("Yes", "No"))
    votes_from(poll, "203.0.113.9", 3)
    page = reviewer_client.get(BURSTS).content.decode()
    assert "Всплески голосов и оценок" in page and "Аннулировать выбранные всплески" in page
    response = reviewer_client.post(BURSTS, {"burst": ["junk"]}, follow=True)
    assert "Это не всплеск" in response.content.decode()


def test_the_bursts_page_takes_a_fixed_number_of_queries(
    reviewer_client, django_assert_num_queries
):
    for index in range(3):
        poll = make_poll(answers=("Yes", "No"))
        votes_from(poll, f"203.0.113.{index}", 3)
    reviewer_client.get(BURSTS)
    # session, user, admin language, permissions (user's and groups'), the four tables
    with django_assert_num_queries(11):
        reviewer_client.get(BURSTS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_totals_stay_exact_when_votes_race_with_voiding(reviewer):
    """Votes arriving from many threads while a reviewer voids the burst they belong to:
    afterwards every total equals the votes that are not voided."""
    poll = make_poll(answers=("A", "B", "C"))
    choices = list(poll.choices.order_by("order"))
    burst_hash = "b" * 32
    for index in range(40):
        services.cast_vote(
            poll=poll,
            choice=choices[index % 3],
            reader=Reader(key=f"anon:early{index:027d}"),
            address_hash=burst_hash,
        )
    start = threading.Barrier(9)

    def vote(worker):
        start.wait()
        try:
            for index in range(15):
                services.cast_vote(
                    poll=poll,
                    choice=choices[(worker + index) % 3],
                    reader=Reader(key=f"anon:w{worker}-{index:026d}"),
                    address_hash=burst_hash if index % 2 else "c" * 32,
                )
        finally:
            connection.close()

    def void():
        start.wait()
        try:
            for _ in range(5):
                services.void_votes(
                    votes=Vote.objects.filter(poll=poll, address_hash=burst_hash), user=reviewer
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(worker,)) for worker in range(8)]
    threads.append(threading.Thread(target=void))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Vote.objects.filter(poll=poll).count() == 40 + 8 * 15
    assert Vote.objects.voided().exists()
    counted = Vote.objects.counted().filter(poll=poll)
    poll = Poll.objects.get(pk=poll.pk)
    assert poll.total_votes == counted.count()
    for choice in poll.choices.all():
        assert choice.vote_count == counted.filter(choice=choice).count()
    assert services.vote_count_mismatches() == ([], [])


# Ratings share the mechanism: a burst of ratings is voided the same way.


def ratings_from(publication, address, n, stars):
    for _ in range(n):
        reader = Client(REMOTE_ADDR=address)
        reader.get(rating_url(publication))
        assert reader.post(rate_url(publication), {"stars": stars}).status_code == 302


def test_voiding_a_burst_of_ratings_keeps_them_and_recounts_exactly(
    reviewer, reviewer_client, settings, django_capture_on_commit_callbacks
):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0
    publication = make_publication(title="Rated report")
    ratings_from(publication, "203.0.113.9", 4, stars=1)  # the burst: one star each
    ratings_from(publication, "198.51.100.1", 2, stars=5)
    publication.refresh_from_db()
    assert (publication.rating_count, publication.rating_sum) == (6, 14)
    page = reviewer_client.get(BURSTS)
    assert "Rated report" in page.content.decode()
    burst = page.context["ratings_by_address"][0]
    assert burst.ratings == 4 and burst.address_hash == address_hash("203.0.113.9")
    version = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(BURSTS, {"rating_burst": [burst.key]}, follow=True)
    assert "4 ratings voided" in response.content.decode()
    assert Rating.objects.count() == 6 and Rating.objects.voided().count() == 4
    assert set(Rating.objects.voided().values_list("voided_by", flat=True)) == {reviewer.pk}
    publication = Publication.objects.get(pk=publication.pk)
    assert (publication.rating_count, publication.rating_sum) == (2, 10)
    assert (publication.ranked_count, publication.ranked_average) == (2, 5)
    assert rating_mismatches() == []
    assert DailyCount.objects.get(publication=publication).ratings == 2
    assert content_version() != version


def test_a_voided_rater_changing_stars_moves_no_total(reviewer, settings):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0
    publication = make_publication()
    rater = Client(REMOTE_ADDR="203.0.113.9")
    rater.get(rating_url(publication))
    rater.post(rate_url(publication), {"stars": 1})
    ratings_from(publication, "198.51.100.1", 1, stars=4)
    void_ratings(ratings=Rating.objects.filter(stars=1), user=reviewer)
    rater.post(rate_url(publication), {"stars": 2})
    publication = Publication.objects.get(pk=publication.pk)
    assert (publication.rating_count, publication.rating_sum) == (1, 4)
    assert rating_mismatches() == []


def test_editors_without_the_permission_cannot_void_ratings(editor_client, settings):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0
    publication = make_publication()
    ratings_from(publication, "203.0.113.9", 3, stars=1)
    key = f"{publication.pk}:0:"
    assert editor_client.post(BURSTS, {"rating_burst": [key]}).status_code == 403
    assert not Rating.objects.voided().exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rating_totals_stay_exact_when_ratings_race_with_voiding(reviewer):
    from publications.services import rate_publication

    publication = make_publication()
    burst_hash = "b" * 32
    for index in range(30):
        rate_publication(
            publication=publication,
            reader=Reader(key=f"anon:early{index:027d}"),
            stars=1,
            address_hash=burst_hash,
        )
    start = threading.Barrier(7)

    def rate(worker):
        start.wait()
        try:
            for index in range(15):
                rate_publication(
                    publication=Publication.objects.get(pk=publication.pk),
                    reader=Reader(key=f"anon:w{worker}-{index:026d}"),
                    stars=1 + (worker + index) % 5,
                    address_hash=burst_hash if index % 2 else "c" * 32,
                )
        finally:
            connection.close()

    def void():
        start.wait()
        try:
            for _ in range(5):
                ratings = Rating.objects.filter(publication=publication, address_hash=burst_hash)
                void_ratings(ratings=ratings, user=reviewer)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(worker,)) for worker in range(6)]
    threads.append(threading.Thread(target=void))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Rating.objects.count() == 30 + 6 * 15 and Rating.objects.voided().exists()
    counted = Rating.objects.counted()
    publication = Publication.objects.get(pk=publication.pk)
    assert publication.rating_count == counted.count()
    assert publication.rating_sum == sum(counted.values_list("stars", flat=True))
    assert rating_mismatches() == []


def test_voiding_reaches_the_featured_poll_once_committed(
    reviewer, django_capture_on_commit_callbacks
):
    poll = make_poll(answers=("Yes", "No"), placement=Poll.Placement.EVERYWHERE)
    votes_from(poll, "203.0.113.9", 3)
    assert services.featured_poll(Poll.Placement.HOME).total_votes == 3  # now remembered
    with django_capture_on_commit_callbacks(execute=True):
        voided = services.void_votes(votes=Vote.objects.filter(poll=poll), user=reviewer)
    assert voided == 3
    assert services.featured_poll(Poll.Placement.HOME).total_votes == 0


def test_voiding_votes_of_two_polls_on_two_days_takes_each_from_its_own_figures(reviewer, clock):
    first_report, second_report = make_publication(), make_publication()
    first = make_poll(answers=("Yes", "No"))
    second = make_poll(answers=("Yes", "No"))
    first.publications.add(first_report)
    second.publications.add(second_report)
    votes_from(first, "203.0.113.9", 2)
    votes_from(second, "203.0.113.9", 1)
    clock.shift(dt.timedelta(days=1))
    votes_from(first, "203.0.113.9", 3)
    by_day = dict(DailyCount.objects.filter(publication=first_report).values_list("day", "votes"))
    assert sorted(by_day.values()) == [2, 3]
    burst = Vote.objects.filter(address_hash=address_hash("203.0.113.9"))
    assert services.void_votes(votes=burst, user=reviewer) == 6
    assert set(DailyCount.objects.values_list("votes", flat=True)) == {0}
    assert counts(first) == (0, [0, 0]) and counts(second) == (0, [0, 0])
    assert services.void_votes(votes=burst, user=reviewer) == 0  # none left counted
    assert Vote.objects.voided().count() == 6


def test_voiding_a_whole_minute_of_a_publications_ratings_leaves_the_others(
    reviewer_client, settings
):
    settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY = 0
    publication = make_publication(title="Stuffed report")
    other = make_publication(title="Quiet report")
    ratings_from(publication, "203.0.113.9", 2, stars=1)
    ratings_from(publication, "198.51.100.1", 2, stars=2)
    ratings_from(other, "203.0.113.9", 3, stars=5)
    by_publication = reviewer_client.get(BURSTS).context["ratings_by_publication"]
    assert sorted((b.publication_id, b.ratings, b.address_hash) for b in by_publication) == sorted(
        [(publication.pk, 4, ""), (other.pk, 3, "")]
    )
    [burst] = [b for b in by_publication if b.publication_id == publication.pk]
    response = reviewer_client.post(BURSTS, {"rating_burst": [burst.key]}, follow=True)
    assert "4 ratings voided" in response.content.decode()
    publication = Publication.objects.get(pk=publication.pk)
    other = Publication.objects.get(pk=other.pk)
    assert (publication.rating_count, publication.rating_sum) == (0, 0)
    assert (other.rating_count, other.rating_sum) == (3, 15)
    assert Rating.objects.filter(publication=publication).count() == 4
    assert void_ratings(ratings=Rating.objects.filter(publication=publication), user=None) == 0

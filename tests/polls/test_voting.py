"""Voting: one vote per reader per poll, in place or by redirect; bad input writes nothing."""

import datetime as dt
import re
import secrets
import string
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.core.pagecache import bump_content_version
from polls.models import Choice, Poll, Vote
from tests.factories import make_poll
from tests.live_readers import post_form, reader_session

pytestmark = pytest.mark.django_db


HTMX = {"HX-Request": "true"}


def vote_url(poll):
    return reverse("polls:vote", kwargs={"slug": poll.slug})


def ballot_url(poll):
    return reverse("polls:ballot", kwargs={"slug": poll.slug})


def voter(poll, client=None, **client_kwargs):
    """A reader as a browser is one: it has been shown the ballot (and so issued a reader)."""
    client = client or Client(**client_kwargs)
    client.get(ballot_url(poll))
    return client


def counts(poll):
    poll.refresh_from_db()
    return poll.total_votes, [c.vote_count for c in poll.choices.order_by("order")]


def first_choice(poll):
    return poll.choices.order_by("order").first()


def test_a_vote_counts_once_and_redirects_back_with_a_message(client, settings):
    poll = make_poll(answers=("Yes", "No", "Maybe"))
    yes = first_choice(poll)
    assert settings.READER_COOKIE_NAME in client.get(ballot_url(poll)).cookies
    response = client.post(vote_url(poll), {"choice": yes.pk})
    assert response.status_code == 302 and response["Location"] == ballot_url(poll)
    assert counts(poll) == (1, [1, 0, 0])
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for voting." in page
    assert "You voted for “Yes”." in page
    assert 'id="poll-form"' not in page


def test_a_second_vote_by_the_same_reader_changes_nothing(client):
    poll = make_poll(answers=("Yes", "No"))
    yes, no = poll.choices.order_by("order")
    voter(poll, client).post(vote_url(poll), {"choice": yes.pk})
    response = client.post(vote_url(poll), {"choice": no.pk}, follow=True)
    assert "You have already voted in this poll." in response.content.decode()
    assert counts(poll) == (1, [1, 0])
    assert Vote.objects.get().choice == yes


def test_readers_behind_one_address_each_vote_once():
    poll = make_poll(answers=("Yes", "No"))
    for _ in range(5):
        voter(poll, REMOTE_ADDR="203.0.113.7").post(
            vote_url(poll), {"choice": first_choice(poll).pk}
        )
    assert counts(poll) == (5, [5, 0])


def test_signed_in_reader_votes_as_their_user(client, reader):
    poll = make_poll()
    client.force_login(reader)
    client.post(vote_url(poll), {"choice": first_choice(poll).pk})
    client.post(vote_url(poll), {"choice": first_choice(poll).pk})
    vote = Vote.objects.get()
    assert vote.reader == f"user:{reader.pk}" and vote.user == reader


def test_htmx_vote_answers_with_the_fragment(client):
    poll = make_poll(answers=("Yes", "No"))
    voter(poll, client)
    response = client.post(vote_url(poll), {"choice": first_choice(poll).pk}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="poll-{poll.pk}-widget"')
    assert "<html" not in html
    assert 'class="poll-results"' in html and "1 vote (100%)" in html
    assert "no-store" in response["Cache-Control"]


def test_the_ballot_is_private_and_has_the_form(client):
    poll = make_poll(answers=("Yes", "No"))
    response = client.get(ballot_url(poll), headers=HTMX)
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'id="poll-form"' in html and "csrfmiddlewaretoken" in html
    assert html.count('type="radio" name="choice"') == 2
    assert re.search(r'<button type="submit"[^>]*>Vote</button>', html)
    assert "<html" not in html
    assert b"<html" in client.get(ballot_url(poll)).content


def test_the_poll_page_is_reader_neutral(client):
    poll = make_poll()
    html = client.get(poll.get_absolute_url()).content.decode()
    assert f'data-hx-get="{ballot_url(poll)}"' in html and 'data-hx-trigger="load"' in html
    assert f'href="{ballot_url(poll)}"' in html  # readers without JavaScript
    assert "csrfmiddlewaretoken" not in html and 'id="poll-form"' not in html


def test_the_next_reader_of_the_poll_page_sees_a_vote_counted(client, settings, clock):
    """The poll page's row is shared for PAGE_TOTALS_SECONDS at most; a vote drops it, so
    the page built next counts the vote at once (the page cache off: a miss)."""
    settings.PAGE_CACHE_SECONDS = 0
    poll = make_poll(answers=("Yes", "No"))

    def total_on_page():
        html = Client().get(poll.get_absolute_url()).content.decode()
        return re.search(r"Total: (\d+) vote", html).group(1)

    assert total_on_page() == "0"
    voter(poll).post(vote_url(poll), {"choice": first_choice(poll).pk})
    assert total_on_page() == "1"
    # A count changed without a vote (a repair) shows once the shared row has expired.
    Poll.objects.filter(pk=poll.pk).update(total_votes=5)
    Choice.objects.filter(pk=first_choice(poll).pk).update(vote_count=5)
    assert total_on_page() == "1"
    clock.shift(settings.PAGE_TOTALS_SECONDS + 1)
    assert total_on_page() == "5"


def test_the_poll_box_beside_publications_loads_the_ballot(client):
    from tests.factories import make_publication

    poll = make_poll(placement=Poll.Placement.PUBLICATIONS)
    publication = make_publication()
    html = client.get(publication.get_absolute_url()).content.decode()
    assert "Poll conducted" in html
    assert f'data-hx-get="{ballot_url(poll)}"' in html
    assert "csrfmiddlewaretoken" not in html


def test_ballot_takes_a_fixed_number_of_queries(client, django_assert_num_queries):
    poll = make_poll(answers=("A", "B", "C", "D"))
    voter(poll, client).post(vote_url(poll), {"choice": first_choice(poll).pk})
    with django_assert_num_queries(3):  # poll, answers, the reader's vote
        client.get(ballot_url(poll), headers=HTMX)


def test_a_choice_from_another_poll_is_400(client):
    poll, other = make_poll(), make_poll()
    response = client.post(vote_url(poll), {"choice": first_choice(other).pk})
    assert response.status_code == 400
    assert "Choose one of the answers." in response.content.decode()
    assert not Vote.objects.exists() and counts(poll)[0] == 0 and counts(other)[0] == 0


@pytest.mark.parametrize("data", [{}, {"choice": ""}, {"choice": "abc"}, {"choice": "999999"}])
def test_a_missing_or_junk_choice_is_400(client, data):
    poll = make_poll()
    response = client.post(vote_url(poll), data, headers=HTMX)
    assert response.status_code == 400
    assert "Choose one of the answers." in response.content.decode()
    assert not Vote.objects.exists()
    assert "dp_reader" not in response.cookies


def test_a_closed_poll_is_409(client):
    poll = make_poll(closes_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(vote_url(poll), {"choice": first_choice(poll).pk})
    assert response.status_code == 409
    assert "This poll is closed" in response.content.decode()
    assert not Vote.objects.exists() and counts(poll)[0] == 0


def test_a_poll_not_yet_open_is_404(client):
    poll = make_poll(opens_at=timezone.now() + dt.timedelta(days=1))
    assert client.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 404
    assert client.get(ballot_url(poll)).status_code == 404
    assert client.get(poll.get_absolute_url()).status_code == 404
    assert not Vote.objects.exists()


def test_an_unpublished_poll_or_unknown_slug_is_404(client):
    poll = make_poll(is_published=False)
    assert client.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 404
    assert client.post("/polls/no-such-poll/vote/", {"choice": "1"}).status_code == 404
    assert not Vote.objects.exists()


def test_get_on_the_vote_url_is_405(client):
    poll = make_poll()
    assert client.get(vote_url(poll)).status_code == 405


def test_csrf_is_required():
    poll = make_poll()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 403
    assert not Vote.objects.exists()
    html = strict.get(ballot_url(poll)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    strict.post(vote_url(poll), {"choice": first_choice(poll).pk, "csrfmiddlewaretoken": token})
    assert Vote.objects.count() == 1


def test_a_poll_closed_while_voting_rolls_the_vote_back(client):
    """The total rises only in an UPDATE that checks the poll is open."""
    from dialogue_portal.core.readers import Reader
    from polls import services

    poll = make_poll()
    stale = Poll.objects.get(pk=poll.pk)  # loaded while open
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now())
    stale.closes_at = None
    with pytest.raises(services.PollClosed):
        services.cast_vote(poll=stale, choice=first_choice(poll), reader=Reader(key="anon:z"))
    assert not Vote.objects.exists() and counts(poll)[0] == 0


# PostgreSQL: many readers at once against a live server.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_100_readers_voting_at_once_leave_100_votes(live_server, settings):
    settings.WRITE_RATE_LIMIT = 10_000
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 0  # all from 127.0.0.1
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 0
    settings.POLL_BUSY_VOTES_PER_MINUTE = 0  # no proof-of-work check: a storm of readers
    poll = make_poll(answers=("A", "B", "C"))
    choices = list(poll.choices.order_by("order"))
    url = live_server.url + vote_url(poll)
    sessions = [reader_session(live_server.url + ballot_url(poll)) for _ in range(100)]

    def vote(index):
        opener, token = sessions[index]
        return post_form(opener, url, {"choice": choices[index % 3].pk}, token, live_server.url)

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(vote, range(100)))
    assert 500 not in statuses
    assert statuses.count(200) == 100
    assert Vote.objects.filter(poll=poll).count() == 100
    assert counts(poll) == (100, [34, 33, 33])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_20_submissions_from_one_reader_leave_one_vote(live_server, settings):
    settings.WRITE_RATE_LIMIT = 10_000
    poll = make_poll(answers=("A", "B"))
    choices = list(poll.choices.order_by("order"))
    url = live_server.url + vote_url(poll)
    opener, token = reader_session(live_server.url + ballot_url(poll))

    def vote(index):
        return post_form(opener, url, {"choice": choices[index % 2].pk}, token, live_server.url)

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(vote, range(20)))
    # More submissions in flight at once than the stricter cap (six) hold its slots until
    # each is written: the later ones are asked to solve the check (429). None is an error.
    assert 200 in statuses and set(statuses) <= {200, 429}
    assert Vote.objects.filter(poll=poll).count() == 1
    assert counts(poll)[0] == 1
    assert sum(Choice.objects.filter(poll=poll).values_list("vote_count", flat=True)) == 1


@pytest.mark.postgres
def test_a_vote_and_a_rating_do_not_wait_for_the_disk_at_commit(reader):
    """Readers' writes commit without waiting on the WAL flush (synchronous_commit off for
    that transaction only); the row and its counts still commit together."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dialogue_portal.core.readers import Reader
    from polls.services import cast_vote
    from publications.services import rate_publication
    from tests.factories import make_publication

    poll = make_poll()
    publication = make_publication()
    who = Reader(key="anon:" + "a" * 32)
    with CaptureQueriesContext(connection) as queries:
        cast_vote(poll=poll, choice=poll.choices.first(), reader=who)
        rate_publication(publication=publication, reader=who, stars=4)
    relaxed = [q for q in queries.captured_queries if "synchronous_commit" in q["sql"]]
    assert len(relaxed) == 2
    poll.refresh_from_db()
    publication.refresh_from_db()
    assert poll.total_votes == 1 and publication.rating_count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_vote_and_a_first_rating_are_one_round_trip_each(django_assert_num_queries):
    """On PostgreSQL a reader's first vote (row, poll total, answer count, the linked
    publications' day) and first rating (row, count and sum, day) are each one statement,
    sent in autocommit: a storm of votes holds each worker for one round trip, not seven."""
    from dialogue_portal.core.readers import Reader
    from polls.services import cast_vote
    from publications.services import rate_publication
    from tests.factories import make_publication

    publication = make_publication()
    poll = make_poll(answers=("A", "B"))
    poll.publications.add(publication)
    who = Reader(key="anon:" + "c" * 32)
    choice = poll.choices.order_by("order").last()
    with django_assert_num_queries(1):
        vote, created = cast_vote(poll=poll, choice=choice, reader=who)
    with django_assert_num_queries(1):
        rating, rated = rate_publication(publication=publication, reader=who, stars=3)
    assert created and rated and vote.pk and rating.pk
    assert (publication.rating_count, publication.rating_sum) == (1, 3)
    assert counts(poll) == (1, [0, 1])
    days = publication.daily_counts.get()
    assert (days.votes, days.ratings) == (1, 1)
    # A second time: nothing more is counted, and the answers say so.
    _vote, again = cast_vote(poll=poll, choice=choice, reader=who)
    _rating, rerated = rate_publication(publication=publication, reader=who, stars=3)
    assert not again and not rerated
    assert counts(poll) == (1, [0, 1])


def test_a_vote_checks_the_poll_from_the_shared_cache(client):
    poll = make_poll(answers=("Yes", "No"))
    choice = first_choice(poll)
    voter(poll, client).post(vote_url(poll), {"choice": choice.pk})
    second = voter(poll)
    with CaptureQueriesContext(connection) as captured:
        second.post(vote_url(poll), {"choice": choice.pk})
    tables = " ".join(q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT"))
    assert '"polls_choice"' not in tables and '"slug"' not in tables
    assert counts(poll) == (2, [2, 0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no savepoint around the statement
def test_a_first_vote_is_one_statement_on_postgresql(client, django_assert_num_queries):
    poll = make_poll(answers=("Yes", "No"))
    choice = first_choice(poll)
    voter(poll, client).post(vote_url(poll), {"choice": choice.pk})  # fills the shared cache
    second = voter(poll)
    with django_assert_num_queries(1):
        assert second.post(vote_url(poll), {"choice": choice.pk}).status_code == 302
    assert counts(poll) == (2, [2, 0])


@pytest.mark.parametrize("editor_saved", [True, False])
def test_closing_a_poll_stops_votes_at_once(client, editor_saved):
    poll = make_poll(answers=("Yes", "No"))
    voter(poll, client).post(vote_url(poll), {"choice": first_choice(poll).pk})  # cached now
    second = voter(poll)
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    if editor_saved:
        bump_content_version()  # what the admin's save does
    # Either way the vote is refused: the statement checks the poll's row as it is now.
    response = second.post(vote_url(poll), {"choice": first_choice(poll).pk}, headers=HTMX)
    assert response.status_code == 409
    assert response.context["results"] is not None or "closed" in response.content.decode()
    assert counts(poll) == (1, [1, 0])


def test_a_refused_answer_shows_the_counts_as_they_are(client):
    poll = make_poll(answers=("Yes", "No"))
    voter(poll, client).post(vote_url(poll), {"choice": first_choice(poll).pk})
    voter(poll).post(vote_url(poll), {"choice": first_choice(poll).pk})
    response = voter(poll).post(vote_url(poll), {"choice": "999999"}, headers=HTMX)
    assert response.status_code == 400
    assert response.context["poll"].total_votes == 2


# Issue 27: a script must not be able to make up readers.


def scripted_client(address="198.51.100.20"):
    """A client with no history: CSRF checks on, and a csrftoken cookie it made up itself
    (the form field matches it, as a script would send)."""
    script = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    secret = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    script.cookies["csrftoken"] = secret
    return script, secret


def test_votes_with_made_up_csrf_cookies_are_never_counted(settings):
    poll = make_poll(answers=("Yes", "No"))
    statuses = set()
    for _ in range(25):
        script, secret = scripted_client()
        response = script.post(
            vote_url(poll), {"choice": first_choice(poll).pk, "csrfmiddlewaretoken": secret}
        )
        statuses.add(response.status_code)
    assert statuses == {400}
    assert "Your vote was not counted" in response.content.decode()
    assert not Vote.objects.exists() and counts(poll) == (0, [0, 0])


def test_a_script_fetching_a_fresh_reader_each_time_counts_at_most_the_cap(settings):
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 5
    poll = make_poll(answers=("Yes", "No"))
    statuses = []
    for _ in range(8):
        script, secret = scripted_client()
        script.get(ballot_url(poll))  # the server issues this made-up browser a reader
        response = script.post(
            vote_url(poll),
            {"choice": first_choice(poll).pk, "csrfmiddlewaretoken": secret},
            headers=HTMX,
        )
        statuses.append(response.status_code)
    assert statuses == [200] * 5 + [429] * 3
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="poll-{poll.pk}-widget"')
    assert "Too many votes in this poll from your network today" in html
    assert response["Retry-After"].isdigit() and "no-store" in response["Cache-Control"]
    assert counts(poll) == (5, [5, 0])
    # Another address is not held back; nor is this one in another poll.
    reader = Client(REMOTE_ADDR="198.51.100.99")
    reader.get(ballot_url(poll))
    assert reader.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 302
    other = make_poll()
    script, secret = scripted_client()
    script.get(ballot_url(other))
    data = {"choice": first_choice(other).pk, "csrfmiddlewaretoken": secret}
    assert script.post(vote_url(other), data).status_code == 302
    assert counts(poll)[0] == 6 and counts(other)[0] == 1


def test_a_reader_who_voted_is_told_so_even_when_the_address_is_full(settings):
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 1
    poll = make_poll(answers=("Yes", "No"))
    reader = Client(REMOTE_ADDR="198.51.100.30")
    reader.get(ballot_url(poll))
    reader.post(vote_url(poll), {"choice": first_choice(poll).pk})
    response = reader.post(vote_url(poll), {"choice": first_choice(poll).pk}, follow=True)
    assert "You have already voted in this poll." in response.content.decode()
    newcomer = Client(REMOTE_ADDR="198.51.100.30")
    newcomer.get(ballot_url(poll))
    assert newcomer.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 429
    assert counts(poll) == (1, [1, 0])


def test_the_ballot_issues_a_signed_reader_and_a_vote_keeps_it(client, settings):
    poll = make_poll(answers=("Yes", "No"))
    response = client.get(ballot_url(poll))
    cookie = response.cookies[settings.READER_COOKIE_NAME]
    assert cookie["httponly"] and cookie["max-age"] == settings.READER_COOKIE_MAX_AGE
    assert "private" in response["Cache-Control"]
    again = client.get(ballot_url(poll))
    assert settings.READER_COOKIE_NAME not in again.cookies  # one reader, kept
    vote = client.post(vote_url(poll), {"choice": first_choice(poll).pk})
    assert settings.READER_COOKIE_NAME not in vote.cookies
    token = Vote.objects.get().reader.removeprefix("anon:")
    assert cookie.value.startswith(token + ":")  # signed by the server, holding its id


def test_a_vote_without_a_reader_shows_the_form_again_with_a_new_reader(client, settings):
    poll = make_poll(answers=("Yes", "No"))
    response = client.post(vote_url(poll), {"choice": first_choice(poll).pk}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your vote was not counted" in html and 'id="poll-form"' in html
    assert settings.READER_COOKIE_NAME in response.cookies
    assert not Vote.objects.exists()
    # Sent again (the browser now holds the reader the server gave it), it counts.
    assert client.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 302
    assert counts(poll) == (1, [1, 0])


def test_a_forged_or_unsigned_reader_cookie_is_refused(settings):
    poll = make_poll()
    for value in ("a" * 32, "a" * 32 + ":forged-signature", ""):
        forger = Client()
        forger.cookies[settings.READER_COOKIE_NAME] = value
        assert forger.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 400
    assert not Vote.objects.exists()


def test_the_refusals_are_in_the_readers_language(settings):
    from django.utils import translation

    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 1
    poll = make_poll()
    with translation.override("ru"):
        ballot, url = ballot_url(poll), vote_url(poll)
    assert url.startswith("/ru/")
    data = {"choice": first_choice(poll).pk}
    no_reader = Client().post(url, data, headers=HTMX)
    assert no_reader.status_code == 400
    assert "Ваш голос не учтён" in no_reader.content.decode()
    for _ in range(2):
        reader = Client()
        reader.get(ballot)
        response = reader.post(url, data, headers=HTMX)
    assert response.status_code == 429
    assert "Сегодня из вашей сети в этом опросе" in response.content.decode()

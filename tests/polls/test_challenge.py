"""The proof-of-work check (ALTCHA) on busy polls: asked when the poll or the address is busy,
verified on the server (signature, expiry, scope, accepted once), and the stricter cap of a
vote that comes without it (no JavaScript)."""

import json

import altcha
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from polls.models import Vote
from tests.factories import make_poll
from tests.polls.test_voting import (
    HTMX,
    ballot_url,
    counts,
    first_choice,
    scripted_client,
    vote_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_checks(settings):
    """Checks a test solves in a moment; caps from the settings' defaults unless a test
    says otherwise."""
    settings.ALTCHA_MAX_NUMBER = 500
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 20
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 6
    settings.POLL_BUSY_VOTES_PER_MINUTE = 30


def challenge_url(poll):
    return reverse("polls:challenge", kwargs={"slug": poll.slug})


def solved(client, poll):
    """What the widget posts: a challenge fetched from the site, solved with the altcha
    library's own solver."""
    response = client.get(challenge_url(poll))
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def make_busy(poll, settings, votes=3):
    """``votes`` readers from as many addresses vote in ``poll``; the busy threshold is then
    set below that."""
    settings.POLL_BUSY_VOTES_PER_MINUTE = 0
    for index in range(votes):
        reader = Client(REMOTE_ADDR=f"192.0.2.{index + 1}")
        reader.get(ballot_url(poll))
        assert reader.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 302
    settings.POLL_BUSY_VOTES_PER_MINUTE = votes - 1


def test_a_quiet_poll_asks_no_check(client):
    poll = make_poll(answers=("Yes", "No"))
    page = client.get(ballot_url(poll)).content.decode()
    assert 'id="poll-form"' in page and "<altcha-widget" not in page
    assert client.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 302
    assert counts(poll) == (1, [1, 0])


def test_a_busy_poll_asks_for_the_check_and_counts_no_vote_without_it(settings):
    poll = make_poll(answers=("Yes", "No"))
    make_busy(poll, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    page = reader.get(ballot_url(poll)).content.decode()
    assert "<altcha-widget" in page and challenge_url(poll) in page
    assert "vendor/altcha/altcha.min.js" in page and "vendor/altcha/sha.js" in page
    response = reader.post(vote_url(poll), {"choice": first_choice(poll).pk}, headers=HTMX)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Many votes are arriving in this poll right now" in html
    assert "<altcha-widget" in html  # with JavaScript, the reader solves it and votes again
    assert counts(poll) == (3, [3, 0])


def test_a_solved_check_counts_the_vote_once_and_its_replay_is_refused(settings):
    poll = make_poll(answers=("Yes", "No"))
    make_busy(poll, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    reader.get(ballot_url(poll))
    payload = solved(reader, poll)
    data = {"choice": first_choice(poll).pk, "altcha": payload}
    assert reader.post(vote_url(poll), data).status_code == 302
    assert counts(poll) == (4, [4, 0])
    # Another reader (or a script with a fresh cookie) sends the same solution: refused.
    other = Client(REMOTE_ADDR="198.51.100.6")
    other.get(ballot_url(poll))
    response = other.post(vote_url(poll), data, headers=HTMX)
    assert response.status_code == 400
    assert "This check was used already" in response.content.decode()
    assert counts(poll) == (4, [4, 0])
    # It solves a check of its own and is counted.
    data["altcha"] = solved(other, poll)
    assert other.post(vote_url(poll), data).status_code == 302
    assert counts(poll) == (5, [5, 0])


@pytest.mark.parametrize(
    "payload",
    ["", "not base64 %%%", "e30=", "WyJsaXN0Il0=", "x" * 10_000],
    ids=["empty", "junk", "empty-object", "a-list", "too-long"],
)
def test_a_missing_or_junk_check_on_a_busy_poll_is_refused_not_a_500(settings, payload):
    poll = make_poll(answers=("Yes", "No"))
    make_busy(poll, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    reader.get(ballot_url(poll))
    response = reader.post(vote_url(poll), {"choice": first_choice(poll).pk, "altcha": payload})
    assert response.status_code in (400, 429)
    assert counts(poll) == (3, [3, 0])


def test_a_tampered_expired_or_other_polls_check_is_refused(settings):
    poll = make_poll(answers=("Yes", "No"))
    other_poll = make_poll(answers=("A", "B"))
    make_busy(poll, settings)
    reader = Client(REMOTE_ADDR="198.51.100.5")
    reader.get(ballot_url(poll))
    choice = first_choice(poll).pk

    elsewhere = solved(reader, other_poll)  # solved, but for another poll
    response = reader.post(vote_url(poll), {"choice": choice, "altcha": elsewhere})
    assert response.status_code == 400 and "The check did not pass" in response.content.decode()

    payload = altcha.Payload.from_base64(solved(reader, other_poll))
    payload.challenge.parameters.data = {"scope": f"poll:{poll.pk}"}  # the signature breaks
    response = reader.post(vote_url(poll), {"choice": choice, "altcha": payload.to_base64()})
    assert response.status_code == 400

    payload = altcha.Payload.from_base64(solved(reader, poll))
    payload.solution.derived_key = "00" * 32  # a made-up answer
    response = reader.post(vote_url(poll), {"choice": choice, "altcha": payload.to_base64()})
    assert response.status_code == 400

    settings.ALTCHA_EXPIRES_SECONDS = -60  # issued already expired
    stale = solved(reader, poll)
    response = reader.post(vote_url(poll), {"choice": choice, "altcha": stale})
    assert response.status_code == 400 and "The check expired" in response.content.decode()
    assert counts(poll) == (3, [3, 0])


def test_without_javascript_an_address_votes_up_to_the_stricter_cap(settings):
    """A reader with no JavaScript posts no solution: such votes count up to the stricter cap
    per address; past it the reader is told why, and a solved check goes on to the cap."""
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 5
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 2
    poll = make_poll(answers=("Yes", "No"))
    statuses = []
    for _ in range(4):
        reader = Client(REMOTE_ADDR="203.0.113.50")
        reader.get(ballot_url(poll))
        response = reader.post(vote_url(poll), {"choice": first_choice(poll).pk})
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429, 429]
    assert "Many votes in this poll came from your network today" in response.content.decode()
    assert counts(poll) == (2, [2, 0])
    # The address is busy now: the form asks for the check, and a solved one counts.
    reader = Client(REMOTE_ADDR="203.0.113.50")
    assert "<altcha-widget" in reader.get(ballot_url(poll)).content.decode()
    data = {"choice": first_choice(poll).pk, "altcha": solved(reader, poll)}
    assert reader.post(vote_url(poll), data).status_code == 302
    assert counts(poll) == (3, [3, 0])
    # Another address is quiet: no check.
    elsewhere = Client(REMOTE_ADDR="203.0.113.51")
    assert "<altcha-widget" not in elsewhere.get(ballot_url(poll)).content.decode()


def test_a_script_with_fresh_cookies_counts_at_most_the_cap_even_solving_every_check(settings):
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 5
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 2
    poll = make_poll(answers=("Yes", "No"))
    statuses = []
    for _ in range(8):
        script, secret = scripted_client()
        script.get(ballot_url(poll))  # a new reader cookie each time
        data = {
            "choice": first_choice(poll).pk,
            "csrfmiddlewaretoken": secret,
            "altcha": solved(script, poll),
        }
        statuses.append(script.post(vote_url(poll), data, headers=HTMX).status_code)
    assert statuses == [200] * 5 + [429] * 3
    assert counts(poll) == (5, [5, 0])
    assert Vote.objects.filter(poll=poll).count() == 5


def test_a_reader_who_voted_is_told_so_on_a_busy_poll(settings):
    poll = make_poll(answers=("Yes", "No"))
    reader = Client(REMOTE_ADDR="198.51.100.5")
    reader.get(ballot_url(poll))
    reader.post(vote_url(poll), {"choice": first_choice(poll).pk})
    make_busy(poll, settings)
    response = reader.post(vote_url(poll), {"choice": first_choice(poll).pk}, follow=True)
    assert "You have already voted in this poll." in response.content.decode()
    assert counts(poll) == (4, [4, 0])


def test_a_signed_in_reader_is_not_asked(settings, client, reader):
    poll = make_poll(answers=("Yes", "No"))
    make_busy(poll, settings)
    client.force_login(reader)
    assert "<altcha-widget" not in client.get(ballot_url(poll)).content.decode()
    assert client.post(vote_url(poll), {"choice": first_choice(poll).pk}).status_code == 302
    assert counts(poll) == (4, [4, 0])


def test_the_challenge_is_private_json_for_a_public_poll(client):
    poll = make_poll(answers=("Yes", "No"))
    response = client.get(challenge_url(poll))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["parameters"]["data"] == {"scope": f"poll:{poll.pk}"}
    assert body["parameters"]["algorithm"] == "SHA-256" and body["signature"]
    missing = reverse("polls:challenge", kwargs={"slug": "no-such-poll"})
    assert client.get(missing).status_code == 404
    assert client.post(challenge_url(poll)).status_code == 405


def test_the_busy_message_is_in_russian(settings):
    poll = make_poll(answers=("Yes", "No"))
    make_busy(poll, settings)
    with translation.override("ru"):
        ballot, url = ballot_url(poll), vote_url(poll)
    assert url.startswith("/ru/")
    reader = Client(REMOTE_ADDR="198.51.100.5")
    page = reader.get(ballot).content.decode()
    assert 'language="ru"' in page and "vendor/altcha/i18n-ru.js" in page
    response = reader.post(url, {"choice": first_choice(poll).pk})
    assert response.status_code == 429
    assert "Сейчас в этом опросе много голосов" in response.content.decode()


def test_each_refusal_of_a_vote_says_why_with_its_status_and_the_check(settings):
    """The answers a refused anonymous vote gets, as a page and as an htmx fragment."""
    settings.VOTES_PER_ADDRESS_PER_POLL_PER_DAY = 2
    settings.VOTES_WITHOUT_CHALLENGE_PER_ADDRESS_PER_POLL_PER_DAY = 1
    poll = make_poll(answers=("Yes", "No"))

    def vote(address, headers=None, **data):
        reader = Client(REMOTE_ADDR=address)
        reader.get(ballot_url(poll))
        if data.pop("solve", False):
            data["altcha"] = solved(reader, poll)
        choice = first_choice(poll).pk
        return reader.post(vote_url(poll), {"choice": choice, **data}, headers=headers)

    def said(response):
        return response.status_code, response.get("Retry-After"), response.content.decode()

    assert vote("203.0.113.62").status_code == 302
    status, retry, page = said(vote("203.0.113.62"))
    assert (status, retry) == (429, "60") and "<altcha-widget" in page
    assert "Many votes in this poll came from your network today" in page
    assert vote("203.0.113.62", solve=True).status_code == 302
    status, retry, page = said(vote("203.0.113.62", solve=True))
    assert status == 429 and int(retry) > 60
    assert "Too many votes in this poll from your network today" in page

    make_busy(poll, settings)
    status, retry, page = said(vote("198.51.100.62", headers=HTMX))
    assert (status, retry) == (429, "60") and "<html" not in page and "<altcha-widget" in page
    assert "Many votes are arriving in this poll right now" in page
    status, _, page = said(vote("198.51.100.62", altcha="e30="))
    assert status == 400 and "The check did not pass: your vote was not counted" in page
    settings.ALTCHA_EXPIRES_SECONDS = -60
    status, _, page = said(vote("198.51.100.62", solve=True))
    assert status == 400 and "The check expired: your vote was not counted" in page
    assert "<altcha-widget" in page
    assert counts(poll)[0] == 2 + 3

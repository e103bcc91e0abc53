"""Past its free subscribe requests of the hour, a client address goes on only with the
proof-of-work check (ALTCHA, as on busy polls): the form comes back asking for it, a valid
and unused solution is accepted up to the hard cap, a replayed, forged or expired one is
refused, and still nothing is sent inside the request, whatever the address typed."""

import datetime as dt
import json
import re

import altcha
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.newsletter.models import ConfirmationMail, SubscribeRequest
from tests.factories import make_poll
from tests.newsletter.conftest import make_subscriber
from tests.newsletter.test_subscribe import FORM
from tests.tasks import run_worker, waiting

pytestmark = pytest.mark.django_db

FREE = 2
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
HARD = 5


@pytest.fixture(autouse=True)
def _small_caps(settings, database_tasks):
    settings.ALTCHA_MAX_NUMBER = 500
    settings.WRITE_RATE_LIMIT = 0
    settings.SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = FREE
    settings.SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR = HARD


def solved(client):
    """What the widget posts: a challenge fetched from the site, solved with the altcha
    library's own solver."""
    response = client.get(reverse("newsletter:challenge"))
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


def use_free_requests(client):
    for number in range(FREE):
        response = client.post("/newsletter/", {**FORM, "email": f"free{number}@example.org"})
        assert response.status_code == 302


def test_past_the_free_requests_the_form_asks_for_the_check_and_sends_nothing(client):
    assert "<altcha-widget" not in client.get("/newsletter/").content.decode()
    use_free_requests(client)
    response = client.post("/newsletter/", {**FORM, "email": "third@example.org"})
    page = response.content.decode()
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "needs a short check that your browser solves" in page
    assert "<altcha-widget" in page and reverse("newsletter:challenge") in page
    assert "vendor/altcha/altcha.min.js" in page
    assert "<noscript>" in page and "This check needs JavaScript" in page
    assert "third@example.org" in page  # the form, as typed
    assert "third@example.org" not in SubscribeRequest.objects.values_list("email", flat=True)
    # The newsletter page itself now carries the check too.
    assert "<altcha-widget" in client.get("/newsletter/").content.decode()
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "free0@example.org",
        "free1@example.org",
    ]


def test_a_solved_check_is_accepted_once_and_its_replay_is_refused(client):
    use_free_requests(client)
    payload = solved(client)
    response = client.post(
        "/newsletter/", {**FORM, "email": "third@example.org", "altcha": payload}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check-inbox")
    assert mail.outbox == [] and waiting() == FREE + 1  # queued, not sent from here

    replayed = client.post(
        "/newsletter/", {**FORM, "email": "fourth@example.org", "altcha": payload}
    )
    assert replayed.status_code == 400
    assert "This check was used already, so no mail was sent" in replayed.content.decode()
    assert "<altcha-widget" in replayed.content.decode()
    # From another client address (another process, another machine): refused as well.
    other = Client(REMOTE_ADDR="198.51.100.9")
    use_free_requests(other)
    again = other.post("/newsletter/", {**FORM, "email": "fifth@example.org", "altcha": payload})
    assert again.status_code == 400
    emails = set(SubscribeRequest.objects.values_list("email", flat=True))
    assert "third@example.org" in emails
    assert not emails & {"fourth@example.org", "fifth@example.org"}


def test_a_forged_junk_expired_or_polls_check_is_refused_not_a_500(client, settings):
    use_free_requests(client)
    poll = make_poll(answers=("Yes", "No"))
    response = client.get(reverse("polls:challenge", kwargs={"slug": poll.slug}))
    challenge = altcha.Challenge.from_dict(json.loads(response.content))
    for_a_poll = altcha.Payload(challenge, altcha.solve_challenge(challenge, timeout=30))

    made_up = altcha.Payload.from_base64(solved(client))
    made_up.solution.derived_key = "00" * 32
    tampered = altcha.Payload.from_base64(solved(client))
    tampered.challenge.parameters.data = {"scope": "elsewhere"}
    for payload in (
        for_a_poll.to_base64(),
        made_up.to_base64(),
        tampered.to_base64(),
        "junk",
        "x" * 10_000,
    ):
        response = client.post("/newsletter/", {**FORM, "altcha": payload})
        assert response.status_code == 400, payload[:40]
        assert "The check did not pass, so no mail was sent" in response.content.decode()

    settings.ALTCHA_EXPIRES_SECONDS = -60  # issued already expired
    stale = solved(client)
    response = client.post("/newsletter/", {**FORM, "altcha": stale})
    assert response.status_code == 400
    assert "The check expired, so no mail was sent" in response.content.decode()
    assert SubscribeRequest.objects.count() == FREE


def test_solved_checks_count_up_to_the_hard_cap_then_the_plain_refusal(client, clock):
    clock.move_to(dt.datetime(2026, 3, 10, 10, 0, 5, tzinfo=dt.UTC))
    use_free_requests(client)
    # Refusals for want of the check use up nothing: a reader without JavaScript may try.
    for _ in range(3):
        assert client.post("/newsletter/", FORM).status_code == 429
    for number in range(HARD - FREE):
        data = {**FORM, "email": f"checked{number}@example.org", "altcha": solved(client)}
        assert client.post("/newsletter/", data).status_code == 302
    refused = client.post("/newsletter/", {**FORM, "altcha": solved(client)})
    page = refused.content.decode()
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Too many subscription requests have come from your network" in page
    assert "<altcha-widget" not in page  # the check cannot help any more
    assert "<altcha-widget" not in client.get("/newsletter/").content.decode()
    assert client.post("/newsletter/", FORM).status_code == 429
    assert SubscribeRequest.objects.count() == HARD

    clock.shift(dt.timedelta(hours=1))  # a new hour: free requests again
    assert client.post("/newsletter/", FORM).status_code == 302


def test_the_answer_under_the_check_is_the_same_whatever_the_address(client):
    make_subscriber("confirmed@example.org")
    make_subscriber("pending@example.org", state="pending")
    make_subscriber("gone@example.org", state="suppressed")
    use_free_requests(client)
    answers = set()
    for address in ("new@example.org", "confirmed@example.org", "pending@example.org"):
        response = client.post("/newsletter/", {**FORM, "email": address}, follow=True)
        page = CSRF_TOKEN.sub("", response.content.decode()).replace(address, "")
        answers.add((response.status_code, page))
    assert len(answers) == 1 and answers.pop()[0] == 429
    answers = set()
    for address in ("new@example.org", "confirmed@example.org", "gone@example.org"):
        response = client.post("/newsletter/", {**FORM, "email": address, "altcha": solved(client)})
        answers.add((response.status_code, response["Location"]))
    assert answers == {(302, reverse("newsletter:check-inbox"))}
    assert mail.outbox == []


def test_without_a_hard_cap_above_the_free_one_no_check_is_offered(client, settings):
    settings.SUBSCRIBE_REQUESTS_WITH_CHECK_PER_CLIENT_PER_HOUR = FREE
    use_free_requests(client)
    response = client.post("/newsletter/", FORM)
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "<altcha-widget" not in response.content.decode()


def test_the_check_in_russian(client):
    use_free_requests(client)
    response = client.post("/ru/newsletter/", FORM)
    page = response.content.decode()
    assert response.status_code == 429
    assert "поэтому письмо не отправлено" in page and "короткую проверку" in page
    assert 'language="ru"' in page and "vendor/altcha/i18n-ru.js" in page
    assert "Для этой проверки нужен JavaScript" in page
    payload = solved(client)
    assert client.post("/ru/newsletter/", {**FORM, "altcha": payload}).status_code == 302
    replayed = client.post("/ru/newsletter/", {**FORM, "altcha": payload})
    assert "Эта проверка уже была использована" in replayed.content.decode()


def test_the_challenge_is_private_json(client):
    response = client.get(reverse("newsletter:challenge"))
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["parameters"]["data"] == {"scope": "subscribe"}
    assert client.post(reverse("newsletter:challenge")).status_code == 405


def _sent_confirmations(count):
    subscriber = make_subscriber("busy@example.org")
    ConfirmationMail.objects.bulk_create(
        ConfirmationMail(subscriber=subscriber, sent_at=timezone.now() - dt.timedelta(minutes=5))
        for _ in range(count)
    )


def test_a_busy_site_asks_every_network_for_the_check_from_its_first_request(settings, client):
    settings.SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR = 4
    _sent_confirmations(4)
    assert "<altcha-widget" in client.get("/newsletter/").content.decode()
    response = client.post("/newsletter/", {**FORM, "email": "first@example.org"})
    assert response.status_code == 429
    assert "needs a short check that your browser solves" in response.content.decode()
    assert not SubscribeRequest.objects.exists()
    response = client.post(
        "/newsletter/", {**FORM, "email": "first@example.org", "altcha": solved(client)}
    )
    assert response.status_code == 302
    assert SubscribeRequest.objects.get().email == "first@example.org"


def test_below_the_busy_mark_and_after_the_hour_a_network_has_its_free_requests(settings, client):
    settings.SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR = 4
    _sent_confirmations(3)
    assert client.post("/newsletter/", {**FORM, "email": "a@example.org"}).status_code == 302
    ConfirmationMail.objects.update(sent_at=timezone.now() - dt.timedelta(minutes=61))
    settings.SUBSCRIBE_CHECK_FOR_ALL_PER_HOUR = 1
    assert client.post("/newsletter/", {**FORM, "email": "b@example.org"}).status_code == 302

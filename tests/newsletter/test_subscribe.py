"""Subscribing: the footer and /newsletter/ forms, double opt-in, the same answer whatever
the address's state, one mail per address per ten minutes, and bad input."""

import datetime as dt
import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from dialogue_portal.newsletter import tokens
from dialogue_portal.newsletter.models import CONSENT_VERSION, Subscriber, hash_address
from tests.factories import make_topic
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db

FORM = {"email": "reader@example.org", "language": "en", "frequency": "weekly", "consent": "on"}


def path_of(url):
    return "/" + url.split("/", 3)[3]


def confirm_link(message):
    return re.search(r"https?://\S+/newsletter/confirm/[^/\s]+/", message.body).group(0)


def test_the_footer_of_every_page_has_the_form_without_a_csrf_token(client):
    for path in ("/", "/publications/", "/ru/"):
        page = client.get(path).content.decode()
        assert 'action="/newsletter/"' in page or 'action="/ru/newsletter/"' in page
        footer = page[page.index('class="newsletter-box"') :]
        assert "csrfmiddlewaretoken" not in footer  # the page stays cacheable for everyone
        assert 'name="consent"' in footer and "hx-get" in footer


def test_the_footer_token_fragment_is_private(client):
    response = client.get("/newsletter/form-token/")
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_newsletter_page_in_both_languages(client, prefix):
    make_topic(name="Arms Control", name_ru="Контроль над вооружениями")
    response = client.get(f"{prefix}/newsletter/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Контроль над вооружениями" in page if prefix else "Arms Control" in page
    assert 'name="topics"' in page and 'name="consent"' in page


def test_subscribing_sends_one_confirmation_mail_and_nothing_else(client):
    topic = make_topic()
    response = client.post("/newsletter/", {**FORM, "topics": [topic.pk]})
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.state == "pending"
    assert subscriber.email == "reader@example.org"
    assert list(subscriber.topics.all()) == [topic]
    assert subscriber.consent_version == CONSENT_VERSION
    assert subscriber.consent_language == "en"
    assert subscriber.consent_at is not None
    assert subscriber.consent_source == "/newsletter/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "List-Unsubscribe" not in message.extra_headers  # not on the confirmation
    link = confirm_link(message)
    assert "reader" not in link
    assert "%40" not in link and "@" not in link  # the link holds no address


def test_the_footer_form_records_where_consent_was_given(client):
    client.post("/ru/newsletter/", {**FORM, "language": "ru", "source": "/ru/publications/"})
    subscriber = Subscriber.objects.get()
    assert subscriber.consent_source == "/ru/publications/"
    assert subscriber.consent_language == "ru"
    assert "Подтвердите" in mail.outbox[0].subject


def test_the_answer_is_the_same_whatever_the_state_of_the_address(client):
    answers = set()
    for state in ("pending", "confirmed", "unsubscribed", "suppressed", "erased"):
        make_subscriber(f"{state}@example.org", state=state)
    for address in (
        "new@example.org",
        "pending@example.org",
        "confirmed@example.org",
        "unsubscribed@example.org",
        "suppressed@example.org",
        "erased@example.org",
    ):
        response = client.post("/newsletter/", {**FORM, "email": address}, follow=True)
        answers.add((response.status_code, response.redirect_chain[0][0], response.content))
    assert len(answers) == 1


def test_erased_and_suppressed_addresses_are_never_mailed(client):
    make_subscriber("gone@example.org", state="erased")
    make_subscriber("bounced@example.org", state="suppressed")
    client.post("/newsletter/", {**FORM, "email": "GONE@example.org"})
    client.post("/newsletter/", {**FORM, "email": "bounced@example.org"})
    assert mail.outbox == []
    assert Subscriber.objects.get(address_hash=hash_address("gone@example.org")).email is None


def test_a_confirmed_address_given_again_gets_its_preference_link_not_a_confirmation(client):
    make_subscriber("confirmed@example.org")
    client.post("/newsletter/", {**FORM, "email": "confirmed@example.org"})
    assert len(mail.outbox) == 1
    assert "/newsletter/manage/" in mail.outbox[0].body
    assert "/newsletter/confirm/" not in mail.outbox[0].body
    assert Subscriber.objects.get().state == "confirmed"


def test_at_most_one_mail_per_address_per_ten_minutes(client):
    for _ in range(3):
        client.post("/newsletter/", FORM)
    assert len(mail.outbox) == 1
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - dt.timedelta(minutes=11))
    client.post("/newsletter/", FORM)
    assert len(mail.outbox) == 2
    # The newer link replaces the older one.
    old, new = confirm_link(mail.outbox[0]), confirm_link(mail.outbox[1])
    assert client.get(path_of(old)).status_code == 400
    assert client.get(path_of(new)).status_code == 200


def test_the_form_is_rate_limited_per_client(client, settings):
    settings.WRITE_RATE_LIMIT = 3
    codes = [
        client.post("/newsletter/", {**FORM, "email": f"r{n}@example.org"}).status_code
        for n in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Subscriber.objects.count() == 3


def test_csrf_is_required(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/newsletter/", FORM).status_code == 403
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_the_footer_form_without_a_token_lands_on_the_newsletter_page_filled_in(db):
    """A reader without JavaScript posts the footer form with no CSRF token: nothing is
    stored, and the newsletter page asks them to send it once more, entries kept."""
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/ru/newsletter/", {**FORM, "language": "both", "source": "/ru/"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'value="reader@example.org"' in page
    assert '<option value="both" selected>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "ещё раз" in page
    assert Subscriber.objects.count() == 0 and mail.outbox == []
    # Sent again from that page, with its token: subscribed.
    token = response.context["csrf_token"]
    again = strict.post(
        "/ru/newsletter/",
        {**FORM, "csrfmiddlewaretoken": str(token), "source": "/ru/"},
        follow=False,
    )
    assert again.status_code == 302
    assert Subscriber.objects.get().state == "pending"


def test_other_csrf_failures_get_djangos_page(db, superuser):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert b"CSRF" in response.content


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "reader@example.org\r\nBcc: victim@example.org"}, "email"),
        ({"email": "reader@example.org\n"}, "email"),
        ({"email": "reader@example.org\r"}, "email"),
        ({"language": "en\r\nX-Injected: 1"}, "language"),
        ({"language": "de"}, "language"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "weekly\n"}, "frequency"),
        ({"source": "/x\r\nBcc: a@b.c"}, "source"),
        ({"consent": ""}, "consent"),
        ({"topics": ["999999"]}, "topics"),
        ({"topics": ["abc"]}, "topics"),
        ({"topics": ["99999999999999999999999999"]}, "topics"),
        ({"topics": ["-1"]}, "topics"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_stored_or_sent(client, changes, field):
    make_topic()
    response = client.post("/newsletter/", {**FORM, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Subscriber.objects.count() == 0
    assert mail.outbox == []


def test_an_overlong_address_is_a_form_error(client):
    response = client.post("/newsletter/", {**FORM, "email": "a" * 250 + "@example.org"})
    assert response.status_code == 400


# --- confirmation -----------------------------------------------------------------------


def subscribe_and_get_path(client, **changes):
    client.post("/newsletter/", {**FORM, **changes})
    return path_of(confirm_link(mail.outbox[-1]))


def test_the_confirmation_link_shows_a_button_and_a_get_changes_nothing(client):
    path = subscribe_and_get_path(client)
    response = client.get(path)
    assert response.status_code == 200
    assert b"Confirm my subscription" in response.content
    assert Subscriber.objects.get().state == "pending"


def test_confirming_by_post_then_the_link_is_spent(client):
    path = subscribe_and_get_path(client)
    response = client.post(path)
    assert response.status_code == 302
    assert "/newsletter/manage/" in response["Location"]
    subscriber = Subscriber.objects.get()
    assert subscriber.state == "confirmed" and subscriber.confirmed_at is not None
    again = client.post(path)
    assert again.status_code == 400
    assert b"already been used" in again.content
    assert client.get(path).status_code == 400


def test_a_russian_confirmation_goes_to_russian_pages(client):
    path = subscribe_and_get_path(client, language="ru")
    assert path.startswith("/ru/newsletter/confirm/")
    assert "Подтвердить" in client.get(path).content.decode()


def test_an_expired_link_changes_nothing(client, monkeypatch):
    path = subscribe_and_get_path(client)
    later = timezone.now() + dt.timedelta(hours=73)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    response = client.post(path)
    assert response.status_code == 400
    assert b"expired" in response.content
    assert Subscriber.objects.get().state == "pending"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "x" + token,
        lambda token: "junk",
        lambda token: signing.dumps({"s": 1, "n": "guess"}, salt="another-salt"),
        lambda token: signing.dumps({"s": "1", "n": "x"}, salt=tokens.CONFIRM_SALT),
        lambda token: signing.dumps([1, 2], salt=tokens.CONFIRM_SALT),
    ],
)
def test_a_tampered_link_changes_nothing(client, mangle):
    path = subscribe_and_get_path(client)
    token = path.rstrip("/").rsplit("/", 1)[1]
    bad = path.replace(token, mangle(token))
    assert client.get(bad).status_code == 400
    assert client.post(bad).status_code == 400
    assert Subscriber.objects.get().state == "pending"


def test_a_forged_nonce_for_a_real_subscriber_is_refused(client):
    subscribe_and_get_path(client)
    subscriber = Subscriber.objects.get()
    forged = signing.dumps({"s": subscriber.pk, "n": "guessed"}, salt=tokens.CONFIRM_SALT)
    assert client.post(f"/newsletter/confirm/{forged}/").status_code == 400
    assert Subscriber.objects.get().state == "pending"


def test_an_smtp_server_that_is_down_changes_the_answer_in_nothing(client, smtp_down):
    response = client.post("/newsletter/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    subscriber = Subscriber.objects.get()
    assert subscriber.state == "pending"
    assert subscriber.confirmation_sent_at is None  # the reader may ask again at once

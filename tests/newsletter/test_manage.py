"""The preference page by signed link (no login), download my data, erase me, and the
one-click unsubscribe of RFC 8058."""

import json

import pytest
from django.core import mail, signing
from django.test import Client

from dialogue_portal.newsletter import services, tokens
from dialogue_portal.newsletter.models import Delivery, Subscriber, hash_address
from tests.factories import make_topic
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    return make_subscriber("reader@example.org", topics=[make_topic(name="Security")])


def manage_url(subscriber, prefix=""):
    return f"{prefix}/newsletter/manage/{tokens.manage_token(subscriber)}/"


def unsubscribe_url(subscriber):
    return f"/newsletter/unsubscribe/{tokens.manage_token(subscriber)}/"


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_the_preference_page_shows_the_choices(client, subscriber, prefix):
    response = client.get(manage_url(subscriber, prefix))
    assert response.status_code == 200
    page = response.content.decode()
    assert "reader@example.org" in page
    assert response.context["form"].initial["frequency"] == "weekly"
    assert response.context["form"].initial["topics"] == [subscriber.topics.get().pk]
    assert ("Ваша подписка" in page) if prefix else ("Your newsletter subscription" in page)
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_changing_language_topics_and_frequency(client, subscriber):
    economy = make_topic(name="Economy")
    response = client.post(
        manage_url(subscriber), {"language": "both", "frequency": "each", "topics": [economy.pk]}
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.frequency) == ("both", "each")
    assert list(subscriber.topics.all()) == [economy]
    # No topics at all: every topic.
    client.post(manage_url(subscriber), {"language": "en", "frequency": "weekly"})
    assert subscriber.topics.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"language": "xx", "frequency": "each"},
        {"language": "en", "frequency": "each", "topics": ["424242"]},
        {"language": "en", "frequency": "each", "topics": ["1 OR 1=1"]},
        {"language": "en\r\n", "frequency": "each"},
        {"language": "en", "frequency": "each\nBcc: x@example.org"},
    ],
)
def test_bad_preferences_are_form_errors_and_change_nothing(client, subscriber, data):
    response = client.post(manage_url(subscriber), data)
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.frequency) == ("en", "weekly")
    assert subscriber.topics.count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "junk",
        "x" * 300,
        signing.dumps({"s": 1, "k": "guess"}, salt=tokens.MANAGE_SALT),
        signing.dumps({"s": 1, "k": "guess"}, salt=tokens.CONFIRM_SALT),
    ],
    # Named, not shown: a signed token holds the time it was made, and parallel workers
    # must collect the same test ids.
    ids=["junk", "too-long", "guessed-key", "confirmation-salt"],
)
def test_a_bad_link_shows_a_clear_page_and_changes_nothing(client, subscriber, token):
    for path in (
        f"/newsletter/manage/{token}/",
        f"/newsletter/manage/{token}/data.json",
        f"/newsletter/unsubscribe/{token}/",
    ):
        response = client.get(path)
        assert response.status_code == 400
        assert b"not valid" in response.content
    assert client.post(f"/newsletter/manage/{token}/", {"language": "ru"}).status_code == 400
    assert client.post(f"/newsletter/manage/{token}/erase/").status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed" and subscriber.language == "en"


def test_a_confirmation_link_is_not_a_preference_link(client, subscriber):
    subscriber.confirm_nonce = "abc"
    subscriber.save()
    confirm = tokens.confirm_token(subscriber)
    assert client.get(f"/newsletter/manage/{confirm}/").status_code == 400


def test_download_my_data(client, subscriber):
    Delivery.objects.create(subscriber=subscriber, key="digest:2026-W47", status="sent")
    response = client.get(f"{manage_url(subscriber)}data.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["email"] == "reader@example.org"
    assert data["topics"] == ["Security"]
    assert data["consent"]["text_version"] == subscriber.consent_version
    assert data["consent"]["given_on"] == "/newsletter/"
    assert data["deliveries"][0]["what"] == "digest:2026-W47"


def test_erase_me_leaves_only_the_hash_and_the_address_is_never_mailed_again(client, subscriber):
    Delivery.objects.create(subscriber=subscriber, key="digest:2026-W47", status="sent")
    url = manage_url(subscriber)
    assert client.get(f"{url}erase/").status_code == 405  # no change on GET
    response = client.post(f"{url}erase/")
    assert response.status_code == 200
    row = Subscriber.objects.get()
    assert row.email is None and row.state == "erased"
    assert row.address_hash == hash_address("reader@example.org")
    assert row.consent_at is None and row.consent_source == "" and row.topics.count() == 0
    assert Delivery.objects.count() == 0
    # Every old link is dead, and subscribing again mails nothing.
    assert client.get(url).status_code == 400
    client.post(
        "/newsletter/",
        {"email": "Reader@Example.org", "language": "en", "frequency": "each", "consent": "on"},
    )
    assert mail.outbox == []
    assert Subscriber.objects.count() == 1


def test_unsubscribe_get_only_shows_a_button(client, subscriber):
    response = client.get(unsubscribe_url(subscriber))
    assert response.status_code == 200
    assert b'<form method="post">' in response.content
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed"


def test_one_click_unsubscribe_needs_no_cookie_and_no_csrf_token(subscriber):
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        unsubscribe_url(subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.state == "unsubscribed" and subscriber.unsubscribed_at
    # Twice is fine.
    assert mail_client.post(unsubscribe_url(subscriber)).status_code == 200


def test_one_click_with_a_bad_token_answers_400(subscriber):
    mail_client = Client(enforce_csrf_checks=True)
    good = tokens.manage_token(subscriber)
    for token in ("junk", good[:-3] + "abc", good + "x"):
        response = mail_client.post(f"/newsletter/unsubscribe/{token}/")
        assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed"


def test_only_the_unsubscribe_view_is_exempt_from_csrf(subscriber):
    strict = Client(enforce_csrf_checks=True)
    url = manage_url(subscriber)
    assert strict.post(url, {"language": "ru", "frequency": "each"}).status_code == 403
    assert strict.post(f"{url}erase/").status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed"


def test_unsubscribed_readers_get_nothing_but_may_subscribe_again(client, subscriber):
    services.unsubscribe(subscriber)
    client.post(
        "/newsletter/",
        {"email": "reader@example.org", "language": "en", "frequency": "each", "consent": "on"},
    )
    assert len(mail.outbox) == 1 and "/newsletter/confirm/" in mail.outbox[0].body
    subscriber.refresh_from_db()
    assert subscriber.state == "pending"

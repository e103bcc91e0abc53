"""The one entry point: who, what, which object, when and from which address."""

import time

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory, override_settings

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.audit.services import object_label, record
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


def test_a_row_says_who_what_which_object_when_and_where(editor):
    publication = make_publication(title="Arms control")
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = editor
    entry = record(Action.PUBLISHED, request=request, target=publication, detail="by hand")
    entry.refresh_from_db()
    assert entry.actor == editor and entry.actor_name == "editor"
    assert entry.action == "published"
    assert entry.content_type == ContentType.objects.get_for_model(publication)
    assert entry.object_id == str(publication.pk) and entry.object_label == "Arms control"
    assert entry.ip == "203.0.113.9" and entry.detail == "by hand"
    assert abs(entry.created_at.timestamp() - time.time()) < 60


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_address_is_the_one_clientip_trusts_behind_the_proxy(editor):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    request.user = editor
    assert record(Action.SIGNED_IN, request=request).ip == "203.0.113.7"


def test_a_label_is_never_an_address(django_user_model):
    user = django_user_model.objects.create_user("someone@example.org", password="x-123456789")
    assert object_label(user) == f"user #{user.pk}"
    assert object_label(Group(pk=3, name="Write to boss@example.org")) == "group #3"
    entry = record(Action.PASSWORD_CHANGED, target=user)
    assert "@" not in entry.object_label


def test_the_username_text_stays_when_the_account_goes(editor):
    entry = record(Action.SIGNED_IN, actor=editor)
    editor.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_name == "editor"


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        record("became-king")
    assert not Entry.objects.exists()


def test_anonymous_keeps_neither_the_request_nor_its_address(editor):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = editor
    entry = record(Action.SUBSCRIBER_ERASED, request=request, anonymous=True)
    assert entry.ip is None and entry.actor is None and entry.actor_name == ""

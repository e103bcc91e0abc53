"""Issue 26, point 4: subscribers' personal data and sending to everyone belong to the
"Newsletter managers", not to every editor; and erasing a subscriber removes the address
from everywhere the site stores it, the admin's change log and the audit trail included."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client

from dialogue_portal.audit.models import Entry
from dialogue_portal.newsletter import tokens
from dialogue_portal.newsletter.models import Delivery, Issue, Subscriber
from dialogue_portal.staff.models import AdminProfile
from tests.desk.helpers import post_form
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db

ADDRESS = "victim.reader@example.org"


@pytest.fixture
def issue():
    return Issue.objects.create(subject="November", slug="november", body="<p>Hello</p>")


def change_form(issue, **extra):
    return {
        "subject": issue.subject,
        "subject_ru": "",
        "slug": issue.slug,
        "body": issue.body,
        "body_ru": "",
        **extra,
    }


def test_the_group_holds_the_permissions_and_editors_do_not():
    managers = Group.objects.get(name="Newsletter managers")
    held = set(managers.permissions.values_list("codename", flat=True))
    assert {"manage_subscribers", "send_issue", "view_subscriber", "view_delivery"} <= held
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert not editors & {
        "manage_subscribers",
        "send_issue",
        "view_subscriber",
        "change_subscriber",
        "view_delivery",
    }
    assert {"add_issue", "change_issue", "view_issue"} <= editors  # they still compose


def test_an_editor_cannot_list_view_or_export_subscribers(editor_client):
    subscriber = make_subscriber(ADDRESS)
    Delivery.objects.create(subscriber=subscriber, key="issue:1", status="sent")
    for url in (
        "/admin/newsletter/subscriber/",
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/",
        "/admin/newsletter/delivery/",
    ):
        assert editor_client.get(url).status_code == 403, url
    response = editor_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    )
    assert response.status_code == 403
    index = editor_client.get("/admin/").content.decode()
    assert "/admin/newsletter/subscriber/" not in index
    assert "/admin/newsletter/delivery/" not in index
    assert "/admin/newsletter/issue/" in index  # issues are theirs
    assert ADDRESS not in editor_client.get("/admin/newsletter/").content.decode()


def test_model_permissions_alone_do_not_open_subscribers(editor, django_user_model):
    """Whoever is given "view subscriber" without the newsletter permission sees nothing."""
    make_subscriber(ADDRESS)
    editor.user_permissions.add(
        *apps.get_model("auth", "Permission").objects.filter(
            codename__in=["view_subscriber", "change_subscriber"]
        )
    )
    client = Client()
    client.force_login(django_user_model.objects.get(pk=editor.pk))
    assert client.get("/admin/newsletter/subscriber/").status_code == 403


def test_an_editor_cannot_send_to_everyone(editor_client, issue):
    make_subscriber(ADDRESS)
    page = editor_client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert 'name="_send_all"' not in page and 'name="_send_test"' in page
    response = post_form(
        editor_client,
        f"/admin/newsletter/issue/{issue.pk}/change/",
        change_form(issue, subject="Changed", _send_all="1"),
    )
    assert response.status_code == 403
    issue.refresh_from_db()
    assert issue.status == "draft" and issue.subject == "November"  # nothing saved either
    assert not Entry.objects.filter(action="sent-to-all").exists()


def test_a_manager_sends_to_everyone_and_exports_on_the_record(manager_client, issue):
    subscriber = make_subscriber(ADDRESS)
    page = manager_client.get(f"/admin/newsletter/issue/{issue.pk}/change/").content.decode()
    assert 'name="_send_all"' in page
    response = post_form(
        manager_client,
        f"/admin/newsletter/issue/{issue.pk}/change/",
        change_form(issue, _send_all="1"),
    )
    assert response.status_code == 302
    sent = Entry.objects.get(action="sent-to-all")
    assert sent.actor_name == "manager" and sent.object_label == "November"
    response = manager_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "export_csv", "_selected_action": [subscriber.pk]},
    )
    assert ADDRESS in response.content.decode()
    exported = Entry.objects.get(action="subscribers-exported")
    assert exported.actor_name == "manager" and exported.detail == "1 subscribers"
    assert ADDRESS not in exported.detail + exported.object_label


def test_no_subscriber_text_in_a_log_is_an_address(manager_client):
    subscriber = make_subscriber(ADDRESS)
    assert "@" not in str(subscriber)
    assert "@" not in str(Delivery(subscriber=subscriber, key="issue:1"))
    post_form(
        manager_client,
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/",
        {"language": "ru", "frequency": "weekly"},
    )
    entry = LogEntry.objects.get(object_id=str(subscriber.pk))
    assert entry.object_repr == f"subscriber #{subscriber.pk}"


def text_columns():
    """Every text column of every table the site has."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                yield model, field.name


def holding(text):
    return [
        f"{model._meta.label}.{name}"
        for model, name in text_columns()
        if model._default_manager.filter(**{f"{name}__icontains": text}).exists()
    ]


def test_after_erasure_the_address_is_nowhere_in_the_database(manager_client, superuser):
    subscriber = make_subscriber(ADDRESS)
    Delivery.objects.create(
        subscriber=subscriber, key="issue:1", status="retry", error=f"451 {ADDRESS}: try later"
    )
    # What an earlier version of the site left in the admin's change log: the address as the
    # object's text, and in the message.
    LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(Subscriber),
        object_id=str(subscriber.pk),
        object_repr=ADDRESS,
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["Topics"]}}, "note": "{ADDRESS}"}}]',
    )
    # A manager searching the audit trail for it, someone typing it as a username.
    post_form(
        manager_client,
        f"/admin/newsletter/subscriber/{subscriber.pk}/change/",
        {"language": "ru", "frequency": "weekly"},
    )
    Client(REMOTE_ADDR="203.0.113.30").post(
        "/admin/login/", {"username": ADDRESS, "password": "wrong"}
    )
    Entry.objects.create(action="audit-exported", actor_name="root", detail=f"q={ADDRESS}")
    assert set(holding(ADDRESS)) >= {
        "newsletter.Subscriber.email",
        "newsletter.Delivery.error",
        "admin.LogEntry.object_repr",
        "admin.LogEntry.change_message",
        "audit.Entry.actor_name",
        "audit.Entry.detail",
        "axes.AccessAttempt.username",
    }

    response = Client().post(f"/newsletter/manage/{tokens.manage_token(subscriber)}/erase/")
    assert response.status_code == 200

    assert holding(ADDRESS) == []
    assert holding("victim.reader") == []
    # The change log still reads as one (its message is still JSON), without the address.
    entry = LogEntry.objects.filter(object_repr="(erased)").get()
    assert entry.get_change_message()
    erased = Entry.objects.get(action="subscriber-erased")
    assert erased.object_label == f"erased subscriber #{subscriber.pk}"
    assert erased.ip is None and erased.actor is None  # the reader's own act: no address kept


def test_a_manager_erases_a_subscriber_after_a_confirmation_on_the_record(manager_client):
    subscriber = make_subscriber(ADDRESS)
    other = make_subscriber("kept.reader@example.org")
    chosen = {"action": "erase_selected", "_selected_action": [subscriber.pk]}
    page = manager_client.post("/admin/newsletter/subscriber/", chosen)
    assert page.status_code == 200
    assert "This cannot be undone" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email == ADDRESS  # asked, not done
    response = manager_client.post("/admin/newsletter/subscriber/", {**chosen, "post": "yes"})
    assert response.status_code == 302
    assert holding(ADDRESS) == []
    other.refresh_from_db()
    assert other.email == "kept.reader@example.org"
    erased = Entry.objects.get(action="subscriber-erased")
    assert erased.actor_name == "manager" and erased.object_id == str(subscriber.pk)
    assert erased.ip == "127.0.0.1"  # an editor's act keeps its address


def test_the_erase_page_in_russian(manager_client, newsletter_manager):
    AdminProfile.objects.create(user=newsletter_manager, admin_language="ru")
    subscriber = make_subscriber(ADDRESS)
    page = manager_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "erase_selected", "_selected_action": [subscriber.pk]},
    ).content.decode()
    assert "Отменить это нельзя" in page and "Да, удалить" in page


def test_an_editor_cannot_erase_through_the_admin(editor_client):
    subscriber = make_subscriber(ADDRESS)
    response = editor_client.post(
        "/admin/newsletter/subscriber/",
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )
    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.email == ADDRESS

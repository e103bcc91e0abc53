"""Sign-ins, failures, and changes to accounts reach the trail however they are made."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from dialogue_portal.audit.models import Entry

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


def actions():
    return list(Entry.objects.order_by("pk").values_list("action", "actor_name", "detail"))


def test_a_sign_in_and_a_failure_with_the_address(editor):
    Entry.objects.all().delete()
    client = Client(REMOTE_ADDR="203.0.113.20")
    client.post(LOGIN, {"username": "editor", "password": "wrong-one"})
    client.post(LOGIN, {"username": "nobody", "password": "wrong-two"})
    client.post(LOGIN, {"username": "editor", "password": "pw-editor-123!"})
    rows = list(Entry.objects.order_by("pk"))
    assert [(r.action, r.actor_name, r.actor_id) for r in rows] == [
        ("sign-in-failed", "editor", editor.pk),
        ("sign-in-failed", "nobody", None),
        ("signed-in", "editor", editor.pk),
    ]
    assert {r.ip for r in rows} == {"203.0.113.20"}
    assert "wrong" not in str([(r.detail, r.object_label) for r in rows])  # no password kept


def test_a_password_change_in_the_admin_names_who_and_whose(superuser, editor):
    client = Client(REMOTE_ADDR="203.0.113.21")
    client.force_login(superuser)
    Entry.objects.all().delete()
    response = client.post(
        f"/admin/auth/user/{editor.pk}/password/",
        {"password1": "A-new-long-pass-42", "password2": "A-new-long-pass-42"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get(action="password-changed")
    assert entry.actor == superuser and entry.object_id == str(editor.pk)
    assert entry.object_label == "editor" and entry.ip == "203.0.113.21"


def test_a_rehash_on_sign_in_is_not_a_password_change(editor):
    Entry.objects.all().delete()
    editor.set_password("pw-editor-123!")
    editor.save(update_fields=["password"])  # what Django does when it upgrades a hash
    assert not Entry.objects.filter(action="password-changed").exists()
    editor.set_password("another-pw-123!")
    editor.save()
    assert Entry.objects.filter(action="password-changed").count() == 1


def test_superuser_and_staff_flags(editor, django_user_model):
    Entry.objects.all().delete()
    editor.is_superuser = True
    editor.save()
    editor.is_staff = False
    editor.is_superuser = False
    editor.save()
    editor.last_login = None
    editor.save(update_fields=["last_login"])  # not looked at
    assert actions() == [
        ("superuser-changed", "", "granted"),
        ("superuser-changed", "", "withdrawn"),
        ("staff-changed", "", "withdrawn"),
    ]
    django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-boss-123456!")
    assert Entry.objects.filter(
        action="superuser-changed", detail="created as superuser", object_label="boss"
    ).exists()


def test_group_membership_from_either_side(editor):
    Entry.objects.all().delete()
    reviewers = Group.objects.get(name="Reviewers")
    editor.groups.add(reviewers)
    reviewers.user_set.remove(editor)
    editor.groups.clear()
    rows = list(Entry.objects.order_by("pk").values_list("action", "object_label", "detail"))
    assert rows == [
        ("groups-changed", "editor", "added: Reviewers"),
        ("groups-changed", "editor", "removed: Reviewers"),
        ("groups-changed", "editor", "removed: Editors"),
    ]


def test_user_and_group_permissions(editor):
    Entry.objects.all().delete()
    publish = Permission.objects.get(codename="publish_publication")
    editor.user_permissions.add(publish)
    add = Permission.objects.get(codename="add_publication")
    editors = Group.objects.get(name="Editors")
    editors.permissions.remove(add)
    editors.permissions.add(add)
    assert actions() == [
        ("permissions-changed", "", "added: publications.publish_publication"),
        ("group-permissions-changed", "", "removed: publications.add_publication"),
        ("group-permissions-changed", "", "added: publications.add_publication"),
    ]
    assert Entry.objects.filter(object_label="Editors").count() == 2


def test_group_changes_in_the_admin_name_who_made_them(superuser):
    client = Client(REMOTE_ADDR="203.0.113.22")
    client.force_login(superuser)
    Entry.objects.all().delete()
    reviewers = Group.objects.get(name="Reviewers")
    kept = list(reviewers.permissions.values_list("pk", flat=True))
    add = Permission.objects.get(codename="add_publication")
    response = client.post(
        f"/admin/auth/group/{reviewers.pk}/change/",
        {"name": "Reviewers", "permissions": [*kept, add.pk]},
    )
    assert response.status_code == 302
    entry = Entry.objects.get(action="group-permissions-changed")
    assert entry.actor == superuser and entry.actor_name == "root"
    assert entry.ip == "203.0.113.22" and entry.object_label == "Reviewers"
    assert entry.detail == "added: publications.add_publication"

"""Staff sessions end: idle, too old, ended elsewhere (password changed, factor reset,
"log out everywhere"); the password reset by e-mail still asks for the second factor."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.staff.models import AdminProfile
from dialogue_portal.twofactor.models import RecoveryCodeDevice
from tests.factories import give_authenticator, totp_code
from tests.twofactor.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    return client


def is_out(client):
    response = client.get("/admin/")
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_an_idle_session_ends_after_the_idle_period(editor, settings, clock, received):
    settings.STAFF_SESSION_IDLE_MINUTES = 8 * 60
    client = signed_in(editor)
    clock.shift(dt.timedelta(hours=7, minutes=59))
    assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(hours=8, minutes=1))
    assert is_out(client)
    assert [k["reason"] for k in received.named("sessions_ended")] == ["idle"]


def test_a_used_session_still_ends_after_its_lifetime(editor, settings, clock, received):
    settings.STAFF_SESSION_IDLE_MINUTES = 8 * 60
    settings.STAFF_SESSION_MAX_HOURS = 12
    client = signed_in(editor)
    for _ in range(5):
        clock.shift(dt.timedelta(hours=2))
        assert client.get("/admin/").status_code == 200
    clock.shift(dt.timedelta(hours=2, minutes=1))
    assert is_out(client)
    assert [k["reason"] for k in received.named("sessions_ended")] == ["lifetime"]


def test_a_password_change_ends_every_other_session(
    editor, received, django_capture_on_commit_callbacks
):
    here, elsewhere = signed_in(editor), signed_in(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/admin/password_change/",
            {
                "old_password": "pw-editor-123!",
                "new_password1": "a-new-long-password-42",
                "new_password2": "a-new-long-password-42",
            },
        )
    assert response.status_code == 302
    assert here.get("/admin/").status_code == 200
    assert is_out(elsewhere)
    ended = received.named("sessions_ended")
    assert [(k["user"], k["reason"]) for k in ended] == [(editor, "password_changed")]


def test_log_out_everywhere_ends_every_session_this_one_too(editor, received):
    here, elsewhere = signed_in(editor), signed_in(editor)
    assert here.get(reverse("twofactor:logout-everywhere")).status_code == 405
    assert here.get("/admin/").status_code == 200
    page = here.get("/admin/").content.decode()
    assert 'action="/admin/2fa/logout-everywhere/"' in page
    response = here.post(reverse("twofactor:logout-everywhere"))
    assert response["Location"] == reverse("admin:login")
    assert is_out(here) and is_out(elsewhere)
    # Signing in again works as usual.
    again = signed_in(editor)
    assert again.get("/admin/").status_code == 200


def test_log_out_everywhere_needs_the_csrf_token(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(reverse("twofactor:logout-everywhere")).status_code == 403
    assert client.get("/admin/").status_code == 200


def test_the_header_control_is_in_russian_for_a_russian_admin(editor):
    AdminProfile.objects.create(user=editor, admin_language="ru")
    page = signed_in(editor).get("/admin/").content.decode()
    assert "Выйти везде" in page and "Безопасность входа" in page


def test_a_superuser_resets_a_lost_factor_and_the_persons_sessions_end(
    superuser, editor, received, django_capture_on_commit_callbacks
):
    victim_session = signed_in(editor)
    RecoveryCodeDevice.objects.create(user=editor, name="Recovery codes")
    admin_client = signed_in(superuser)
    url = reverse("admin:auth_user_reset_second_factor", args=[editor.pk])
    change = admin_client.get(reverse("admin:auth_user_change", args=[editor.pk]))
    assert url in change.content.decode()
    confirm = admin_client.get(url)  # asks, changes nothing
    assert confirm.status_code == 200
    assert TOTPDevice.objects.filter(user=editor).exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(url)
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not RecoveryCodeDevice.objects.filter(user=editor).exists()
    assert is_out(victim_session)
    [reset] = received.named("factor_reset")
    assert reset["user"] == editor and reset["by"] == superuser and reset["request"]
    assert [k["reason"] for k in received.named("sessions_ended")] == ["factor_reset"]
    # At the next sign-in the person sets up a new factor.
    client = Client()
    sign_in(client, "editor", "pw-editor-123!")
    assert client.get("/admin/")["Location"].startswith(reverse("twofactor:setup"))


def test_only_a_superuser_resets_a_factor(editor, reviewer, django_user_model):
    staff_manager = django_user_model.objects.create_user(
        "manager", "m@example.org", PASSWORD, is_staff=True
    )
    staff_manager.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_user", "view_user"])
    )
    give_authenticator(editor)
    client = signed_in(staff_manager)
    url = reverse("admin:auth_user_reset_second_factor", args=[editor.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=editor).exists()


def test_a_password_set_by_a_superuser_ends_the_persons_sessions(
    superuser, editor, django_capture_on_commit_callbacks
):
    victim_session = signed_in(editor)
    admin_client = signed_in(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:auth_user_password_change", args=[editor.pk]),
            {
                "usable_password": "true",
                "password1": "another-long-password-7",
                "password2": "another-long-password-7",
            },
        )
    assert response.status_code == 302
    assert is_out(victim_session)
    assert admin_client.get("/admin/").status_code == 200


def reset_link(message):
    return re.search(r"https?://\S+/admin/reset/\S+/", message.body).group(0)


def test_staff_reset_a_password_by_mail_and_still_need_the_second_factor(
    editor, settings, received, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.org"
    device = give_authenticator(editor)
    elsewhere = signed_in(editor)
    client = Client()
    login = client.get("/admin/login/").content.decode()
    assert 'href="/admin/password_reset/"' in login
    assert client.get("/admin/password_reset/").status_code == 200
    response = client.post(
        "/admin/password_reset/", {"email": "editor@example.org"}, HTTP_HOST="localhost"
    )
    assert response["Location"] == reverse("twofactor:password_reset_done")
    [message] = mail.outbox
    link = reset_link(message)
    assert link.startswith("https://portal.example.org/admin/reset/")
    assert "localhost" not in message.body  # SITE_URL, never the request's Host
    path = link.removeprefix("https://portal.example.org")
    form = client.get(path, follow=True)
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            form.redirect_chain[-1][0],
            {"new_password1": "brand-new-password-99", "new_password2": "brand-new-password-99"},
        )
    assert done["Location"] == reverse("twofactor:password_reset_complete")
    assert is_out(elsewhere)
    assert [k["reason"] for k in received.named("sessions_ended")] == ["password_reset"]
    # The new password is only the first step.
    sign_in(client, "editor", "brand-new-password-99")
    assert client.get("/admin/")["Location"].startswith(reverse("twofactor:verify"))
    client.post(reverse("twofactor:verify"), {"code": totp_code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_reset_mail_is_in_the_persons_admin_language(editor):
    AdminProfile.objects.create(user=editor, admin_language="ru")
    Client().post("/admin/password_reset/", {"email": "editor@example.org"})
    [message] = mail.outbox
    assert "Сброс пароля" in message.subject
    assert "второй фактор" in message.body


def test_readers_get_no_reset_mail(reader):
    response = Client().post("/admin/password_reset/", {"email": "reader@example.org"})
    assert response.status_code == 302  # the same answer as for anyone
    assert mail.outbox == []


def test_the_reset_pages_are_in_russian_for_a_russian_browser():
    page = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/admin/password_reset/").content.decode()
    assert "<title>Восстановление пароля" in page

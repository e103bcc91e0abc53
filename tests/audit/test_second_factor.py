"""The second factor's events reach the audit trail: a factor added, a wrong code, a
recovery code used, a superuser's reset and the sessions it ended, each with who, whom
and the address."""

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from dialogue_portal.audit.models import Entry
from tests.factories import give_authenticator
from tests.twofactor.conftest import sign_in

pytestmark = pytest.mark.django_db

SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")


@pytest.fixture
def staff(django_user_model, editorial_groups):
    return django_user_model.objects.create_user(
        "newcomer", "newcomer@example.org", "pw-staff-123!", is_staff=True
    )


def rows(action):
    return list(Entry.objects.filter(action=action).order_by("pk"))


def test_enrolment_and_a_recovery_code_are_on_the_record(staff):
    client = Client(REMOTE_ADDR="203.0.113.7")
    sign_in(client, staff.username)
    secret = client.get(SETUP).context["secret"]
    codes = client.post(SETUP, {"code": pyotp.TOTP(secret).now(), "next": "/admin/"})
    added = rows("factor-added")
    assert added and {row.actor for row in added} == {staff}
    assert {row.ip for row in added} == {"203.0.113.7"}
    client.post("/admin/logout/")
    sign_in(client, staff.username)
    assert client.post(VERIFY, {"code": codes.context["codes"][0]}).status_code == 302
    [used] = rows("recovery-code-used")
    assert (used.actor, used.object_id) == (staff, str(staff.pk))


def test_a_wrong_code_is_on_the_record(staff):
    give_authenticator(staff)
    client = Client(REMOTE_ADDR="203.0.113.8")
    sign_in(client, staff.username)
    client.post(VERIFY, {"code": "000000"})
    [failed] = rows("second-factor-failed")
    assert (failed.actor, failed.ip) == (staff, "203.0.113.8")


def test_a_reset_and_the_sessions_it_ends_are_on_the_record(
    superuser, staff, django_capture_on_commit_callbacks
):
    give_authenticator(staff)
    admin_client = Client()
    admin_client.force_login(superuser)
    url = reverse("admin:auth_user_reset_second_factor", args=[staff.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url).status_code == 302
    [reset] = rows("factor-reset")
    assert (reset.actor, reset.object_id) == (superuser, str(staff.pk))
    [ended] = rows("sessions-ended")
    assert ended.object_id == str(staff.pk) and ended.detail == "factor_reset"

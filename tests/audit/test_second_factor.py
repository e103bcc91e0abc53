"""The second factor's events reach the audit trail: a factor added, a wrong code, a
recovery code used, a superuser's reset and the sessions it ended, each with who, whom
and the address."""

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from dialogue_portal.audit.models import Entry
from dialogue_portal.twofactor import signals as twofactor
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


@pytest.mark.parametrize(
    ("signal", "extra", "action", "actor", "detail"),
    [
        (twofactor.factor_added, {"device": "totp"}, "factor-added", "user", "TOTP device"),
        (twofactor.factor_removed, {"device": "totp"}, "factor-removed", "user", "TOTP device"),
        (twofactor.factor_added, {"device": None}, "factor-added", "user", ""),
        (twofactor.factor_reset, {"by": "superuser"}, "factor-reset", "superuser", ""),
        (twofactor.recovery_code_used, {}, "recovery-code-used", "user", ""),
        (twofactor.second_factor_failed, {}, "second-factor-failed", "user", ""),
        # Who ended the sessions is whoever is signed in on the request.
        (
            twofactor.sessions_ended,
            {"reason": "signed_out"},
            "sessions-ended",
            "superuser",
            "signed_out",
        ),
    ],
)
def test_each_signal_records_its_action_actor_target_and_detail(
    rf, staff, superuser, signal, extra, action, actor, detail
):
    request = rf.post("/", REMOTE_ADDR="203.0.113.9")
    request.user = superuser
    people = {"user": staff, "superuser": superuser}
    if extra.get("device") == "totp":
        extra = {**extra, "device": give_authenticator(staff)}
    if "by" in extra:
        extra = {**extra, "by": people[extra["by"]]}
    signal.send(sender=type(staff), user=staff, request=request, **extra)
    [row] = rows(action)
    assert (row.actor, row.object_id, row.detail, row.ip) == (
        people[actor],
        str(staff.pk),
        detail,
        "203.0.113.9",
    )

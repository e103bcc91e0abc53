"""One's own factors: add another, remove one (never the last), new recovery codes; the
passkey endpoints refuse a session without the second factor, and a failed passkey counts."""

import io
import json

import pyotp
import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.twofactor import demo
from dialogue_portal.twofactor.models import RecoveryCode
from tests.factories import give_authenticator
from tests.twofactor.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(editor_client):
    return editor_client


def test_the_page_lists_the_factors(signed_in, editor):
    page = signed_in.get(reverse("twofactor:manage"))
    assert page.status_code == 200
    assert "Test authenticator" in page.content.decode()
    assert page.context["can_remove"] is False


def test_a_second_app_then_removing_one_but_never_the_last(signed_in, editor, received):
    setup = signed_in.get(reverse("twofactor:setup"))
    secret = setup.context["secret"]
    added = signed_in.post(reverse("twofactor:setup"), {"code": pyotp.TOTP(secret).now()})
    # No recovery codes yet: they are made (and shown) with the new factor.
    assert added.status_code == 200 and len(added.context["codes"]) == 10
    devices = list(TOTPDevice.objects.filter(user=editor, confirmed=True).order_by("pk"))
    assert len(devices) == 2
    first = devices[0]
    removed = signed_in.post(reverse("twofactor:remove", args=["totp", first.pk]))
    assert removed["Location"] == reverse("twofactor:manage")
    assert [k["device_pk"] for k in received.named("factor_removed")] == [first.pk]
    last = devices[1]
    signed_in.post(reverse("twofactor:remove", args=["totp", last.pk]))
    assert TOTPDevice.objects.filter(pk=last.pk).exists()


def test_removing_is_post_only_and_checks_what_it_is_given(signed_in, editor, reviewer):
    device = give_authenticator(editor)
    others = give_authenticator(reviewer)
    assert signed_in.get(reverse("twofactor:remove", args=["totp", device.pk])).status_code == 405
    assert signed_in.post(reverse("twofactor:remove", args=["sms", device.pk])).status_code == 404
    assert signed_in.post(reverse("twofactor:remove", args=["totp", others.pk])).status_code == 404


def test_new_recovery_codes_replace_the_old(signed_in, editor):
    first = signed_in.post(reverse("twofactor:recovery-codes")).context["codes"]
    second = signed_in.post(reverse("twofactor:recovery-codes")).context["codes"]
    assert not set(first) & set(second)
    assert RecoveryCode.objects.filter(device__user=editor).count() == 10
    assert signed_in.get(reverse("twofactor:recovery-codes")).status_code == 405


def test_passkey_registration_needs_a_verified_session_when_one_has_a_factor(editor):
    give_authenticator(editor)
    client = Client()
    sign_in(client, "editor", "pw-editor-123!")
    begin = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert begin.status_code == 403
    assert "otp_webauthn_register_state" not in client.session


def test_a_failed_passkey_counts_like_a_wrong_code(editor, received):
    give_authenticator(editor)
    client = Client()
    sign_in(client, "editor", "pw-editor-123!")
    client.post(reverse("otp_webauthn:credential-authentication-begin"))
    response = client.post(
        reverse("otp_webauthn:credential-authentication-complete"),
        json.dumps({"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}),
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert [k["user"] for k in received.named("second_factor_failed")] == [editor]
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 1
    assert client.get("/admin/").status_code == 302


def test_the_demo_logins_get_their_published_secrets(django_user_model):
    for username in demo.SECRETS:
        django_user_model.objects.create_user(username, is_staff=True)
    out = io.StringIO()
    demo.load(out)
    for username, secret in demo.SECRETS.items():
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        assert device.verify_token(pyotp.TOTP(secret).now())
        assert secret in out.getvalue()
    demo.load(io.StringIO())  # a second run adds nothing
    assert TOTPDevice.objects.count() == len(demo.SECRETS)


def test_the_demo_keeps_an_authenticator_someone_set_up(django_user_model):
    user = django_user_model.objects.create_user("editor", is_staff=True)
    own = give_authenticator(user)
    out = io.StringIO()
    demo.load(out)
    assert list(TOTPDevice.objects.filter(user=user)) == [own]
    assert "skipped: editor" in out.getvalue()

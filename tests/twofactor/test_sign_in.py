"""Signing in to the admin takes a password and a second factor; without one, a member of
staff sets one up before anything else."""

import pyotp
import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dialogue_portal.staff.models import AdminProfile
from dialogue_portal.twofactor.models import RecoveryCode, RecoveryCodeDevice
from publications.models import Publication
from tests.factories import give_authenticator, make_publication, totp_code
from tests.twofactor.conftest import sign_in

pytestmark = pytest.mark.django_db

SETUP = reverse("twofactor:setup")
VERIFY = reverse("twofactor:verify")


def enrol(client):
    """Set up an authenticator app on the enrolment page; returns (secret, codes page)."""
    page = client.get(SETUP)
    secret = page.context["secret"]
    done = client.post(SETUP, {"code": pyotp.TOTP(secret).now(), "next": "/admin/"})
    return secret, done


def test_staff_without_a_factor_set_one_up_right_after_the_password(browser_client, staff):
    response = sign_in(browser_client, staff.username)
    assert response.status_code == 302
    # Every admin page leads to the enrolment, and nothing else opens.
    for url in ("/admin/", "/admin/publications/publication/", reverse("staff:figures")):
        answer = browser_client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith(SETUP), url
    page = browser_client.get(SETUP)
    assert page.status_code == 200
    assert page.context["secret"] in page.content.decode().replace(" ", "")
    assert b"<svg" in page.content  # the QR code
    assert page["Cache-Control"].startswith("max-age=0")


def test_enrolment_with_a_right_code_shows_ten_hashed_recovery_codes_once(
    browser_client, staff, received
):
    sign_in(browser_client, staff.username)
    secret, done = enrol(browser_client)
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    html = done.content.decode()
    assert all(code in html for code in codes)
    # Stored as salted hashes: no code, nor its letters, is in the database.
    stored = list(RecoveryCode.objects.values_list("salt", "digest"))
    assert len(stored) == 10
    for code in codes:
        assert all(code.replace("-", "") not in digest for _salt, digest in stored)
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed
    assert browser_client.get("/admin/").status_code == 200
    added = received.named("factor_added")
    assert [type(kwargs["device"]) for kwargs in added] == [TOTPDevice, RecoveryCodeDevice]
    assert added[0]["user"] == staff and added[0]["request"] is not None
    # They are not shown again.
    assert browser_client.get(SETUP).status_code == 200
    assert not any(code in browser_client.get(SETUP).content.decode() for code in codes)


def test_a_wrong_code_at_enrolment_is_refused(browser_client, staff):
    sign_in(browser_client, staff.username)
    browser_client.get(SETUP)
    refused = browser_client.post(SETUP, {"code": "000000"})
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert browser_client.get("/admin/").status_code == 302


def test_staff_with_a_factor_must_give_it_and_cannot_add_another_first(
    browser_client, staff, clock
):
    device = give_authenticator(staff)
    sign_in(browser_client, staff.username)
    assert browser_client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    # A stolen password cannot set up the thief's own authenticator.
    assert browser_client.get(SETUP)["Location"].startswith(VERIFY)
    assert browser_client.post(SETUP, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    response = browser_client.post(VERIFY, {"code": totp_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert browser_client.get("/admin/").status_code == 200


def test_a_code_is_good_once(client, browser_client, staff, django_user_model):
    device = give_authenticator(staff)
    code = totp_code(device)
    sign_in(browser_client, staff.username)
    assert browser_client.post(VERIFY, {"code": code}).status_code == 302
    again = type(browser_client)()
    sign_in(again, staff.username)
    refused = again.post(VERIFY, {"code": code})
    assert refused.status_code == 200
    assert "not right" in refused.content.decode()


def test_next_stays_on_the_site(browser_client, staff):
    device = give_authenticator(staff)
    sign_in(browser_client, staff.username)
    response = browser_client.post(
        VERIFY, {"code": totp_code(device), "next": "https://phish.example/admin/"}
    )
    assert response["Location"] == "/admin/"


def test_a_wrong_code_is_refused_announced_and_counted_by_the_lockout(
    browser_client, staff, settings, received
):
    device = give_authenticator(staff)
    sign_in(browser_client, staff.username)
    refused = browser_client.post(VERIFY, {"code": "000000"})
    assert refused.status_code == 200
    assert refused.context["form"].errors
    assert browser_client.get("/admin/").status_code == 302
    assert [kwargs["user"] for kwargs in received.named("second_factor_failed")] == [staff]
    attempt = AccessAttempt.objects.get(username=staff.username)
    assert attempt.failures_since_start == 1
    # Up to the limit: then the session is over and the password alone is refused too.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        browser_client.post(VERIFY, {"code": "not-a-code"})
    attempt.refresh_from_db()
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    assert browser_client.get("/admin/")["Location"].startswith("/admin/login/")
    locked = sign_in(browser_client, staff.username)
    assert locked.status_code != 302 or not locked["Location"].startswith("/admin/2fa/")
    assert "_auth_user_id" not in browser_client.session
    assert device.__class__.objects.filter(pk=device.pk).exists()


def test_a_recovery_code_lets_in_once(browser_client, staff, received):
    sign_in(browser_client, staff.username)
    _secret, done = enrol(browser_client)
    code = done.context["codes"][3]
    browser_client.post("/admin/logout/")
    sign_in(browser_client, staff.username)
    # As typed from paper: upper case, spaces.
    typed = code.upper().replace("-", " ")
    assert browser_client.post(VERIFY, {"code": typed})["Location"] == "/admin/"
    assert browser_client.get("/admin/").status_code == 200
    assert [kwargs["user"] for kwargs in received.named("recovery_code_used")] == [staff]
    assert RecoveryCode.objects.filter(device__user=staff).count() == 9
    browser_client.post("/admin/logout/")
    sign_in(browser_client, staff.username)
    refused = browser_client.post(VERIFY, {"code": code})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert browser_client.get("/admin/").status_code == 302


def test_half_signed_in_staff_are_readers_on_the_site(browser_client, staff, client, editor):
    give_authenticator(staff)
    draft = make_publication(slug="draft", status=Publication.Status.DRAFT, published_at=None)
    sign_in(browser_client, staff.username)
    assert browser_client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(editor)  # both factors
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_readers_never_meet_the_second_factor(client, reader):
    client.force_login(reader)
    assert client.get("/").status_code == 200
    assert client.get("/publications/").status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_verify_page_speaks_the_admins_language(browser_client, staff):
    AdminProfile.objects.create(user=staff, admin_language="ru")
    give_authenticator(staff)
    sign_in(browser_client, staff.username)
    page = browser_client.get(VERIFY).content.decode()
    assert "Второй шаг входа" in page
    assert "Код" in page


def test_the_first_factor_page_speaks_the_admins_language(browser_client, staff):
    AdminProfile.objects.create(user=staff, admin_language="ru")
    sign_in(browser_client, staff.username)
    page = browser_client.get(SETUP).content.decode()
    assert "Настройте второй фактор" in page

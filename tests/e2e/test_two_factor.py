"""Two-factor sign-in in Chromium, in both admin languages: enrolment at the first sign-in,
a code, a passkey (Chromium's virtual authenticator over CDP), a recovery code (then refused),
a wrong code refused and counted by the lockout, and a session ended by a password change in
another browser."""

import re

import pyotp
import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from dialogue_portal.audit.models import Entry
from dialogue_portal.staff.models import AdminProfile
from dialogue_portal.twofactor.models import RecoveryCode
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import give_authenticator, totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-e2e-2fa-123!"
TEXT = {
    "en": {
        "setup": "Set up a second factor",
        "codes": "Your recovery codes",
        "verify": "Second step of signing in",
        "home": "Publish and manage content",
        "wrong": "That code is not right",
        "security": "Sign-in security",
        "make_codes": "Make new recovery codes",
        "add": "Add an authenticator app or a passkey",
        "add_passkey": "Add a passkey or security key",
        "use_passkey": "Use a passkey or security key",
        "login": "Log in",
    },
    "ru": {
        "setup": "Настройте второй фактор",
        "codes": "Ваши резервные коды",
        "verify": "Второй шаг входа",
        "home": "Публикация и управление содержимым",
        "wrong": "Код неверен",
        "security": "Безопасность входа",
        "make_codes": "Создать новые резервные коды",
        "add": "Добавить приложение-аутентификатор или ключ доступа",
        "add_passkey": "Добавить ключ доступа или электронный ключ",
        "use_passkey": "Войти с ключом доступа или электронным ключом",
        "login": "Войти",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["en", "ru"])


def audited(action):
    """How many rows of this action the audit trail holds for the test's member of staff."""
    return Entry.objects.filter(action=action, actor_name="e2e-staff").count()


@pytest.fixture
def make_staff(django_user_model, editorial_groups):
    def make(language, username="e2e-staff"):
        user = django_user_model.objects.create_user(
            username, f"{username}@example.org", PASSWORD, is_staff=True
        )
        user.groups.add(Group.objects.get(name="Editors"))
        AdminProfile.objects.create(user=user, admin_language=language)
        return user

    return make


def password_step(page, username):
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()


def heading(page, text):
    expect(page.locator("#content h1")).to_have_text(text)


def log_out(page):
    page.goto("/admin/")
    page.locator("#logout-form button").click()


@LANGUAGES
def test_enrolment_at_the_first_sign_in(page, make_staff, language):
    make_staff(language)
    password_step(page, "e2e-staff")
    expect(page).to_have_url(re.compile(r"/admin/2fa/setup/\?next=%2Fadmin%2F$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    heading(page, TEXT[language]["setup"])
    # Nothing else opens until then.
    page.goto("/admin/publications/publication/")
    expect(page).to_have_url(re.compile(r"/admin/2fa/setup/"))
    expect(page.locator(".twofactor-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.locator("#id_code").fill(pyotp.TOTP(secret).now())
    page.locator("#id_code").press("Enter")
    heading(page, TEXT[language]["codes"])
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    screenshot(page, f"twofactor-recovery-codes-{language}")
    # On to the page first asked for.
    page.locator(".twofactor-section a.button").click()
    expect(page).to_have_url(re.compile(r"/admin/publications/publication/$"))
    expect(page.locator("#changelist")).to_be_visible()
    assert RecoveryCode.objects.filter(device__user__username="e2e-staff").count() == 10
    assert audited("factor-added") >= 1 and audited("signed-in") == 1


@LANGUAGES
def test_a_code_signs_in_and_a_wrong_one_is_refused_and_counted(
    page, make_staff, language, settings, clock
):
    device = give_authenticator(make_staff(language))
    password_step(page, "e2e-staff")
    heading(page, TEXT[language]["verify"])
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("#id_code").fill("000000")
    page.locator("#id_code").press("Enter")
    expect(page.locator(".errornote")).to_contain_text(TEXT[language]["wrong"])
    assert AccessAttempt.objects.get(username="e2e-staff").failures_since_start == 1
    clock.shift(2)  # django-otp's back-off: a second try waits a second after a failure
    page.locator("#id_code").fill(totp_code(device))
    page.locator("#id_code").press("Enter")
    expect(page.get_by_role("heading", name=TEXT[language]["home"])).to_be_visible()
    screenshot(page, f"twofactor-signed-in-{language}")
    assert audited("second-factor-failed") == 1 and audited("signed-in") == 1


@LANGUAGES
def test_wrong_codes_up_to_the_limit_lock_the_account_out(page, make_staff, language, settings):
    give_authenticator(make_staff(language))
    password_step(page, "e2e-staff")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.locator("#id_code").fill("123456")
        page.locator("#id_code").press("Enter")
    attempt = AccessAttempt.objects.get(username="e2e-staff")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
    # The half-open session is over, and the password alone no longer gets further.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    password_step(page, "e2e-staff")
    expect(page).not_to_have_url(re.compile(r"/admin/2fa/"))
    assert audited("second-factor-failed") == settings.AXES_FAILURE_LIMIT
    assert audited("locked-out") >= 1


@LANGUAGES
def test_a_recovery_code_signs_in_once(page, make_staff, language):
    make_staff(language)
    sign_in(page, "e2e-staff", PASSWORD)
    page.locator("#user-tools").get_by_role("link", name=TEXT[language]["security"]).click()
    page.get_by_role("button", name=TEXT[language]["make_codes"]).click()
    code = page.locator("#recovery-codes li").nth(2).inner_text().strip()
    log_out(page)
    password_step(page, "e2e-staff")
    page.locator("#id_code").fill(code)
    page.locator("#id_code").press("Enter")
    expect(page.get_by_role("heading", name=TEXT[language]["home"])).to_be_visible()
    log_out(page)
    password_step(page, "e2e-staff")
    page.locator("#id_code").fill(code)
    page.locator("#id_code").press("Enter")
    expect(page.locator(".errornote")).to_contain_text(TEXT[language]["wrong"])
    heading(page, TEXT[language]["verify"])
    assert audited("recovery-code-used") == 1 and audited("second-factor-failed") == 1


@LANGUAGES
def test_a_passkey_is_added_then_signs_in(page, make_staff, language, live_server, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    make_staff(language)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(page, "e2e-staff", PASSWORD)
    page.locator("#user-tools").get_by_role("link", name=TEXT[language]["security"]).click()
    page.get_by_role("link", name=TEXT[language]["add"]).click()
    page.wait_for_load_state("networkidle")  # the button works once its script has loaded
    page.get_by_role("button", name=TEXT[language]["add_passkey"]).click()
    # The virtual authenticator and the ceremony's round trips: slow on a loaded machine.
    expect(page.locator("#passkey-register-status-message")).not_to_be_empty(timeout=20_000)
    page.wait_for_function(
        "() => !document.querySelector('#passkey-register-button').disabled", timeout=20_000
    )
    assert WebAuthnCredential.objects.filter(user__username="e2e-staff").count() == 1
    log_out(page)
    password_step(page, "e2e-staff")
    heading(page, TEXT[language]["verify"])
    # The button works once django-otp-webauthn's script has loaded (deferred): a click
    # before that does nothing, so the page settles first, and a click that led nowhere is
    # given again.
    home = page.get_by_role("heading", name=TEXT[language]["home"])
    page.wait_for_load_state("networkidle")
    for _ in range(3):
        page.get_by_role("button", name=TEXT[language]["use_passkey"]).click()
        try:
            home.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            page.wait_for_load_state("networkidle")
    expect(home).to_be_visible()
    assert not page.console.unexpected_errors()
    assert audited("factor-added") >= 1


@LANGUAGES
def test_a_password_change_ends_the_session_in_the_other_browser(
    browser, live_server, page, make_staff, language
):
    make_staff(language)
    sign_in(page, "e2e-staff", PASSWORD)
    other_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    other = other_context.new_page()
    try:
        sign_in(other, "e2e-staff", PASSWORD)
        expect(other.get_by_role("heading", name=TEXT[language]["home"])).to_be_visible()
        page.goto("/admin/password_change/")
        page.locator("#id_old_password").fill(PASSWORD)
        page.locator("#id_new_password1").fill("a-fresh-e2e-password-31")
        page.locator("#id_new_password2").fill("a-fresh-e2e-password-31")
        page.locator("#content [type=submit]").click()
        expect(page).to_have_url(re.compile(r"/admin/password_change/done/"))
        page.goto("/admin/")
        expect(page.get_by_role("heading", name=TEXT[language]["home"])).to_be_visible()
        other.goto("/admin/")
        expect(other).to_have_url(re.compile(r"/admin/login/"))
        assert audited("password-changed") == 1
    finally:
        other_context.close()

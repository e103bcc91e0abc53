"""The sessions' limits refuse nonsense; passkeys belong to SITE_URL's host."""

from tests.site.test_settings import run_manage


def test_session_limits_below_one_are_refused():
    result = run_manage("check", STAFF_SESSION_IDLE_MINUTES="0")
    assert result.returncode != 0
    assert "STAFF_SESSION_IDLE_MINUTES" in result.stderr
    result = run_manage("check", STAFF_SESSION_MAX_HOURS="-1")
    assert result.returncode != 0


def show(name, **env):
    result = run_manage(
        "shell", "-c", f"from django.conf import settings; print(settings.{name})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_passkeys_belong_to_the_host_of_site_url():
    assert show("OTP_WEBAUTHN_RP_ID", SITE_URL="https://portal.example.org") == "portal.example.org"
    assert show("OTP_WEBAUTHN_ALLOWED_ORIGINS", SITE_URL="https://portal.example.org") == (
        "['https://portal.example.org']"
    )
    # Browsers refuse an IP address: a local run offers passkeys at localhost.
    assert show("OTP_WEBAUTHN_RP_ID", SITE_URL="http://127.0.0.1:8000") == "localhost"
    assert show("OTP_WEBAUTHN_ALLOWED_ORIGINS", SITE_URL="http://127.0.0.1:8000") == (
        "['http://localhost:8000']"
    )

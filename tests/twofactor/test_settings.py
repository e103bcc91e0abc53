"""The sessions' limits refuse nonsense; passkeys belong to SITE_URL's host."""

import pytest

from tests.site.test_settings import run_manage, settings_under


@pytest.mark.slow
def test_session_limits_below_one_are_refused():
    result = run_manage("check", STAFF_SESSION_IDLE_MINUTES="0")
    assert result.returncode != 0
    assert "STAFF_SESSION_IDLE_MINUTES" in result.stderr
    result = run_manage("check", STAFF_SESSION_MAX_HOURS="-1")
    assert result.returncode != 0


@pytest.mark.slow
def test_passkeys_belong_to_the_host_of_site_url():
    names = ("OTP_WEBAUTHN_RP_ID", "OTP_WEBAUTHN_ALLOWED_ORIGINS")
    public = settings_under(*names, SITE_URL="https://portal.example.org")
    assert public["OTP_WEBAUTHN_RP_ID"] == "portal.example.org"
    assert public["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["https://portal.example.org"]
    # Browsers refuse an IP address: a local run offers passkeys at localhost.
    local = settings_under(*names, SITE_URL="http://127.0.0.1:8000")
    assert local["OTP_WEBAUTHN_RP_ID"] == "localhost"
    assert local["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["http://localhost:8000"]

"""Mail settings with Django 6.1's MAILERS: files under ./mail/ for a local run, SMTP from
environment variables in production."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-for-tests-0123456789-abcdefgh"
# Django's settings, read without setting the apps up.
PRINT = (
    "import json, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dialogue_portal.settings');"
    " from django.conf import settings; "
    "print(json.dumps({'mailers': settings.MAILERS, 'from': settings.DEFAULT_FROM_EMAIL}))"
)


def mail_settings(**env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL"} and not k.startswith("SMTP_")
    }
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_local_run_writes_mail_into_files(tmp_path):
    found = mail_settings(DEBUG="1", MAIL_FILE_PATH=str(tmp_path / "mail"))
    assert found["mailers"] == {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(tmp_path / "mail")},
        }
    }


def test_production_sends_by_smtp_from_the_environment():
    found = mail_settings(
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
        SMTP_HOST="smtp.example.org",
        SMTP_USER="portal",
        SMTP_PASSWORD="secret",
        DEFAULT_FROM_EMAIL="Portal <news@example.org>",
    )
    assert found["mailers"]["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert found["mailers"]["default"]["OPTIONS"] == {
        "host": "smtp.example.org",
        "port": 587,
        "username": "portal",
        "password": "secret",
        "use_tls": True,
        "use_ssl": False,
        "timeout": 20,
    }
    assert found["from"] == "Portal <news@example.org>"


def test_production_without_smtp_host_uses_the_local_mta():
    found = mail_settings(
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
    )
    options = found["mailers"]["default"]["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"]) == ("localhost", 25, False)

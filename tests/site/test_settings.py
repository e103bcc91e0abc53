"""Production settings refuse insecure values and pass `check --deploy` cleanly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-for-tests-0123456789-abcdefgh"


def run_python(*args, **env):
    """``python ARGS`` in the repository, with these environment variables added to the
    test's, less the databases'."""
    ignored = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_manage(*args, **env):
    return run_python("manage.py", *args, **env)


def settings_under(*names, **env):
    """``django.conf.settings``' values of ``names`` under these environment variables, in a
    fresh process: the settings are read without setting the apps up (a quarter of the CPU
    of `manage.py shell`)."""
    code = (
        "import json, os, sys; "
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dialogue_portal.settings'); "
        "from django.conf import settings; "
        "print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}))"
    )
    result = run_python("-c", code, *names, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_refuses_the_development_secret_key():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", DEBUG="0", SECRET_KEY="short", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_no_allowed_hosts():
    result = run_manage("check", DEBUG="0", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_a_malformed_boolean():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_tasks_go_to_the_database_queue_unless_told_otherwise():
    default = settings_under("TASKS")["TASKS"]
    assert default["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    immediate = settings_under("TASKS", TASKS_BACKEND="immediate")["TASKS"]
    assert immediate["default"]["BACKEND"] == "django.tasks.backends.immediate.ImmediateBackend"


def test_an_unknown_tasks_backend_is_refused():
    result = run_manage("check", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be one of database, immediate" in result.stderr

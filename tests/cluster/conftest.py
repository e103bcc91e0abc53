"""Tests against the running cluster of `make cluster` (deploy/cluster.sh): Varnish, two
gunicorn nodes, a PostgreSQL primary and streaming replica, Redis and the S3 store.

They talk to it as its users do, over HTTP, and look at its databases directly; the
environment of the nodes is read from .cluster/env. Without a running cluster they fail,
saying so: `make test-cluster` brings it up first.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import lxml.html
import psycopg
import pyotp
import pytest
import time_machine

from dialogue_portal.twofactor.demo import SECRETS as DEMO_TOTP_SECRETS

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("CLUSTER_DIR", ROOT / ".cluster"))
SCRIPT = ROOT / "deploy" / "cluster.sh"


def read_env():
    path = STATE / "env"
    if not path.is_file():
        pytest.fail(f"No cluster environment at {path}: run `make cluster` first.")
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


class Answer:
    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def text(self):
        return self.body.decode()

    def json(self):
        return json.loads(self.body)

    def forms(self):
        return lxml.html.fromstring(self.text, base_url=self.url).forms

    def form(self, index=-1, action=None, form_id=None):
        forms = self.forms()
        if action is not None:
            forms = [form for form in forms if action in (form.action or "")]
        if form_id is not None:
            forms = [form for form in forms if form.get("id") == form_id]
        return forms[index]


class Browser:
    """A client with its own cookies; follows redirects like a browser."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        # The answer itself, a redirect not followed (when it arrived matters).
        self.stay = urllib.request.build_opener(cookies, _NoRedirect())

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def forget(self, name):
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)

    def request(self, method, path, data=None, files=None, headers=None, follow=True):
        url = path if path.startswith("http") else self.base + path
        headers = dict(headers or {})
        body = None
        if files:
            boundary = uuid.uuid4().hex
            body = _multipart(boundary, data or [], files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method == "POST":
            headers.setdefault("Referer", url)
            headers.setdefault("Origin", self.base)
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            opener = self.opener if follow else self.stay
            with opener.open(request, timeout=30) as response:
                return Answer(response.status, response.headers, response.read(), response.url)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.headers, error.read(), url)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def submit(self, form, changes=(), files=None, button=None, follow=True):
        values = [(name, value) for name, value in form.form_values() if name not in dict(changes)]
        values += list(changes)
        if button:
            values.append(button)
        return self.post(form.action or form.base_url, values, files=files, follow=follow)

    def rename_topic(self, topic_id):
        """Give the topic a new name through its admin change form, as an editor; (the
        name, the save's answer, which leaves once the change has committed)."""
        change = self.get(f"/admin/publications/topic/{topic_id}/change/")
        name = f"Arms talk {uuid.uuid4().hex[:8]}"
        saved = self.submit(
            change.form(form_id="topic_form"),
            [("name", name)],
            button=("_save", "Save"),
            follow=False,
        )
        return name, saved

    def login(self, username, password):
        """The password, then the code of the demo login's authenticator app (its TOTP
        secret is the demo's, DEMO_TOTP_SECRETS)."""
        page = self.get("/admin/login/")
        form = page.form()
        answer = self.submit(form, [("username", username), ("password", password)])
        # The app's record of the last code used goes (each code is taken once, and sign-ins
        # of earlier tests or runs in the same 30 seconds would make this one's be refused),
        # and so does any back-off left by refused codes of an earlier run.
        sql(
            read_env(),
            "primary",
            "UPDATE otp_totp_totpdevice SET last_t = -1, throttling_failure_count = 0,"
            " throttling_failure_timestamp = NULL WHERE user_id ="
            " (SELECT id FROM auth_user WHERE username = %s)",
            username,
        )
        [verify] = [f for f in answer.forms() if "code" in f.inputs]
        # The cluster's clock, not the test clock (tests/clock.py) this process runs under
        # (`make bench-cluster` signs in too, with no test clock).
        now = (
            time_machine.escape_hatch.time.time()
            if time_machine.escape_hatch.is_travelling()
            else time.time()
        )
        code = pyotp.TOTP(DEMO_TOTP_SECRETS[username]).at(now)
        answer = self.submit(verify, [("code", code)])
        assert answer.status == 200 and "/admin/login/" not in answer.url, answer.text[:500]
        assert "/admin/2fa/" not in answer.url, re.findall(
            r'class="errorlist[^>]*>(.*?)</ul>', answer.text, re.S
        )
        return answer


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(boundary, fields, files):
    lines = []
    for name, value in fields:
        lines += [f"--{boundary}", f'Content-Disposition: form-data; name="{name}"', "", value]
    body = "\r\n".join(lines).encode() + b"\r\n" if lines else b""
    for name, (filename, content, kind) in files.items():
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    return body + f"--{boundary}--\r\n".encode()


@pytest.fixture(scope="session")
def env():
    return read_env()


@pytest.fixture(scope="session")
def front(env):
    """The portal through Varnish."""
    return env["CLUSTER_URL"]


@pytest.fixture(scope="session")
def nodes(env):
    return env["CLUSTER_NODE_URLS"].split(",")


def database_port(env, which):
    key = "DATABASE_URL" if which == "primary" else "DATABASE_REPLICA_URLS"
    return urllib.parse.urlsplit(env[key]).port


@contextlib.contextmanager
def sql_connection(env, which):
    with psycopg.connect(
        host="127.0.0.1",
        port=database_port(env, which),
        user="postgres",
        dbname="dialogue_portal",
        autocommit=True,
        connect_timeout=3,
    ) as connection:
        yield connection


def sql(env, which, query, *params):
    with sql_connection(env, which) as connection:
        cursor = connection.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def wait_until(test, seconds=20, what="the condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if test():
                return
        time.sleep(0.25)
    raise AssertionError(f"{what} did not hold within {seconds}s")


def health(url):
    try:
        with urllib.request.urlopen(url + "/health/", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())


@pytest.fixture
def paused_replica(env):
    """The replica stops replaying the primary's WAL (it keeps receiving it) until the test
    ends: whatever the primary commits meanwhile is not on the replica."""
    sql(env, "replica", "SELECT pg_wal_replay_pause()")
    wait_until(
        lambda: sql(env, "replica", "SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        what="the replica's pause",
    )
    yield
    sql(env, "replica", "SELECT pg_wal_replay_resume()")


def cluster(*args):
    subprocess.run([str(SCRIPT), *args], check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def stopped(env, service):
    """``service`` of the cluster stopped for the block, started again after it, and the
    nodes' health back to ok before the next test."""
    cluster("stop", service)
    try:
        yield
    finally:
        cluster("start", service)
        for node in env["CLUSTER_NODE_URLS"].split(","):
            wait_until(lambda node=node: health(node)["status"] == "ok", 60, f"{node} ok again")

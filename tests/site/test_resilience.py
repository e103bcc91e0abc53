"""When PostgreSQL or Redis goes away, the site answers quickly and recovers by itself.

The tests start their own throwaway PostgreSQL (initdb/pg_ctl in a temporary folder) and
Redis on free ports, run the app in a subprocess against them, stop each service under it
and time the answers. The shared services the rest of the suite uses are never touched.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
FAST_SECONDS = 3.0  # connect_timeout is 2 s; a refused connection answers far sooner


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds=20, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {seconds} s")


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found or not found[-1]:
        pytest.fail(f"PostgreSQL's {name} is needed for the resilience tests and was not found.")
    return found[-1]


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary folder, run as the postgres user when we are root."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="dp-resilience-pg-"))
        self.data = self.folder / "data"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def run(self, *command):
        if self.as_root:
            command = ("runuser", "-u", "postgres", "--", *command)
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"

    def init(self):
        self.run(postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.folder / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self):
        self.run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def remove(self):
        with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    def __init__(self):
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is needed for the resilience tests and was not found.")
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, process=self.process)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(scope="module")
def services():
    postgres, redis = ThrowawayPostgres(), ThrowawayRedis()
    try:
        postgres.init()
        postgres.start()
        redis.start()
        yield postgres, redis
    finally:
        redis.stop()
        postgres.remove()


@pytest.fixture(scope="module")
def app(services):
    """The portal in its own process (runserver, no reloader) on the throwaway services."""
    postgres, redis = services
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=postgres.url(),
        REDIS_URL=redis.url(),
        DEBUG="1",
        MEDIA_ROOT=str(postgres.folder / "media"),
        PYTHONUNBUFFERED="1",
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    # Content to show: an empty list comes whole from the caches and needs no database. A
    # few generated publications (with authors, terms, polls and ratings) are enough pages to
    # read; the demo's real files would take half a minute to make and no test reads them.
    content = subprocess.run(
        [sys.executable, "manage.py", "generate_content", "--publications", "40"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert content.returncode == 0, content.stdout + content.stderr
    port = free_port()
    log = open(postgres.folder / "app.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for_port(port, seconds=30, process=server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def fetch(url, timeout=15):
    """(status, headers, body, seconds) for a GET, whatever the status."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, headers, body.decode("utf-8", "replace"), time.monotonic() - started


PAGES = ["/", "/publications/", "/people/", "/polls/", "/ru/publications/"]
# Pages that read the database on every request, page cache off: the people list and the
# poll archive. A list page whose cards, form, facets and total are all in the shared cache
# needs no query at all, nor does the home page while its top rated rows and poll (which
# carry totals) are shared (PAGE_TOTALS_SECONDS): either may still be served whole while the
# database is down.
NEEDS_DATABASE = ["/people/", "/polls/"]


def test_database_outage_answers_503_quickly_and_the_site_recovers(services, app):
    postgres, _redis = services
    for path in PAGES:
        status, _headers, _body, _seconds = fetch(app + path)
        assert status == 200, path

    postgres.stop()
    try:
        for path in PAGES:
            status, headers, body, seconds = fetch(app + path)
            assert seconds < FAST_SECONDS, f"{path} took {seconds:.1f} s with the database down"
            assert "Traceback" not in body and "OperationalError" not in body
            if status == 200 and path not in NEEDS_DATABASE:
                continue  # served from the shared cache alone
            assert status == 503, (path, status, body[:500])
            assert headers["Retry-After"] == "30"
            assert "Back in a moment" in body
        assert fetch(app + "/healthz")[0] == 200  # the process itself is alive
    finally:
        postgres.start()

    # Back without restarting the app: the first request after the outage already works.
    for path in PAGES:
        status, _headers, body, _seconds = fetch(app + path)
        assert status == 200, (path, status, body[:500])


def test_redis_outage_degrades_to_the_database_and_recovers(services, app):
    _postgres, redis = services
    assert fetch(app + "/")[0] == 200
    redis.stop()
    try:
        for path in PAGES:
            status, _headers, body, seconds = fetch(app + path)
            assert status == 200, (path, status, body[:500])
            assert seconds < FAST_SECONDS, f"{path} took {seconds:.1f} s with Redis down"
    finally:
        redis.start()
    for path in PAGES:
        assert fetch(app + path)[0] == 200


def test_cache_backend_counts_an_unreachable_redis_as_a_miss(services):
    from dialogue_portal.core.cache import ResilientRedisCache

    _postgres, redis = services
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    cache = ResilientRedisCache(redis.url(), {"OPTIONS": options, "KEY_PREFIX": "t"})
    cache.set("answer", 42)
    assert cache.get("answer") == 42

    redis.stop()
    try:
        started = time.monotonic()
        assert cache.get("answer") is None
        assert cache.get("answer", "default") == "default"
        assert cache.get_many(["answer"]) == {}
        assert cache.add("other", 1) is False
        cache.set("answer", 43)  # dropped, no error
        cache.set_many({"a": 1})
        cache.delete("answer")
        assert cache.incr("counter") == 1
        assert cache.get_or_set("computed", 7) == 7
        assert time.monotonic() - started < FAST_SECONDS
    finally:
        redis.start()

    cache.set("answer", 44)  # reconnects by itself
    assert cache.get("answer") == 44

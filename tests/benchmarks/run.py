#!/usr/bin/env python
"""`make bench`: load the site with N publications and measure its pages under gunicorn.

Fills PostgreSQL (DATABASE_URL, default dp_d_bench; quick mode dp_d_bench_quick) with
generated content, starts gunicorn with two sync workers and production settings, and
drives each page with wrk: 32 connections for throughput and latency, then one
connection for the latency a lone reader sees. A trivial floor view (tests/benchmarks/urls.py)
measured in the same server turn about with each page (three slices of each) shows what
the machine can do at all at that moment; each page's ratio to it is the figure that
travels between machines. Every page is measured again with the page cache on
(NAME_cached), and page=storm reads cached pages while others vote and rate.
``queries`` is what a page makes under load: page cache off, shared caches warm. Prints
one line per page:

    BENCH page=NAME rps=R floor_rps=F ratio=R/F p50_ms=A p99_ms=B c1_p50_ms=C queries=Q

then the admin's pages, measured in this process with Django's test client (a superuser
signed in, page cache off, one connection, the median of several runs):

    BENCH page=admin_list c1_p50_ms=C queries=Q runs=N

(admin_list: the publications change list; admin_search: its search for "arms control";
admin_change: a publication's change form), then each worker's peak memory. Exits non-zero
when a page answers with an error, or when the stored rating and vote totals differ from
their rows after the write runs.
"""

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dp_d_bench"
QUICK_URL = "postgres://postgres@127.0.0.1:5432/dp_d_bench_quick"
REDIS_URL = "redis://127.0.0.1:6379/3"
CSRF_TOKEN = "b" * 32  # an unmasked secret: Django accepts it as cookie and header alike
PAGES = [
    "home",
    "list",
    "list_filtered",
    "list_sorted",
    "search",
    "search_ru",
    "detail",
    "author",
    "poll",
    "oai",
    "rate",
    "vote",
]
# Measured again in a second server with the page cache on (PAGE_CACHE_SECONDS=600), warm:
# NAME_cached. The sitemap is cached too but not measured: a page of it is 1,000 addresses,
# some 600 KB, far larger than the floor page (docs/performance.md).
CACHED_PAGES = [
    "home",
    "list",
    "list_filtered",
    "list_sorted",
    "search",
    "search_ru",
    "detail",
    "author",
    "institution",
    "topic",
    "people",
    "poll",
    "polls",
    "feed",
]
# Measured in this process, not under wrk (see measure_admin).
ADMIN_PAGES = ["admin_list", "admin_search", "admin_change"]
ADMIN_SEARCH = "arms control"
# page=storm: STORM_READERS connections read the home page and the publication page (page
# cache on) while STORM_WRITERS connections vote on the home page's poll and rate that
# publication without pause, each request a new reader.
STORM_READERS = 28
STORM_WRITERS = 4
POST_SCRIPT = """
local cookies, counter, step = {}, 0, 1
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
local paths, bodies, sent = {}, {}, 0
function init(args)
  -- args[1], args[2]: one path and body, or several separated by "|", taken in turn
  for item in string.gmatch(args[1], "[^|]+") do paths[#paths + 1] = item end
  for item in string.gmatch(args[2], "[^|]+") do bodies[#bodies + 1] = item end
  for line in io.lines(args[3]) do cookies[#cookies + 1] = line end
  step, token = tonumber(args[4]), args[5]
  -- args[6]: the first reader of this run (none before it used the ones after)
  counter = tonumber(args[6] or 0) + (tid or 0)
end
function request()
  local cookie = cookies[(counter % #cookies) + 1]
  counter = counter + step
  sent = sent + 1
  local path, body = paths[(sent % #paths) + 1], bodies[(sent % #bodies) + 1]
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""

# Quick mode checks answers and totals, not speed: each wrk thread stops sending after this
# many answers (wrk still waits out its second), so that the load it puts on a machine
# running the tests beside it (CI) is a few requests per page, not a second of both cores.
QUICK_ANSWERS = 40
STOP_AFTER = """
local answered = 0
function response()
  answered = answered + 1
  if answered >= %d then wrk.thread:stop() end
end
"""
# The script of a wrk run that names none: none, or quick mode's STOP_AFTER (set in main).
plain_script = None


class NewReaders:
    """POST_SCRIPT (``script``) and its arguments for one write page, each wrk run
    starting at readers that no earlier run used: a reader's second rating or vote is a
    change or a refusal, which costs other than the new reader's write the page measures.
    Each of a run's threads takes every ``threads``-th reader from ``first`` on, and one
    thread may send more than the other, so ``spent`` moves past as many readers as one
    thread could have reached: its stride times everything the run sent (those finished,
    at most one in flight per connection)."""

    def __init__(self, script: Path, path: str, body: str, cookies: Path, count: int, threads: int):
        self.script, self.path, self.body = str(script), path, body
        self.cookies, self.count, self.threads = cookies, count, threads
        self.first = 0

    def args(self) -> tuple[str, ...]:
        return (
            self.path,
            self.body,
            str(self.cookies),
            str(self.threads),
            CSRF_TOKEN,
            str(self.first),
        )

    def spent(self, result: dict, connections: int) -> None:
        self.first += self.threads * (result["requests"] + connections)
        if self.first >= self.count:
            log(f"the {self.count} readers were all used: the next write runs repeat them")
            self.first = 0


READ_SCRIPT = """
local paths, sent = {}, 0
function init(args)
  for _, item in ipairs(args) do paths[#paths + 1] = item end
end
function request()
  sent = sent + 1
  return wrk.format("GET", paths[(sent % #paths) + 1])
end
"""


def measure_admin(targets, names, runs):
    """{name: (median ms, queries, status)} of the admin's pages as a superuser sees them:
    Django's test client in this process (same settings as the servers, page cache off),
    one connection, each page once to warm up, then ``runs`` times."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, _created = get_user_model().objects.get_or_create(
        username="bench-admin",
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@example.org"},
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    # Signed in with both factors, as staff are: the session verified by an authenticator.
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="Bench authenticator", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    base = "/admin/publications/publication/"
    paths = {
        "admin_list": base,
        "admin_search": f"{base}?q={quote_plus(ADMIN_SEARCH)}",
        "admin_change": f"{base}{targets['_detail'].pk}/change/",
    }
    results = {}
    for name in names:
        client.get(paths[name])  # warm: templates, the connection, the shared caches
        # Counted by a wrapper: the query log may already hold its 9,000 entries here.
        executed = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            status = client.get(paths[name]).status_code
        timings = []
        for _run in range(runs):
            started = time.perf_counter()
            client.get(paths[name])
            timings.append((time.perf_counter() - started) * 1000)
        results[name] = (statistics.median(timings), len(executed), status)
    return results


def log(message):
    print(message, file=sys.stderr, flush=True)


# --- what the machine needs ---------------------------------------------------------------


def apt_install(*packages):
    """Install Debian packages when this is root on a machine with apt; True if it worked."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log(f"installing {' '.join(packages)} with apt-get")
    for attempt in ("install", "update"):
        if attempt == "update":
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", *packages],
            env=env,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        if done.returncode == 0:
            return True
    return False


def ensure_wrk():
    """wrk drives the pages: installed here when missing, or one line saying how."""
    if shutil.which("wrk") or (apt_install("wrk") and shutil.which("wrk")):
        return True
    print(
        "make bench needs wrk (HTTP load generator): install it with "
        "`apt-get install wrk` (Debian, Ubuntu) or `brew install wrk` (macOS), then run again.",
        file=sys.stderr,
    )
    return False


def ensure_rum(url):
    """PostgreSQL's RUM extension (search in rank order), from Debian's
    postgresql-MAJOR-rum, when the database runs on this machine. Without it search uses
    the GIN index (slower for common words): a line says so, the run goes on."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres") or parts.hostname not in ("127.0.0.1", "localhost"):
        return
    import psycopg

    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
        available = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'rum'"
        ).fetchone()
    if available or apt_install(f"postgresql-{major}-rum"):
        return
    log(
        f"RUM is not installed (apt-get install postgresql-{major}-rum): search is measured "
        "on the GIN index"
    )


# --- the database ------------------------------------------------------------------------


def ensure_database(url):
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            log(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(publications, *, oai=True):
    from django.core.management import call_command

    from publications.models import Publication

    log("migrate")
    call_command("migrate", interactive=False, verbosity=0)
    have = Publication.objects.filter(slug__startswith="gen-").count()
    if have != publications:
        log(f"generating content: {have} → {publications} publications")
        started = time.monotonic()
        if have > publications:
            call_command(
                "generate_content", clear=True, publications=publications, stdout=sys.stderr
            )
        else:
            call_command("generate_content", publications=publications - have, stdout=sys.stderr)
        log(f"generated in {time.monotonic() - started:.0f}s")
    from dialogue_portal.oai.models import Record

    if not oai:
        log("OAI records: not built (the oai page is not measured in this run)")
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    elif Publication.objects.exclude(
        pk__in=Record.objects.values("publication_id")
    ).exists():  # a record for every publication (a scheduled one's is hidden until its date)
        log("OAI records")
        started = time.monotonic()
        call_command("oai_refresh", stdout=sys.stderr)
        log(f"OAI records built in {time.monotonic() - started:.0f}s")
        from django.db import connection

        if connection.vendor == "postgresql":
            # Fresh statistics for the planner and a visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    log("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)


def oai_middle_page():
    """A ListRecords page (oai_openaire, 100 records) from the middle of a full harvest: the
    resumption token a harvester would hold there."""
    from urllib.parse import quote

    from django.conf import settings
    from django.utils import timezone

    from dialogue_portal.oai import protocol
    from dialogue_portal.oai.models import Record

    records = Record.objects.visible(timezone.now()).in_harvest_order()
    size = records.count()
    middle = records[size // 2]
    state = {
        "v": 1,
        "verb": "ListRecords",
        "p": "oai_openaire",
        "s": None,
        "f": None,
        "u": None,
        "t": timezone.now().isoformat(),
        "c": [middle.created.isoformat(), middle.pk],
        "n": size // 2 + 1,
        "z": size,
    }
    assert settings.OAI_PAGE_SIZE == 100
    return f"/oai/?verb=ListRecords&resumptionToken={quote(protocol.make_token(state))}"


def pick_targets(*, oai=True):
    """The URLs to measure: ordinary, not best-case, rows of the generated content."""
    from django.db.models import Count

    from people.models import Institution, Person
    from polls.models import Poll
    from publications.models import Publication, Topic

    published = Publication.objects.published().filter(slug__startswith="gen-")
    detail = (
        published.filter(project__isnull=False, language="en", translations__isnull=False)
        .annotate(n=Count("authorships"))
        .filter(n__gte=2)
        .order_by("pk")
        .first()
    ) or published.order_by("pk").first()
    author = (
        Person.objects.filter(slug__startswith="gen-")
        .annotate(n=Count("authorships"))
        .order_by("-n", "pk")
        .first()
    )
    topic = Topic.objects.filter(slug__startswith="gen-").order_by("pk").first()
    poll = Poll.objects.filter(slug__startswith="gen-").order_by("pk").first()
    institution = Institution.objects.filter(slug__startswith="gen-").order_by("pk").first()
    featured = Poll.objects.featured(Poll.Placement.HOME)
    if featured is None:
        # The storm votes on the home page's poll: make a generated one that poll.
        Poll.objects.filter(pk=poll.pk).update(placement=Poll.Placement.HOME)
        featured = Poll.objects.featured(Poll.Placement.HOME)
    filtered = f"/publications/?topic={topic.slug}&date_from=2015-01-01&date_to=2019-12-31"
    return {
        "oai": oai_middle_page() if oai else "/oai/?verb=Identify",
        "home": "/",
        "list": "/publications/",
        "list_filtered": filtered,
        "list_sorted": "/publications/?sort=rating",
        "search": "/search/?q=arms+control",
        "search_ru": "/ru/search/?q=" + quote_plus("безопасность доверие"),
        "detail": f"/publications/{detail.slug}/",
        "author": f"/people/{author.slug}/",
        "poll": f"/polls/{poll.slug}/",
        "rate": f"/publications/{detail.slug}/rate/",
        "vote": f"/polls/{poll.slug}/vote/",
        "institution": f"/institutions/{institution.slug}/",
        "topic": f"/topics/{topic.slug}/",
        "people": "/people/",
        "polls": "/polls/",
        "feed": "/feeds/latest.rss",
        "storm_vote": f"/polls/{featured.slug}/vote/",
        "_detail": detail,
        "_poll": poll,
        "_choice": poll.choices.order_by("pk").first(),
        "_featured": featured,
        "_featured_choice": featured.choices.order_by("pk").first(),
    }


def reader_cookies(count, path, tag="r"):
    """``count`` Cookie headers, each a different anonymous reader with a valid signed cookie."""
    from django.conf import settings

    from dialogue_portal.core.readers import signed_reader_cookie

    name = getattr(settings, "READER_COOKIE_NAME", "dp_reader")
    prefix = f"{tag}{os.getpid() % 100000:05d}{int(time.time()) % 100000:05d}"
    with open(path, "w") as handle:
        for i in range(count):
            token = f"{prefix}{i:021d}"
            handle.write(f"csrftoken={CSRF_TOKEN}; {name}={signed_reader_cookie(token)}\n")
    return path


def count_queries(targets, post_data):
    """SQL queries each page makes as it does under load: page cache off, the shared
    caches (term lists, facet counts, cards) warm from one earlier request. The tests in
    tests/site/test_query_counts.py pin these and the counts with every cache empty."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from dialogue_portal.core.readers import signed_reader_cookie

    def refresh_counts():
        call_command("refresh_counts", verbosity=0)

    def poster():
        """A client for a new anonymous reader (as every write under wrk is)."""
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["csrftoken"] = CSRF_TOKEN
        client.cookies[settings.READER_COOKIE_NAME] = signed_reader_cookie(secrets.token_hex(16))
        return client

    counts = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        client = Client(HTTP_HOST="127.0.0.1")
        for page in PAGES:
            path = targets[page]
            if page in post_data:
                poster().post(path, post_data[page], HTTP_X_CSRFTOKEN=CSRF_TOKEN)
                with CaptureQueriesContext(connection) as queries:  # a new reader's write
                    response = poster().post(path, post_data[page], HTTP_X_CSRFTOKEN=CSRF_TOKEN)
            else:
                client.get(path)
                refresh_counts()  # as the refresher does in production (run alongside)
                client.get(path)
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path)
            counts[page] = (len(queries), response.status_code)
    return counts


# --- gunicorn and wrk ------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env, workers=2):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dialogue_portal.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:  # refused, reset or timed out while workers start
                if process.poll() is not None:
                    raise RuntimeError("gunicorn exited at start-up") from None
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer")
        yield base, process
    finally:
        stop(process, 20)


def stop(process, seconds):
    """SIGTERM, then SIGKILL if it has not exited within ``seconds``."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url, *, seconds, connections, threads, script=None, script_args=()):
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-H",
        "User-Agent: Mozilla/5.0 (bench)",
    ]
    script = script or plain_script
    if script:
        command += ["-s", script]
    command.append(url)
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for percentile in ("50", "99"):
        match = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        result[f"p{percentile}"] = float(match.group(1)) * UNITS[match.group(2)] if match else 0.0
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["errors"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = (int(errors.group(1)) + int(errors.group(4))) if errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", output).group(1))
    return result


def drain(base, limit=120):
    """Wait until the workers have answered what wrk left queued, so that a slow page's
    backlog is not counted against the next one."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/healthz", timeout=limit).read()
            if time.monotonic() - started < 0.05:
                return
        time.sleep(0.2)


FLOOR_PATH = "/bench/floor/"
SLICES = 3


def measure(
    base,
    path,
    *,
    seconds,
    connections,
    threads,
    warmup,
    readers=None,
    floor=None,
    lone=True,
):
    """The page under load, in SLICES slices each followed by as long a slice of the
    floor (on a shared machine the speed drifts within seconds, so the page and its floor
    are measured turn about); ``floor_rps`` is the floor's rate over its slices; then a
    lone reader's median (``c1_p50``). Quick mode gives ``floor`` (the floor's rate measured
    once), which is not measured again, and no ``lone`` reader."""
    url = base + path

    def load(seconds, connections, threads):
        if readers is None:
            return wrk(url, seconds=seconds, connections=connections, threads=threads)
        result = wrk(
            url,
            seconds=seconds,
            connections=connections,
            threads=threads,
            script=readers.script,
            script_args=readers.args(),
        )
        readers.spent(result, connections)
        return result

    if warmup:
        load(warmup, connections, threads)
        drain(base)
    slices = SLICES if seconds >= SLICES else 1
    part = max(1, seconds // slices)
    pages, floors = [], []
    for _slice in range(slices):
        pages.append(load(part, connections, threads))
        drain(base)
        if floor is None:
            floors.append(
                wrk(base + FLOOR_PATH, seconds=part, connections=connections, threads=threads)
            )
            drain(base)
    loaded = {
        "rps": sum(r["rps"] for r in pages) / slices,
        "p50": sorted(r["p50"] for r in pages)[slices // 2],
        "p99": max(r["p99"] for r in pages),
        "errors": sum(r["errors"] for r in pages),
        "socket_errors": sum(r["socket_errors"] for r in pages),
        "requests": sum(r["requests"] for r in pages),
        "floor_rps": floor if floor is not None else sum(r["rps"] for r in floors) / slices,
    }
    if not lone:
        return loaded | {"c1_p50": None, "lone_requests": None}
    single = load(max(1, seconds // 2), 1, 1)
    drain(base)
    loaded["c1_p50"] = single["p50"]
    loaded["errors"] += single["errors"]
    loaded["socket_errors"] += single["socket_errors"]
    loaded["lone_requests"] = single["requests"]
    return loaded


def check_status(base, path, *, wait=600):
    """The page's status once the shared caches hold what it shows: at a million
    publications a list's cold facet counts take longer than a reader would wait. A list
    whose counts are still being counted (``data-counts="pending"``, the refresher's
    work) is asked again until they are there."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(base + path, timeout=wait) as response:
                pending = b'data-counts="pending"' in response.read()
                if not pending or time.monotonic() > deadline:
                    return response.status
        except urllib.error.HTTPError as error:
            return error.code
        time.sleep(0.5)


@contextlib.contextmanager
def refresher(env):
    """``manage.py refresh_counts --every 1`` beside the servers, as in production: it
    counts what readers asked for and keeps the unfiltered counts fresh."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "refresh_counts", "--every", "1", "-v0"], cwd=ROOT, env=env
    )
    try:
        yield process
    finally:
        stop(process, 60)


def storm(base, targets, post_data, script, read_script, cookies, common):
    """Readers of cached pages while others vote and rate without pause: the readers'
    figures (with a lone reader's median taken during the storm too) and the writers'."""
    reads = (targets["home"], targets["detail"])
    write_paths = "|".join((targets["storm_vote"], targets["rate"]))
    bodies = "|".join(
        (f"choice={targets['_featured_choice'].pk}", f"stars={post_data['rate']['stars']}")
    )

    def writers(seconds):
        return subprocess.Popen(
            [
                "wrk",
                "-t1",
                f"-c{STORM_WRITERS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                base,
                "--",
                write_paths,
                bodies,
                str(cookies),
                "1",
                CSRF_TOKEN,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )

    readers = STORM_READERS if common["connections"] >= STORM_READERS else common["connections"]
    seconds = common["seconds"]
    for path in reads:  # a page that goes viral has been read before: in the page cache
        check_status(base, path)
    lead = max(1, common["warmup"])
    background = writers(seconds + lead + max(1, seconds // 2) + 2)
    time.sleep(lead)  # the storm is on before the readers start
    loaded = wrk(
        base,
        seconds=seconds,
        connections=readers,
        threads=common["threads"],
        script=str(read_script),
        script_args=reads,
    )
    lone = wrk(
        base,
        seconds=max(1, seconds // 2),
        connections=1,
        threads=1,
        script=str(read_script),
        script_args=reads,
    )
    output = background.communicate()[0]
    drain(base)
    written = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    written["errors"] = int(bad.group(1)) if bad else 0
    loaded["c1_p50"] = lone["p50"]
    loaded["errors"] += lone["errors"] + written["errors"]
    loaded["socket_errors"] += lone["socket_errors"]
    loaded["lone_requests"] = lone["requests"]
    return loaded, written


# --- what the write runs left behind ----------------------------------------------------------


def totals_match(targets):
    from django.db.models import Count, Sum

    from polls.models import Choice, Poll
    from publications.models import Publication

    publication = Publication.objects.annotate(
        rows=Count("ratings"), stars=Sum("ratings__stars")
    ).get(pk=targets["_detail"].pk)
    lines = [
        f"rating rows={publication.rows} stored_count={publication.rating_count} "
        f"stars={publication.stars or 0} stored_sum={publication.rating_sum}",
    ]
    ok = (
        publication.rows == publication.rating_count
        and (publication.stars or 0) == publication.rating_sum
    )
    for pk in sorted({targets["_poll"].pk, targets["_featured"].pk}):
        poll = Poll.objects.annotate(rows=Count("votes")).get(pk=pk)
        choices = Choice.objects.filter(poll=poll).annotate(rows=Count("votes"))
        exact = all(c.rows == c.vote_count for c in choices)
        lines.append(
            f"vote poll={poll.slug} rows={poll.rows} stored_total={poll.total_votes} "
            f"choices_exact={exact}"
        )
        ok = ok and poll.rows == poll.total_votes and exact
    return ok, lines


# --- the run ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="300 publications, 1 s per page, no warm-up, the floor measured once, no lone reader",
    )
    parser.add_argument("--seconds", type=int, default=None, help="wrk duration per page")
    parser.add_argument(
        "--pages",
        default="",
        help="measure only these, comma-separated (e.g. list,search,detail,detail_cached,storm)",
    )
    args = parser.parse_args()
    chosen = {name for name in args.pages.split(",") if name}
    unknown = chosen - {*PAGES, *(f"{p}_cached" for p in CACHED_PAGES), "storm", *ADMIN_PAGES}
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")

    def wanted(name):
        return not chosen or name in chosen

    quick = args.quick
    publications = 300 if quick else args.publications
    seconds = args.seconds or (1 if quick else 10)
    connections = 8 if quick else 32
    # Quick mode checks answers and totals, not speed: no warm-up (each page has answered
    # once already, check_status below), which is a second and a drain per page.
    warmup = 0 if quick else 2
    database_url = os.environ.get("DATABASE_URL") or (QUICK_URL if quick else DEFAULT_URL)
    if not ensure_wrk():
        return 2
    ensure_rum(database_url)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": REDIS_URL,
        "PAGE_CACHE_SECONDS": "0",
        # The production settings with /bench/floor/ routed (tests/benchmarks/urls.py).
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "WRITE_RATE_LIMIT": "0",  # every request comes from 127.0.0.1: measure, not limit
        "VOTES_PER_ADDRESS_PER_POLL_PER_DAY": "0",
        "RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY": "0",
        # The storm measures counting, not the proof-of-work check a busy poll asks for.
        "POLL_BUSY_VOTES_PER_MINUTE": "0",
        "PUBLICATION_BUSY_RATINGS_PER_MINUTE": "0",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
        # Keys of this run only: others may be measuring against the same Redis.
        "CACHE_KEY_PREFIX": f"bench{os.getpid()}",
    }
    # This process counts queries with a cache of its own (nothing shared with the servers).
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")
    os.chdir(ROOT)
    ensure_database(database_url)
    import django

    django.setup()
    prepare(publications, oai=wanted("oai"))
    targets = pick_targets(oai=wanted("oai"))
    post_data = {
        "rate": {"stars": "4"},
        "vote": {"choice": str(targets["_choice"].pk)},
    }
    from django.urls import Resolver404, resolve

    writes = []
    for page in ("rate", "vote"):
        try:
            resolve(targets[page])
            writes.append(page)
        except Resolver404:
            log(f"{targets[page]} is not routed yet: {page} is not measured")
    pages = [p for p in PAGES if (p not in ("rate", "vote") or p in writes) and wanted(p)]
    queries = count_queries(targets, {p: post_data[p] for p in writes})
    failed = [f"{p} answered {status}" for p, (_n, status) in queries.items() if status >= 400]
    log("admin")
    admin = measure_admin(targets, [p for p in ADMIN_PAGES if wanted(p)], 5 if quick else 21)
    failed += [f"{p} answered {status}" for p, (_ms, _n, status) in admin.items() if status >= 400]

    results, floors, workers = {}, {}, []
    common = {"connections": connections, "threads": 2, "warmup": warmup, "seconds": seconds}

    def floor_now(base):
        # Around the storm: a shared machine's speed drifts within a run (the floor fell
        # from 831 to 575 rps in one), so the storm is compared with its neighbours.
        rps = wrk(
            base + FLOOR_PATH,
            seconds=max(1, seconds // 2),
            connections=connections,
            threads=common["threads"],
        )["rps"]
        drain(base)
        return rps

    with tempfile.TemporaryDirectory() as tmp:
        stop = STOP_AFTER % QUICK_ANSWERS if quick else ""
        script = Path(tmp, "post.lua")
        script.write_text(POST_SCRIPT + stop)
        read_script = Path(tmp, "read.lua")
        read_script.write_text(READ_SCRIPT + stop)
        if quick:
            global plain_script
            plain_script = Path(tmp, "plain.lua")
            plain_script.write_text(stop)
        # The storm's writers write for their whole run in quick mode too: a stopped wrk
        # thread leaves its connections open, and each holds a sync worker until wrk ends.
        storm_script = Path(tmp, "storm.lua")
        storm_script.write_text(POST_SCRIPT)
        cookie_count = 4000 if quick else 200_000
        cookies = reader_cookies(cookie_count, Path(tmp, "readers.txt"))
        with refresher(env), gunicorn(env) as (base, server):
            for page in pages:
                status = check_status(base, targets[page]) if page not in writes else 200
                if status >= 400:
                    failed.append(f"{page} answered {status} under gunicorn")
            log("floor, warming up")
            if quick:
                # Quick mode checks answers and totals: the floor once, for the record, and
                # no lone reader (c1_p50_ms=-).
                common["lone"] = False
                common["floor"] = wrk(
                    base + FLOOR_PATH, seconds=seconds, connections=connections, threads=2
                )["rps"]
                drain(base)
            else:
                measure(base, "/bench/floor/", **common)
            for page in pages:
                log(page)
                if page in writes:
                    body = "&".join(f"{k}={v}" for k, v in post_data[page].items())
                    readers = NewReaders(
                        script, targets[page], body, cookies, cookie_count, common["threads"]
                    )
                    results[page] = measure(base, "", readers=readers, **common)
                else:
                    results[page] = measure(base, targets[page], **common)
                floors[page] = results[page]["floor_rps"]
            workers += [(pid, peak_rss_mb(pid)) for pid in worker_pids(server.pid)]
        cached_env = {**env, "PAGE_CACHE_SECONDS": "600"}
        with refresher(cached_env), gunicorn(cached_env) as (base, server):
            for page in [p for p in CACHED_PAGES if wanted(f"{p}_cached")]:
                name = f"{page}_cached"
                log(name)
                status = check_status(base, targets[page])  # builds and stores the page
                if status >= 400:
                    failed.append(f"{name} answered {status} under gunicorn")
                results[name] = measure(base, targets[page], **common)
                floors[name] = results[name]["floor_rps"]
                pages.append(name)
            if writes and wanted("storm"):
                log("storm")
                voters = reader_cookies(50_000, Path(tmp, "storm.txt"), tag="s")  # new readers
                before = floor_now(base)
                results["storm"], storm_writes = storm(
                    base, targets, post_data, storm_script, read_script, voters, common
                )
                floors["storm"] = (before + floor_now(base)) / 2  # the floor around it
                pages.append("storm")
                queries["storm"] = (0, 200)
            workers += [(pid, peak_rss_mb(pid)) for pid in worker_pids(server.pid)]

    for page in pages:
        r = results[page]
        if r["errors"]:
            failed.append(f"{page}: {r['errors']} responses were not 2xx/3xx")
        if not r["requests"] or r["lone_requests"] == 0:
            failed.append(f"{page}: no request finished within the run")
        if r["socket_errors"]:
            log(f"{page}: {r['socket_errors']} requests timed out or could not connect")
        extra = ""
        if page == "storm":
            extra = f" writes_rps={storm_writes['rps']:.1f} write_errors={storm_writes['errors']}"
        queries_made = queries.get(page, queries.get(page.removesuffix("_cached"), (0, 0)))[0]
        print(
            f"BENCH page={page} rps={r['rps']:.1f} floor_rps={floors[page]:.1f} "
            f"ratio={r['rps'] / floors[page]:.2f} p50_ms={r['p50']:.2f} p99_ms={r['p99']:.2f} "
            f"c1_p50_ms={'-' if r['c1_p50'] is None else format(r['c1_p50'], '.2f')} "
            f"queries={queries_made}{extra}",
            flush=True,
        )
    for page, (ms, queries_made, _status) in admin.items():
        runs = 5 if quick else 21
        print(
            f"BENCH page={page} c1_p50_ms={ms:.2f} queries={queries_made} runs={runs}", flush=True
        )
    for pid, peak in workers:
        print(f"BENCH worker pid={pid} peak_rss_mb={peak:.1f}", flush=True)
    if writes:
        ok, lines = totals_match(targets)
        for line in lines:
            print(f"BENCH totals {line} exact={ok}", flush=True)
        if not ok:
            failed.append("stored totals differ from the rows")
    if failed:
        log("FAILED: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

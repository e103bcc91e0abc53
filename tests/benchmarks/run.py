#!/usr/bin/env python
"""`make bench`: load the site with N publications and measure its pages under gunicorn.

Fills PostgreSQL (DATABASE_URL, default dp_d_bench; quick mode dp_d_bench_quick) with
generated content, starts gunicorn with two sync workers and production settings, and
drives each page with wrk: 32 connections for throughput and latency, then one
connection for the latency a lone reader sees. A trivial floor view (BENCH_FLOOR=1)
measured in the same server right after each page shows what the machine can do at all
at that moment; each page's ratio to it is the figure that travels between machines.
``queries`` is what a page makes under load: page cache off, shared caches warm. Prints
one line per page:

    BENCH page=NAME rps=R floor_rps=F ratio=R/F p50_ms=A p99_ms=B c1_p50_ms=C queries=Q

then each worker's peak memory. Exits non-zero when a page answers with an error, or
when the stored rating and vote totals differ from their rows after the write runs.
"""

import argparse
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

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
    "detail",
    "detail_cached",
    "author",
    "poll",
    "oai",
    "rate",
    "vote",
]
POST_SCRIPT = """
local cookies, counter, step = {}, 0, 1
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  path, body = args[1], args[2]
  for line in io.lines(args[3]) do cookies[#cookies + 1] = line end
  step, token = tonumber(args[4]), args[5]
  counter = tid or 0
end
function request()
  local cookie = cookies[(counter % #cookies) + 1]
  counter = counter + step
  return wrk.format("POST", path, {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = token,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
"""


def log(message):
    print(message, file=sys.stderr, flush=True)


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


def prepare(publications):
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

    if Record.objects.filter(deleted=False).count() != Publication.objects.published().count():
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


def pick_targets():
    """The URLs to measure: ordinary, not best-case, rows of the generated content."""
    from django.db.models import Count

    from people.models import Person
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
    filtered = f"/publications/?topic={topic.slug}&date_from=2015-01-01&date_to=2019-12-31"
    return {
        "oai": oai_middle_page(),
        "home": "/",
        "list": "/publications/",
        "list_filtered": filtered,
        "list_sorted": "/publications/?sort=rating",
        "search": "/search/?q=arms+control",
        "detail": f"/publications/{detail.slug}/",
        "detail_cached": f"/publications/{detail.slug}/",
        "author": f"/people/{author.slug}/",
        "poll": f"/polls/{poll.slug}/",
        "rate": f"/publications/{detail.slug}/rate/",
        "vote": f"/polls/{poll.slug}/vote/",
        "_detail": detail,
        "_poll": poll,
        "_choice": poll.choices.order_by("pk").first(),
    }


def reader_cookies(count, path):
    """``count`` Cookie headers, each a different anonymous reader with a valid signed cookie."""
    from django.conf import settings
    from django.core import signing

    name = getattr(settings, "READER_COOKIE_NAME", "dp_reader")
    try:
        from dialogue_portal.readers import signed_reader_cookie
    except ImportError:  # readers.py not there yet: sign as it will

        def signed_reader_cookie(token):
            salt = name + "dialogue_portal.readers"
            return signing.get_cookie_signer(salt=salt).sign(token)

    prefix = f"bench{os.getpid() % 100000:05d}{int(time.time()) % 100000:05d}"
    with open(path, "w") as handle:
        for i in range(count):
            token = f"{prefix}{i:022d}"[-32:]
            handle.write(f"csrftoken={CSRF_TOKEN}; {name}={signed_reader_cookie(token)}\n")
    return path


def count_queries(targets, post_data):
    """SQL queries each page makes as it does under load: page cache off, the shared
    caches (term lists, facet counts, cards) warm from one earlier request. The tests in
    tests/site/test_query_counts.py pin these and the counts with every cache empty."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    def poster():
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["csrftoken"] = CSRF_TOKEN
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
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
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


def measure(base, path, *, seconds, connections, threads, warmup, script=None, script_args=()):
    url = base + path
    run = {"script": script, "script_args": script_args}
    if warmup:
        wrk(url, seconds=warmup, connections=connections, threads=threads, **run)
        drain(base)
    loaded = wrk(url, seconds=seconds, connections=connections, threads=threads, **run)
    drain(base)
    lone = wrk(url, seconds=max(1, seconds // 2), connections=1, threads=1, **run)
    drain(base)
    loaded["c1_p50"] = lone["p50"]
    loaded["errors"] += lone["errors"]
    loaded["socket_errors"] += lone["socket_errors"]
    loaded["lone_requests"] = lone["requests"]
    return loaded


def check_status(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# --- what the write runs left behind ----------------------------------------------------------


def totals_match(targets):
    from django.db.models import Count, Sum

    from polls.models import Choice, Poll
    from publications.models import Publication

    publication = Publication.objects.annotate(
        rows=Count("ratings"), stars=Sum("ratings__stars")
    ).get(pk=targets["_detail"].pk)
    poll = Poll.objects.annotate(rows=Count("votes")).get(pk=targets["_poll"].pk)
    choices = Choice.objects.filter(poll=poll).annotate(rows=Count("votes"))
    lines = [
        f"rating rows={publication.rows} stored_count={publication.rating_count} "
        f"stars={publication.stars or 0} stored_sum={publication.rating_sum}",
        f"vote rows={poll.rows} stored_total={poll.total_votes} "
        f"choices_exact={all(c.rows == c.vote_count for c in choices)}",
    ]
    ok = (
        publication.rows == publication.rating_count
        and (publication.stars or 0) == publication.rating_sum
        and poll.rows == poll.total_votes
        and all(c.rows == c.vote_count for c in choices)
    )
    return ok, lines


# --- the run ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="300 publications, 1 s per page")
    parser.add_argument("--seconds", type=int, default=None, help="wrk duration per page")
    args = parser.parse_args()
    quick = args.quick
    publications = 300 if quick else args.publications
    seconds = args.seconds or (1 if quick else 10)
    connections = 8 if quick else 32
    warmup = 1 if quick else 2
    database_url = os.environ.get("DATABASE_URL") or (QUICK_URL if quick else DEFAULT_URL)

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": REDIS_URL,
        "PAGE_CACHE_SECONDS": "0",
        "BENCH_FLOOR": "1",
        "WRITE_RATE_LIMIT": "0",  # every request comes from 127.0.0.1: measure, not limit
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    # This process counts queries with a cache of its own (nothing shared with the servers).
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")
    os.chdir(ROOT)
    ensure_database(database_url)
    import django

    django.setup()
    prepare(publications)
    targets = pick_targets()
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
    pages = [p for p in PAGES if p not in ("rate", "vote") or p in writes]
    queries = count_queries(targets, {p: post_data[p] for p in writes})
    failed = [f"{p} answered {status}" for p, (_n, status) in queries.items() if status >= 400]

    results, floors, workers = {}, {}, []
    common = {"connections": connections, "threads": 2, "warmup": warmup, "seconds": seconds}

    def floor_now(base):
        # Right after each page: a shared machine's speed drifts within a run (the floor
        # fell from 831 to 575 rps in one), so each page is compared with its neighbour.
        rps = wrk(
            base + "/bench/floor/",
            seconds=max(1, seconds // 2),
            connections=connections,
            threads=common["threads"],
        )["rps"]
        drain(base)
        return rps

    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "post.lua")
        script.write_text(POST_SCRIPT)
        cookies = reader_cookies(4000 if quick else 200_000, Path(tmp, "readers.txt"))
        with gunicorn(env) as (base, server):
            for page in pages:
                if page != "detail_cached":
                    status = check_status(base, targets[page]) if page not in writes else 200
                    if status >= 400:
                        failed.append(f"{page} answered {status} under gunicorn")
            log("floor, warming up")
            measure(base, "/bench/floor/", **common)
            for page in pages:
                if page == "detail_cached":
                    continue
                log(page)
                if page in writes:
                    body = "&".join(f"{k}={v}" for k, v in post_data[page].items())
                    step = str(common["threads"])
                    results[page] = measure(
                        base,
                        "",
                        script=str(script),
                        script_args=(targets[page], body, str(cookies), step, CSRF_TOKEN),
                        **common,
                    )
                else:
                    results[page] = measure(base, targets[page], **common)
                floors[page] = floor_now(base)
            workers += [(pid, peak_rss_mb(pid)) for pid in worker_pids(server.pid)]
        log("detail_cached")
        cached_env = {**env, "PAGE_CACHE_SECONDS": "600"}
        with gunicorn(cached_env) as (base, server):
            urllib.request.urlopen(base + targets["detail_cached"], timeout=30).read()
            results["detail_cached"] = measure(base, targets["detail_cached"], **common)
            floors["detail_cached"] = floor_now(base)
            workers += [(pid, peak_rss_mb(pid)) for pid in worker_pids(server.pid)]

    for page in pages:
        r = results[page]
        if r["errors"]:
            failed.append(f"{page}: {r['errors']} responses were not 2xx/3xx")
        if not r["requests"] or not r["lone_requests"]:
            failed.append(f"{page}: no request finished within the run")
        if r["socket_errors"]:
            log(f"{page}: {r['socket_errors']} requests timed out or could not connect")
        print(
            f"BENCH page={page} rps={r['rps']:.1f} floor_rps={floors[page]:.1f} "
            f"ratio={r['rps'] / floors[page]:.2f} p50_ms={r['p50']:.2f} p99_ms={r['p99']:.2f} "
            f"c1_p50_ms={r['c1_p50']:.2f} queries={queries[page][0]}",
            flush=True,
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

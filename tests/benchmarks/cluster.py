#!/usr/bin/env python
"""`make bench-cluster`: the figures of the running cluster of `make cluster`.

Prints lines like `make bench` (tests/benchmarks/run.py), taken on the cluster's demo
content:

    BENCH page=varnish_detail rps=R floor_rps=F ratio=R/F p50_ms=A p99_ms=B
    BENCH page=varnish_list ...          cache hits through Varnish, to the floor page
                                         served directly by one node
    BENCH page=cluster_detail_miss ...   both nodes at once, page cache off, Varnish
                                         bypassed, to the floor on both nodes at once
    BENCH page=purge_to_fresh edits=N p50_ms=A p99_ms=B
                                         an editor renames a topic; from the save's answer
                                         (sent once the change committed) until Varnish
                                         serves the topic's page with the new name
    BENCH page=replica_reads share=S replica_queries=R primary_queries=P
                                         of a read-only run on both nodes (page cache off),
                                         the share of its queries the replica served,
                                         counted by pg_stat_statements on each server

The floor (/bench/floor/, tests/benchmarks/urls.py) and the page-cache-off pages are served
by two extra gunicorn nodes started here, as the cluster's nodes are (same environment,
same number of workers), on ports 8493 and 8494, and stopped at the end.
"""

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

STATE = Path(os.environ.get("CLUSTER_DIR", ROOT / ".cluster"))
if not (STATE / "env").is_file():
    raise SystemExit(f"No cluster environment at {STATE}/env: run `make cluster` first.")
# This process signs in with the demo's authenticator secrets (the cluster's settings).
os.environ.update(
    line.split("=", 1) for line in (STATE / "env").read_text().splitlines() if "=" in line
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")

import django  # noqa: E402

django.setup()

from tests.benchmarks.run import FLOOR_PATH, drain, wrk  # noqa: E402
from tests.cluster.conftest import Browser, read_env, sql  # noqa: E402

EXTRA_PORTS = (8493, 8494)
SLICES = 3
# Statements that are not the run's reads: the task workers' polling (its queries and the
# transactions around them), the scheduler's, ours, the health probes' (`SELECT 1` and the
# replica's replay position, every second from Varnish), and the time zone each connection
# sets. The routing's own look at the replay position (`- '0/0'`) is the run's.
NOT_THE_RUN = (
    "django_tasks_database",
    "schedule_scheduledrun",
    "pg_stat_statements",
    r"^(BEGIN|COMMIT|ROLLBACK)$",
    r"^SELECT \$1$",
    r"^SELECT pg_last_wal_replay_lsn\(\)$",
    "^SELECT set_config",
)


def log(message):
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def extra_nodes(env, workers):
    """Two more nodes like the cluster's, page cache off, with the floor page routed."""
    node_env = {
        **os.environ,
        **env,
        "PAGE_CACHE_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    processes = []
    try:
        for port in EXTRA_PORTS:
            command = [str(ROOT / ".venv/bin/gunicorn"), "dialogue_portal.wsgi"]
            command += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60"]
            processes.append(
                subprocess.Popen(
                    command,
                    env=node_env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port in EXTRA_PORTS:
            wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        yield [f"http://127.0.0.1:{port}" for port in EXTRA_PORTS]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for(url, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=5).read()
            return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {seconds}s")


def load(urls, *, seconds, connections):
    """wrk on each of ``urls`` at once (one per node), their figures together."""
    with ThreadPoolExecutor(len(urls)) as pool:
        runs = list(
            pool.map(
                lambda url: wrk(url, seconds=seconds, connections=connections, threads=2), urls
            )
        )
    return {
        "rps": sum(r["rps"] for r in runs),
        "p50": max(r["p50"] for r in runs),
        "p99": max(r["p99"] for r in runs),
        "errors": sum(r["errors"] + r["socket_errors"] for r in runs),
    }


def turn_about(page_urls, floor_urls, *, seconds, connections):
    """The page and its floor measured in turn, SLICES times (the machine is shared)."""
    part = max(1, seconds // SLICES)
    load(page_urls, seconds=1, connections=connections)  # warm
    pages, floors = [], []
    for _ in range(SLICES):
        pages.append(load(page_urls, seconds=part, connections=connections))
        floors.append(load(floor_urls, seconds=part, connections=connections))
        for url in {*page_urls, *floor_urls}:
            drain(origin(url))
    return {
        "rps": sum(r["rps"] for r in pages) / SLICES,
        "floor_rps": sum(r["rps"] for r in floors) / SLICES,
        "p50": sorted(r["p50"] for r in pages)[SLICES // 2],
        "p99": max(r["p99"] for r in pages),
        "errors": sum(r["errors"] for r in pages),
    }


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def report(name, r):
    print(
        f"BENCH page={name} rps={r['rps']:.1f} floor_rps={r['floor_rps']:.1f} "
        f"ratio={r['rps'] / r['floor_rps']:.2f} p50_ms={r['p50']:.2f} p99_ms={r['p99']:.2f} "
        f"errors={r['errors']}",
        flush=True,
    )


def targets(env):
    (detail,) = sql(
        env,
        "primary",
        "SELECT p.slug FROM publications_publication p"
        " WHERE p.status = 'published' AND p.published_at <= now() ORDER BY"
        " (SELECT count(*) FROM publications_authorship a WHERE a.publication_id = p.id) DESC,"
        " p.id LIMIT 1",
    )[0]
    return {"detail": f"/publications/{detail}/", "list": "/publications/"}


def purge_to_fresh(env, front, edits):
    (topic_id, original, slug) = sql(
        env,
        "primary",
        "SELECT t.id, t.name, t.slug FROM publications_topic t WHERE EXISTS"
        " (SELECT 1 FROM publications_publication_topics p WHERE p.topic_id = t.id)"
        " ORDER BY t.id LIMIT 1",
    )[0]
    reader, editor = Browser(front), Browser(front)
    editor.login("admin", "dialogue-admin")
    page = f"/topics/{slug}/"
    took = []
    try:
        for _ in range(edits):
            reader.get(page)
            if reader.get(page).headers["X-Varnish-Cache"] != "hit":
                raise SystemExit(f"{page} is not kept by Varnish")
            name, saved = editor.rename_topic(topic_id)
            committed = time.monotonic()
            if saved.status != 302:
                raise SystemExit(f"the save failed: {saved.status}")
            while name not in reader.get(page).text:
                if time.monotonic() - committed > 10:
                    raise SystemExit("the correction did not show through Varnish in 10 s")
                # Every 20 ms: a tighter loop would take the cores the nodes render on.
                time.sleep(0.02)
            took.append((time.monotonic() - committed) * 1000)
    finally:
        sql(
            env,
            "primary",
            "UPDATE publications_topic SET name = %s WHERE id = %s",
            original,
            topic_id,
        )
    took.sort()
    p99 = took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]
    print(
        f"BENCH page=purge_to_fresh edits={len(took)} p50_ms={statistics.median(took):.1f} "
        f"p99_ms={p99:.1f} max_ms={took[-1]:.1f}",
        flush=True,
    )


def statements(env, which):
    """Calls of the run's statements on one server since the last reset."""
    (calls,) = sql(
        env,
        which,
        "SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s"
        " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'dialogue_portal'"
        " AND NOT s.query ~* %s",
        "|".join(NOT_THE_RUN),
    )[0]
    return int(calls)


def replica_reads(env, nodes, pages, seconds):
    sql(env, "primary", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    # The schedule paused for the run: its jobs (counts flushed, ...) are no reader's.
    cluster = [str(ROOT / "deploy" / "cluster.sh")]
    subprocess.run([*cluster, "stop", "scheduler"], check=True, capture_output=True)
    try:
        for which in ("primary", "replica"):
            sql(env, which, "SELECT pg_stat_statements_reset()")
        for path in pages:
            load([node + path for node in nodes], seconds=seconds, connections=4)
        replica, primary = statements(env, "replica"), statements(env, "primary")
    finally:
        subprocess.run([*cluster, "start", "scheduler"], check=True, capture_output=True)
    print(
        f"BENCH page=replica_reads share={replica / max(1, replica + primary):.2f} "
        f"replica_queries={replica} primary_queries={primary}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=9, help="load per page (9)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--edits", type=int, default=20, help="edits for purge_to_fresh (20)")
    parser.add_argument(
        "--pages", default="varnish,miss,replica,purge", help="which figures (all four)"
    )
    args = parser.parse_args()
    wanted = set(args.pages.split(","))
    log(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    env = read_env()
    front = env["CLUSTER_URL"]
    workers = int(os.environ.get("NODE_WORKERS", "2"))
    paths = targets(env)
    with extra_nodes(env, workers) as extra:
        floor_one = [extra[0] + FLOOR_PATH]
        for name in ("detail", "list") if "varnish" in wanted else ():
            log(f"varnish_{name}")
            result = turn_about(
                [front + paths[name]], floor_one, seconds=args.seconds, connections=args.connections
            )
            report(f"varnish_{name}", result)
        if "miss" in wanted:
            log("cluster_detail_miss")
            result = turn_about(
                [node + paths["detail"] for node in extra],
                [node + FLOOR_PATH for node in extra],
                seconds=args.seconds,
                connections=args.connections // 2,
            )
            report("cluster_detail_miss", result)
        if "replica" in wanted:
            log("replica_reads")
            replica_reads(env, extra, [paths["detail"], paths["list"], "/"], max(3, args.seconds))
    if "purge" in wanted:
        log("purge_to_fresh")
        purge_to_fresh(env, front, args.edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())

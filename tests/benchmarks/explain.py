#!/usr/bin/env python
"""Where a page's time goes: each SQL query it makes, slowest first, with its plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dp_d_bench \\
        .venv/bin/python tests/benchmarks/explain.py /publications/ "/search/?q=arms"

Runs in-process with caching off (a fresh local-memory cache per page); --plans adds
EXPLAIN ANALYZE for queries slower than --slow milliseconds. --refresher runs
``refresh_counts`` after clearing the cache, as the deployed refresher keeps the unfiltered
counts: the page is then measured as a reader meets it in production. --after-save
keeps the cache and moves the content version instead, as every editorial save does: the
page is measured as its first reader after a save meets it (stale counts and rankings
served while the refresher makes them again, every fragment rendered anew).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--slow", type=float, default=5.0)
    parser.add_argument("--warm", action="store_true", help="keep the cache between requests")
    parser.add_argument(
        "--refresher",
        action="store_true",
        help="count the unfiltered facet counts after clearing the cache (refresh_counts)",
    )
    parser.add_argument(
        "--after-save",
        action="store_true",
        help="move the content version instead of clearing the cache (an editorial save)",
    )
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from dialogue_portal.core.pagecache import bump_content_version

    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["127.0.0.1"]):
        for path in args.paths:
            client.get(path)
            if args.after_save:
                bump_content_version()
            elif not args.warm:
                cache.clear()
                if args.refresher:
                    call_command("refresh_counts", verbosity=0)
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            total = (time.perf_counter() - started) * 1000
            queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            sql_ms = sum(float(q["time"]) for q in queries) * 1000
            print(
                f"\n== {path} status={response.status_code} total={total:.1f}ms "
                f"sql={sql_ms:.1f}ms queries={len(queries)}"
            )
            for query in queries:
                ms = float(query["time"]) * 1000
                print(f"  {ms:7.1f}ms  {query['sql'][:300]}")
                is_select = query["sql"].lstrip("( ").startswith("SELECT")
                if args.plans and ms >= args.slow and is_select:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        for (line,) in cursor.fetchall():
                            print("      " + line)


if __name__ == "__main__":
    main()

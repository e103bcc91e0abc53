#!/usr/bin/env python
"""What an editorial save costs the next reader of the publication list and of search,
with facet counts and rankings refreshed off the request path (publications/facets.py,
publications/ranked.py):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dp_d_bench_1m \\
        .venv/bin/python tests/benchmarks/stale_counts.py

In-process, production settings, Redis at REDIS_URL (default redis://127.0.0.1:6379/3) under a
prefix of this run only, page cache off. Prints the list's time with no counts at all (the
first reader ever counts them: the first line forgets the stored counts, so it is a new
site's first reader), after an editorial save (stale counts served, a refresh queued), the
refresher's pass, and the list again (fresh counts); then a filter set no reader asked for
before (a topic and five years): listed without its counts while the refresher counts
them, and again once counted; then a search, ranked in the request, after an editorial
save (the last ranking served while the refresher ranks again) and once ranked again;
last, both list pages after the cache is emptied (a new key prefix): the stored unfiltered
counts are served while the refresher counts again.
"""

import datetime as dt
import io
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main():
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        PAGE_CACHE_SECONDS="0",
        LOG_LEVEL="ERROR",
        CACHE_KEY_PREFIX=f"stalecounts{os.getpid()}",
    )
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dialogue_portal.settings")
    os.chdir(ROOT)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from dialogue_portal.core.pagecache import bump_content_version
    from dialogue_portal.wsgi import application
    from publications.models import StoredCounts, Topic

    def get(path, query=""):
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        started = time.perf_counter()
        b"".join(application(environ, lambda s, headers, exc=None: status.append(s)))
        elapsed = (time.perf_counter() - started) * 1000
        assert status[0].startswith("200"), status
        return elapsed

    path = "/publications/"
    StoredCounts.objects.all().delete()
    print(f"STALE first reader, no counts yet: {get(path):.0f} ms")
    print(f"STALE same counts, fresh: {get(path):.0f} ms")
    bump_content_version()  # what every editorial save does
    print(f"STALE first reader after an editorial save: {get(path):.0f} ms")
    started = time.perf_counter()
    call_command("refresh_counts", verbosity=0)
    print(f"STALE refresh_counts pass: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"STALE next reader, refreshed counts: {get(path):.0f} ms")

    topic = Topic.objects.order_by("pk").values_list("slug", flat=True).first()
    since = dt.date.today().replace(year=dt.date.today().year - 5).isoformat()
    query = urlencode({"topic": topic, "date_from": since})
    print(f"STALE first reader of ?{query} (listed, counts queued): {get(path, query):.0f} ms")
    started = time.perf_counter()
    call_command("refresh_counts", verbosity=0)
    print(f"STALE refresh_counts pass: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"STALE next reader of it, counted: {get(path, query):.0f} ms")

    search, words = "/search/", urlencode({"q": "arms control"})
    print(f"STALE first search for ?{words} (ranked in the request): {get(search, words):.0f} ms")
    bump_content_version()
    print(f"STALE same search after an editorial save (last ranking): {get(search, words):.0f} ms")
    started = time.perf_counter()
    call_command("refresh_counts", verbosity=0)
    print(f"STALE refresh_counts pass: {(time.perf_counter() - started) * 1000:.0f} ms")
    print(f"STALE next search, ranked again: {get(search, words):.0f} ms")

    cache.key_prefix += "-emptied"  # as after a flush, or on a new cache server
    print(f"STALE first reader after the cache is emptied (stored counts): {get(path):.0f} ms")
    print(f"STALE first reader of ?{query} then: {get(path, query):.0f} ms")


if __name__ == "__main__":
    main()

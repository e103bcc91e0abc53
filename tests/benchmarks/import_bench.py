#!/usr/bin/env python
"""`make bench-import`: how fast an archive imports.

Fills a database of its own (DATABASE_URL, default dp_d_bench_import on the local
PostgreSQL; created if missing) with N generated publications (`generate_content`),
exports them with `export_archive` to a zip, empties the database of content, and imports
the zip with `import_archive` into it: each record in its own transaction with its
authors, terms and PDF checked and stored, as an editor's import would. Media go to a
temporary folder. Prints

    BENCH import records=N seconds=S records_per_s=R export_seconds=E zip_mb=M

and exits non-zero unless every record was created.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1].parent
sys.path.insert(0, str(ROOT))

from tests.benchmarks.run import ensure_database, log  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dp_d_bench_import"
EMPTY = """
from people.models import Affiliation, Institution, Person
from polls.models import Poll
from publications.models import Audience, Programme, Project, Publication, Region, Topic
Poll.objects.all().delete()
Publication.objects.filter(translation_of__isnull=False).delete()
Publication.objects.all().delete()
Affiliation.objects.all().delete()
Person.objects.all().delete()
for model in (Topic, Region, Audience, Project, Programme, Institution):
    model.objects.all().delete()
"""


def manage(env, *args):
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        log(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"manage.py {args[0]} failed")
    return result.stdout, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--publications", type=int, default=10_000)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(database_url)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        log("migrate")
        manage(env, "migrate", "--noinput", "-v0")
        log("empty the database of content")
        manage(env, "shell", "-c", EMPTY)
        log(f"generate {args.publications} publications")
        manage(env, "generate_content", "--publications", str(args.publications))
        archive = Path(folder) / "archive.zip"
        log("export")
        _out, export_seconds = manage(env, "export_archive", str(archive))
        manage(env, "shell", "-c", EMPTY)
        log("import")
        out, _seconds = manage(env, "import_archive", str(archive), "--quiet-records")
        summary = out.strip().splitlines()[-1]
        log(summary)
        match = re.search(r"(\d+) created.*\(([\d.]+)s, (\d+) records/s\)", summary)
        if not match or int(match.group(1)) != args.publications:
            raise SystemExit(f"not every record was created: {summary}")
        created, seconds = int(match.group(1)), float(match.group(2))
        print(
            f"BENCH import records={created} seconds={seconds:.1f} "
            f"records_per_s={created / seconds:.0f} export_seconds={export_seconds:.1f} "
            f"zip_mb={archive.stat().st_size / 1e6:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

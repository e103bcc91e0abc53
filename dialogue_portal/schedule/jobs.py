"""The site's periodic jobs, run by the task worker, each once a period across machines.

Django's tasks framework has no clock of its own: ``manage.py run_schedule`` (one or more,
on any machine) calls ``enqueue_due()`` every few seconds, which enqueues each job whose
period has begun. The period's row (``ScheduledRun``, unique on job and period start) and
the task are written in one transaction, so a second scheduler finds the row taken and
enqueues nothing: a job runs once a period however many schedulers run.

Each job is the management command cron runs on one machine (docs/deploying.md), and each
is safe to run twice anyway: a run that finds another run of the same job still going
(a PostgreSQL advisory lock) does nothing, and the commands themselves only do what is due.
"""

import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.tasks import task
from django.utils import timezone

from dialogue_portal.schedule.models import ScheduledRun

# A period's row is kept this long after the period began, then removed.
KEEP_RUNS = dt.timedelta(days=7)


@dataclass(frozen=True)
class Job:
    every: int  # seconds; periods start at multiples of it since the epoch (UTC)
    command: str


JOBS = {
    # View and download counts into the database, ratings into the top-rated order.
    "flush_counts": Job(every=60, command="flush_counts"),
    # Stale facet counts and search rankings counted again.
    "refresh_counts": Job(every=60, command="refresh_counts"),
    # Scheduled publications that went live: the caches learn it at once.
    "publish_due": Job(every=60, command="publish_due"),
    # Queued issues, new publications to those who want each, weekly digests.
    "send_newsletter": Job(every=600, command="send_newsletter"),
    # Every OAI-PMH record checked against its publication.
    "oai_refresh": Job(every=86400, command="oai_refresh"),
}


def period_start(now: dt.datetime, every: int) -> dt.datetime:
    """The start of the period of ``every`` seconds that ``now`` falls in."""
    seconds = int(now.timestamp()) // every * every
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def enqueue_due(now: dt.datetime | None = None, *, every: int | None = None) -> list[str]:
    """Enqueue each job whose current period has no run yet; the names of those enqueued.
    ``every`` gives every job that period instead of its own (to watch the schedule work
    in seconds rather than minutes)."""
    now = now or timezone.now()
    enqueued = []
    for name, job in JOBS.items():
        start = period_start(now, every or job.every)
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=name, period_start=start)
                result = run_job.enqueue(name, start.isoformat(), every or job.every)
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # this period's run is enqueued already, by this scheduler or another
        enqueued.append(name)
    ScheduledRun.objects.filter(period_start__lt=now - KEEP_RUNS).delete()
    return enqueued


@contextmanager
def only_run(name: str) -> Iterator[bool]:
    """Whether this is the only run of job ``name`` going now (on PostgreSQL, a session
    advisory lock held for the block; elsewhere one machine runs one worker: always)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield True
        return
    key = zlib.crc32(f"schedule:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@task
def run_job(name: str, period: str, every: int) -> bool:
    """Run job ``name`` for the period that began at ``period`` (ISO 8601); False when
    another run of the same job was still going, and this one did nothing."""
    job = JOBS[name]
    options: dict[str, object] = {"verbosity": 0}
    if name == "publish_due":
        # Whatever went live since the previous period began: the windows overlap a
        # little, never leave a gap, and a publication purged twice is purged.
        since = dt.datetime.fromisoformat(period) - dt.timedelta(seconds=every)
        options["since"] = since.isoformat()
    with only_run(name) as alone:
        if alone:
            call_command(job.command, **options)
        return alone

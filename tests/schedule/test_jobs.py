"""The periodic jobs: each enqueued once a period however many schedulers look, each run by
the worker as its command, and each safe to run twice (dialogue_portal.schedule)."""

import datetime as dt
import zlib

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dialogue_portal.core.pagecache import content_version
from dialogue_portal.schedule.jobs import JOBS, enqueue_due, only_run, period_start, run_job
from dialogue_portal.schedule.models import ScheduledRun
from publications.models import Publication
from tests.factories import make_publication
from tests.tasks import run_worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]


def enqueued(name):
    return DBTaskResult.objects.filter(task_path__endswith=".run_job", args_kwargs__args__0=name)


def test_periods_start_at_multiples_of_their_length():
    now = dt.datetime(2026, 11, 18, 9, 30, 59, tzinfo=dt.UTC)
    assert period_start(now, 60) == dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC)
    assert period_start(now, 600) == dt.datetime(2026, 11, 18, 9, 30, tzinfo=dt.UTC)
    assert period_start(now, 86400) == dt.datetime(2026, 11, 18, tzinfo=dt.UTC)


def test_each_job_is_enqueued_once_a_period_however_often_schedulers_look():
    assert enqueue_due() == list(JOBS)
    assert enqueue_due() == []  # a second scheduler, the same moment
    assert enqueue_due() == []
    for name in JOBS:
        assert ScheduledRun.objects.filter(job=name).count() == 1
        assert enqueued(name).count() == 1
    run = ScheduledRun.objects.get(job="flush_counts")
    assert DBTaskResult.objects.get(pk=run.task_id).args_kwargs["args"][0] == "flush_counts"


def test_a_new_period_enqueues_the_jobs_whose_period_began(clock):
    now = timezone.now()
    enqueue_due(now)
    later = now + dt.timedelta(seconds=60)
    again = enqueue_due(later)
    expected = [
        n
        for n, job in JOBS.items()
        if period_start(later, job.every) != period_start(now, job.every)
    ]
    assert again == expected
    assert {"flush_counts", "refresh_counts", "publish_due"} <= set(again)
    assert "oai_refresh" not in again  # daily
    assert enqueue_due(later + dt.timedelta(seconds=1)) == []


def test_one_period_for_every_job_when_asked():
    now = timezone.now()
    assert enqueue_due(now, every=2) == list(JOBS)
    assert enqueue_due(now, every=2) == []
    assert enqueue_due(now + dt.timedelta(seconds=2), every=2) == list(JOBS)


def test_runs_of_old_periods_are_forgotten_after_a_week():
    now = timezone.now()
    enqueue_due(now - dt.timedelta(days=8))
    enqueue_due(now)
    assert ScheduledRun.objects.filter(period_start__lt=now - dt.timedelta(days=7)).count() == 0
    assert ScheduledRun.objects.count() == len(JOBS)


def test_the_worker_runs_every_job():
    enqueue_due()
    assert run_worker() == len(JOBS)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == len(JOBS)


def test_a_job_run_twice_does_no_harm():
    publication = make_publication()
    Publication.objects.filter(pk=publication.pk).update(view_count=3)
    cache.set(f"pending:view:{publication.pk}", 4, None)  # four views gathered
    period = timezone.now().isoformat()
    for _ in range(2):
        assert run_job.call("flush_counts", period, 60) is True
        assert run_job.call("send_newsletter", period, 600) is True
    assert Publication.objects.get(pk=publication.pk).view_count == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_that_finds_another_still_going_does_nothing(settings):
    """The other run holds the job's advisory lock on a connection of its own."""
    publication = make_publication()
    cache.set(f"pending:view:{publication.pk}", 4, None)
    key = zlib.crc32(b"schedule:flush_counts")
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        assert run_job.call("flush_counts", timezone.now().isoformat(), 60) is False
        assert Publication.objects.get(pk=publication.pk).view_count == 0
        with other.cursor() as cursor:  # the other run ends (a closed connection would
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])  # too, a moment later)
    finally:
        other.close()
    assert run_job.call("flush_counts", timezone.now().isoformat(), 60) is True
    assert Publication.objects.get(pk=publication.pk).view_count == 4


def test_a_scheduled_publication_going_live_reaches_the_caches(
    clock, settings, django_capture_on_commit_callbacks
):
    settings.PURGE_URLS = ["http://cache.example/"]
    going_live = timezone.now() + dt.timedelta(seconds=30)
    publication = make_publication(published_at=going_live)
    DBTaskResult.objects.all().delete()
    before = content_version()
    clock.shift(45)
    with django_capture_on_commit_callbacks(execute=True):
        run_job.call("publish_due", period_start(timezone.now(), 60).isoformat(), 60)
    assert content_version() == before + 1
    [purge] = DBTaskResult.objects.filter(task_path="dialogue_portal.core.surrogate.purge")
    keys, refs = purge.args_kwargs["args"]
    assert {f"publication:{publication.slug}", "lists"} <= set(keys)
    assert ["publications.publication", publication.pk] in refs
    # Nothing went live since: nothing moves.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_due", since=timezone.now().isoformat(), verbosity=0)
    assert content_version() == before + 1


def test_publish_due_refuses_a_bad_time():
    with pytest.raises(Exception, match="ISO 8601"):
        call_command("publish_due", since="yesterday")


def test_without_postgresql_each_run_is_alone():
    with only_run("flush_counts") as alone:
        assert alone is True


def test_the_command_looks_once():
    call_command("run_schedule", once=True, verbosity=0)
    assert ScheduledRun.objects.count() == len(JOBS)

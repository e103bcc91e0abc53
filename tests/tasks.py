"""The task worker in tests. By default (tests/conftest.py) tasks run where they are
enqueued, on Django's immediate backend; ``database_tasks`` switches to the database
backend production uses, and ``run_worker`` runs django-tasks-db's worker loop in this
process until the queue is empty, as ``manage.py db_worker --batch`` does."""

from unittest import mock

import pytest
from django.db import connection
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "purge"]}
}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


def run_worker():
    """Run every task waiting in the queue; how many ran.

    Between tasks the worker closes connections that are old or not in autocommit, as a
    request does; inside a test's transaction that would close the test's own connection
    (PostgreSQL), so there it is left open, as Django's test client leaves it for requests."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    with mock.patch.object(
        db_worker,
        "close_old_connections",
        (lambda: None) if connection.in_atomic_block else db_worker.close_old_connections,
    ):
        _worker().run()
    return DBTaskResult.objects.exclude(status="READY").count() - before


def _worker():
    return db_worker.Worker(
        queue_names=["*"],  # every queue, as the site's workers together
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def waiting():
    return DBTaskResult.objects.filter(status="READY").count()

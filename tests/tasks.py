"""The task worker in tests. By default (tests/conftest.py) tasks run where they are
enqueued, on Django's immediate backend; ``database_tasks`` switches to the database
backend production uses, and ``run_worker`` runs django-tasks-db's worker loop in this
process until the queue is empty, as ``manage.py db_worker --batch`` does."""

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_BACKEND


def run_worker():
    """Run every task waiting in the queue; how many ran."""
    before = DBTaskResult.objects.exclude(status="READY").count()
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
    return DBTaskResult.objects.exclude(status="READY").count() - before


def waiting():
    return DBTaskResult.objects.filter(status="READY").count()

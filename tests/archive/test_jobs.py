"""An import job's progress and its page: the counts the worker writes while it runs, the
dry run's through a connection of its own on PostgreSQL, and the page's fixed number of
queries."""

import pytest
from django.db import connection, transaction

from dialogue_portal.archive.models import ImportJob
from dialogue_portal.archive.tasks import Progress
from tests.archive.test_admin import job_of, zip_upload
from tests.archive.test_import import manifest, record


def new_job(user):
    return ImportJob.objects.create(user=user, filename="a.zip", stored_name="x.zip")


@pytest.mark.django_db(transaction=True)
def test_progress_outside_a_transaction_is_written_at_once(editor):
    job = new_job(editor)
    progress = Progress(job)
    progress(1, 10)
    progress(2, 10)  # within half a second of the last: not written
    job.refresh_from_db()
    assert (job.done, job.total) == (1, 10)
    progress(10, 10)  # the last one always is
    job.refresh_from_db()
    assert (job.done, job.total) == (10, 10)


@pytest.mark.django_db(transaction=True)
def test_progress_of_a_dry_run_outlives_its_rollback_on_postgresql(editor):
    """The dry run's writes are rolled back; its counts are not, on PostgreSQL, where
    another connection writes them and the job's page sees them while it runs."""
    job = new_job(editor)
    progress = Progress(job)
    try:
        with transaction.atomic():
            progress(3, 10)
            raise RuntimeError("roll back, as a dry run does")
    except RuntimeError:
        pass
    finally:
        progress.close()
    job.refresh_from_db()
    expected = (3, 10) if connection.vendor == "postgresql" else (0, 0)
    assert (job.done, job.total) == expected


@pytest.mark.django_db
def test_the_jobs_page_fetches_in_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries
):
    few = manifest(record())
    many = manifest(*(record(id=f"r{n}", slug=f"s{n}") for n in range(12)))
    pages = []
    for content in (few, many):
        job = job_of(editor_client.post("/admin/archive/import/", {"archive": zip_upload(content)}))
        pages.append(f"/admin/archive/import/{job.pk}/")
    editor_client.get(pages[0])  # warm: the session and the editor's language
    # Session, user, the admin language, permissions (user and groups), the job.
    for url in pages:
        with django_assert_num_queries(8):
            assert editor_client.get(url).status_code == 200

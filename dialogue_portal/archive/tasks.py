"""The archive's background work: the dry run of an upload, then, once its editor
confirms, the import. Both run in the task worker (``manage.py db_worker``), never in a
web request, and as the editor who uploaded the archive: the import's review rule
(drafts and proposals unless they may publish) is theirs, checked when the task runs."""

import logging
import time

from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dialogue_portal.archive.importer import Outcome, Report, import_archive
from dialogue_portal.archive.models import ImportJob
from dialogue_portal.archive.source import ArchiveRefused, ZipSource
from dialogue_portal.audit.services import Action, record

log = logging.getLogger(__name__)

UPLOADS = "archive-uploads"
# Progress reaches the job's row at most this often (and once at the end).
PROGRESS_SECONDS = 0.5


def upload_storage():
    """Where uploads wait for the worker: private, never under MEDIA_URL."""
    return storages[UPLOADS]


def report_data(report):
    """A Report as JSON: what the job page needs to show it again, in any language."""
    return {
        "dry_run": report.dry_run,
        "refused_archive": report.refused_archive,
        "seconds": round(report.seconds, 3),
        "outcomes": [
            [outcome.place, outcome.record_id, outcome.action, list(outcome.reasons)]
            for outcome in report.outcomes
        ],
        "redirects": report.redirects,
        "redirect_problems": list(report.redirect_problems),
    }


def report_from(data):
    return Report(
        dry_run=data["dry_run"],
        outcomes=[Outcome(*row) for row in data["outcomes"]],
        refused_archive=data["refused_archive"],
        seconds=data["seconds"],
        redirects=data["redirects"],
        redirect_problems=data["redirect_problems"],
    )


class Progress:
    """The import's ``progress(done, total)``, written to the job's row. A dry run runs in
    one transaction that is rolled back: its counts go through a connection of their own
    (PostgreSQL), so the job page sees them while it runs; SQLite holds its one writer for
    the whole dry run, so there the counts arrive when it ends."""

    def __init__(self, job):
        self.pk = job.pk
        self.last = 0.0
        self.side = None

    def __call__(self, done, total):
        now = time.monotonic()
        if done != total and now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.pk).update(done=done, total=total)
        elif connection.vendor == "postgresql":
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET done = %s, total = %s "  # noqa: S608
                    "WHERE id = %s",
                    [done, total, self.pk],
                )

    def close(self):
        if self.side is not None:
            self.side.close()


def _claim(job_pk, before, during):
    """Move the job from ``before`` to ``during``; the job, or None if another worker (or
    a second confirmation) got there first."""
    if not ImportJob.objects.filter(pk=job_pk, state=before).update(state=during):
        return None
    return ImportJob.objects.select_related("user").get(pk=job_pk)


def _refusal(job):
    """Why the uploader may no longer import (deleted, inactive, lost the permission)."""
    user = job.user
    if user is None or not user.is_active or not user.has_perm("publications.add_publication"):
        return _("The editor who uploaded this archive may no longer import it.")
    return ""


def _run(job, *, dry_run):
    storage = upload_storage()
    progress = Progress(job)
    try:
        with storage.open(job.stored_name, "rb") as handle:
            try:
                source = ZipSource(handle)
            except ArchiveRefused as error:
                return None, str(error)
            try:
                report = import_archive(source, dry_run=dry_run, user=job.user, progress=progress)
            finally:
                source.close()
    finally:
        progress.close()
    return report, report.refused_archive


def _finish(job, state, *, forget_upload, **fields):
    if forget_upload and job.stored_name:
        upload_storage().delete(job.stored_name)
        fields["stored_name"] = ""
    ImportJob.objects.filter(pk=job.pk).update(state=state, finished_at=timezone.now(), **fields)


def _work(job_pk, *, before, during, dry_run):
    job = _claim(job_pk, before, during)
    if job is None:
        return
    with translation.override(job.language):
        try:
            refusal = _refusal(job)
            if refusal:
                _finish(job, ImportJob.State.FAILED, forget_upload=True, error=refusal)
                return
            report, refused = _run(job, dry_run=dry_run)
        except Exception as error:
            log.exception("archive: job %s failed", job.pk)
            _finish(
                job,
                ImportJob.State.FAILED,
                forget_upload=True,
                error=f"{type(error).__name__}: {error}",
            )
            return
        counts = {"done": len(report.outcomes), "total": len(report.outcomes)} if report else {}
        if not dry_run:
            record(
                Action.ARCHIVE_IMPORTED,
                actor=job.user,
                detail=f"admin: {refused or report.audit_counts()}",
            )
        if refused:
            _finish(job, ImportJob.State.REFUSED, forget_upload=True, error=refused)
        elif dry_run:
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.CHECKED, check_report=report_data(report), **counts
            )
        else:
            _finish(
                job,
                ImportJob.State.DONE,
                forget_upload=True,
                import_report=report_data(report),
                **counts,
            )


@task
def check_archive(job_pk):
    """The dry run: what each record would become, written to the job for the editor."""
    _work(job_pk, before=ImportJob.State.QUEUED, during=ImportJob.State.CHECKING, dry_run=True)


@task
def import_checked_archive(job_pk):
    """The import the editor confirmed after reading the dry run."""
    _work(
        job_pk,
        before=ImportJob.State.IMPORT_QUEUED,
        during=ImportJob.State.IMPORTING,
        dry_run=False,
    )

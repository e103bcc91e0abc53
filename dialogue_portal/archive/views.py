"""The archive in the admin: export everything as a zip, and import a zip in two steps.

The upload is stored in the private ``archive-uploads`` storage and becomes an ImportJob;
the task worker checks it (the dry run) and, once the editor who uploaded it confirms,
imports it. The web request only stores the file and enqueues: nothing in it reads the
archive. The job's page shows its progress, refreshing itself (a meta refresh: no script)
while the worker is at it."""

import datetime as dt
import tempfile
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dialogue_portal.archive.exporter import export_archive
from dialogue_portal.archive.importer import CREATED, PROPOSED, UPDATED
from dialogue_portal.archive.models import ImportJob
from dialogue_portal.archive.tasks import (
    UPLOADS,
    check_archive,
    import_checked_archive,
    report_from,
    upload_storage,
)
from dialogue_portal.audit.services import Action, record
from publications.models import Publication

# A checked upload nobody confirmed is dropped after this long.
ABANDON_AFTER = dt.timedelta(days=1)
# The job page reloads itself this often while the worker is at it.
REFRESH_SECONDS = 2


class UploadForm(forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("Archive (.zip)"),
        help_text=gettext_lazy(
            "A zip with manifest.json or manifest.csv and the files it names, or RIS and "
            "BibTeX files. Nothing is imported until you confirm."
        ),
    )

    def clean_archive(self):
        upload = self.cleaned_data["archive"]
        if not upload.name.lower().endswith(".zip"):
            raise forms.ValidationError(_("Upload a .zip file."))
        if upload.size > settings.ARCHIVE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the limit is %(limit)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.ARCHIVE_MAX_BYTES),
                }
            )
        return upload


def _context(request, **extra):
    opts = Publication._meta
    return {**admin.site.each_context(request), "opts": opts, **extra}


def _abandon_stale_jobs():
    """Checked uploads an editor never confirmed: their files are removed."""
    limit = timezone.now() - ABANDON_AFTER
    stale = ImportJob.objects.filter(state=ImportJob.State.CHECKED, created_at__lt=limit)
    for job in stale.only("pk", "stored_name"):
        if ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.CHECKED).update(
            state=ImportJob.State.ABANDONED, stored_name="", finished_at=timezone.now()
        ):
            upload_storage().delete(job.stored_name)


@require_http_methods(["GET", "POST"])
@permission_required("publications.add_publication", raise_exception=True)
def import_view(request):
    """Step 1: the upload, stored and handed to the worker for its dry run."""
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            _abandon_stale_jobs()
            upload = form.cleaned_data["archive"]
            name = upload_storage().save(f"{UPLOADS}/{uuid.uuid4().hex}.zip", upload)
            job = ImportJob.objects.create(
                user=request.user,
                filename=upload.name[:255],
                stored_name=name,
                language=(get_language() or settings.LANGUAGE_CODE).split("-")[0],
            )
            check_archive.enqueue(job.pk)
            return redirect("archive:job", pk=job.pk)
    return render(
        request,
        "archive/import_form.html",
        _context(request, title=_("Import an archive"), form=form),
    )


def _job(pk):
    """Any editor who may import sees every job (as the admin's list of imports shows
    them); only the one who uploaded an archive may confirm its import."""
    return get_object_or_404(ImportJob.objects.select_related("user"), pk=pk)


def _can_import(report):
    return bool(report.count(CREATED) or report.count(UPDATED) or report.count(PROPOSED))


@require_GET
@permission_required("publications.add_publication", raise_exception=True)
def job_view(request, pk):
    """The job's state and progress while the worker runs it, then its report."""
    job = _job(pk)
    check = report_from(job.check_report) if job.check_report else None
    done = report_from(job.import_report) if job.import_report else None
    titles = {
        ImportJob.State.CHECKED: _("Check the import"),
        ImportJob.State.DONE: _("Import done"),
    }
    response = render(
        request,
        "archive/import_job.html",
        _context(
            request,
            title=titles.get(job.state, _("Archive import")),
            job=job,
            report=done or check,
            done=done is not None,
            can_confirm=(
                job.state == ImportJob.State.CHECKED
                and job.user_id == request.user.pk
                and check is not None
                and _can_import(check)
            ),
            refresh=REFRESH_SECONDS if job.running else None,
        ),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required("publications.add_publication", raise_exception=True)
def confirm_view(request, pk):
    """Step 2: the editor who uploaded the archive confirms; the worker imports it."""
    job = _job(pk)
    # One UPDATE decides: a second click, or a second tab, finds the job no longer checked.
    confirmed = ImportJob.objects.filter(
        pk=job.pk, user=request.user, state=ImportJob.State.CHECKED
    ).update(state=ImportJob.State.IMPORT_QUEUED, done=0, total=0)
    if not confirmed:
        return render(
            request,
            "archive/import_job.html",
            _context(
                request,
                title=_("Archive import"),
                job=job,
                stale=_("This import has expired or was already done. Upload the archive again."),
            ),
            status=400,
        )
    import_checked_archive.enqueue(job.pk)
    return redirect("archive:job", pk=job.pk)


@require_GET
@permission_required("publications.view_publication", raise_exception=True)
def export_view(request):
    """Every publication with its files, as the zip ``export_archive`` writes."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    count = export_archive(spool)
    record(Action.ARCHIVE_EXPORTED, request=request, detail=f"admin: {count} publications")
    spool.seek(0)
    filename = f"dialogue-portal-archive-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type="application/zip"
    )

"""The archive in the admin: export everything as a zip, and import a zip in two steps.
The upload is stored under a random name and named in the confirm form by a signed token
(bound to the editor, valid for an hour), so the dry-run report the editor read is the
archive that gets imported, on any app server."""

import datetime as dt
import tempfile
import uuid

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dialogue_portal.archive.exporter import export_archive
from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import ArchiveRefused, ZipSource
from dialogue_portal.audit.services import Action, record
from publications.models import Publication

UPLOADS = "archive-uploads"
UPLOAD_SALT = "dialogue_portal.archive.upload"
TOKEN_MAX_AGE = 60 * 60


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


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _context(request, **extra):
    opts = Publication._meta
    return {**admin.site.each_context(request), "opts": opts, **extra}


def _token(request, name):
    return signing.dumps({"name": name, "user": request.user.pk}, salt=UPLOAD_SALT)


def _stored_name(request, token):
    """The stored upload the token names, or None (forged, expired or another editor's)."""
    try:
        data = signing.loads(token, salt=UPLOAD_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    name = data.get("name", "") if isinstance(data, dict) else ""
    if data.get("user") != request.user.pk or not name.startswith(f"{UPLOADS}/"):
        return None
    return name if default_storage.exists(name) else None


def _forget_stale_uploads():
    """Uploads an editor never confirmed: removed once their token can no longer be used."""
    try:
        _folders, names = default_storage.listdir(UPLOADS)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = timezone.now() - dt.timedelta(seconds=TOKEN_MAX_AGE * 2)
    for name in names:
        path = f"{UPLOADS}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def _run(name, *, dry_run, user=None):
    with default_storage.open(name, "rb") as handle:
        try:
            source = ZipSource(handle)
        except ArchiveRefused as error:
            return None, str(error)
        try:
            return import_archive(source, dry_run=dry_run, user=user), ""
        finally:
            source.close()


@require_http_methods(["GET", "POST"])
@permission_required("publications.add_publication", raise_exception=True)
def import_view(request):
    """Step 1: the upload and its dry-run report. Step 2 (``confirm``): the import."""
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            _forget_stale_uploads()
            name = default_storage.save(
                f"{UPLOADS}/{uuid.uuid4().hex}.zip", form.cleaned_data["archive"]
            )
            # The report an editor reads follows their permissions, as the import will.
            report, refused = _run(name, dry_run=True, user=request.user)
            if refused:
                default_storage.delete(name)
                form.add_error("archive", refused)
            elif report.refused_archive:
                default_storage.delete(name)
                form.add_error("archive", report.summary())
            else:
                return render(
                    request,
                    "archive/import_report.html",
                    _context(
                        request,
                        title=_("Check the import"),
                        report=report,
                        confirm=ConfirmForm(initial={"token": _token(request, name)}),
                        can_import=bool(
                            report.count("created")
                            or report.count("updated")
                            or report.count("proposed")
                        ),
                    ),
                )
    return render(
        request,
        "archive/import_form.html",
        _context(request, title=_("Import an archive"), form=form),
    )


@require_http_methods(["POST"])
@permission_required("publications.add_publication", raise_exception=True)
def confirm_view(request):
    form = ConfirmForm(request.POST)
    name = _stored_name(request, form.data.get("token", "")) if form.is_valid() else None
    if name is None:
        return HttpResponseBadRequest(
            _("This import has expired or was already done. Upload the archive again.")
        )
    try:
        report, refused = _run(name, dry_run=False, user=request.user)
    finally:
        default_storage.delete(name)
    record(
        Action.ARCHIVE_IMPORTED,
        request=request,
        detail=f"admin: {refused or report.audit_counts()}",
    )
    return render(
        request,
        "archive/import_report.html",
        _context(request, title=_("Import done"), report=report, refused=refused, done=True),
    )


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

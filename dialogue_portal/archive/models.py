"""An archive import in the admin, as the task worker runs it: one row per upload."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """An uploaded archive on its way from the dry run to the import. The upload is kept
    in the private ``archive-uploads`` storage until the import is done, refused or
    abandoned; the reports are kept as data, shown in the editor's language."""

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for the worker to check it")
        CHECKING = "checking", _("being checked")
        CHECKED = "checked", _("checked: waiting for confirmation")
        IMPORT_QUEUED = "import-queued", _("waiting for the worker to import it")
        IMPORTING = "importing", _("being imported")
        DONE = "done", _("imported")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")
        ABANDONED = "abandoned", _("never confirmed")

    RUNNING = (State.QUEUED, State.CHECKING, State.IMPORT_QUEUED, State.IMPORTING)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="archive_imports",
        verbose_name=_("uploaded by"),
    )
    filename = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(_("stored name"), max_length=255, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=8, default="en", editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.QUEUED)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    done = models.PositiveIntegerField(_("records done"), default=0)
    total = models.PositiveIntegerField(_("records in all"), default=0)
    check_report = models.JSONField(_("check report"), null=True, blank=True, editable=False)
    import_report = models.JSONField(_("import report"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("archive import")
        verbose_name_plural = _("archive imports")
        indexes = [models.Index(fields=["state", "created_at"], name="archive_job_state_idx")]

    def __str__(self):
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def running(self):
        return self.state in self.RUNNING

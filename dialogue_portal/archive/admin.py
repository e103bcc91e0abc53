from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dialogue_portal.archive.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Every archive import, read only: who uploaded what, when, and how it ended. Editors
    who may import see the list; each job's page is the import's own (its report)."""

    list_display = ["filename", "user", "created_at", "state", "progress", "error", "report"]
    list_filter = ["state"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = ["filename", "user", "created_at", "finished_at", "state", "done", "total", "error"]
    readonly_fields = fields

    @admin.display(description=_("records"))
    def progress(self, job):
        return f"{job.done}/{job.total}" if job.total else "—"

    @admin.display(description=_("report"))
    def report(self, job):
        return format_html('<a href="{}">{}</a>', reverse("archive:job", args=[job.pk]), _("open"))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("publications.add_publication")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

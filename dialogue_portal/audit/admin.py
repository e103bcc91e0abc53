"""The audit trail in the admin: read by whoever may view it (superusers; others only with
``audit.view_entry``), filtered by person, action and date, searched, exported as CSV, and
changed by nobody."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.audit.services import record
from dialogue_portal.core import spreadsheet

CSV_COLUMNS = ["when", "username", "action", "object type", "object id", "object", "detail", "ip"]


class Echo:
    """A file whose write returns the line, so the CSV can stream as it is written."""

    def write(self, value):
        return value


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_name", "action", "object_label", "detail", "ip"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["actor_name", "object_label", "detail", "ip"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "content_type"]
    fields = [
        "created_at",
        "actor",
        "actor_name",
        "action",
        "content_type",
        "object_id",
        "object_label",
        "detail",
        "ip",
    ]
    readonly_fields = fields
    list_per_page = 100
    change_list_template = "admin/audit/entry/change_list.html"

    # Nobody writes the trail through the admin, superusers included.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="audit_entry_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The rows the list shows (same filters and search) as CSV, every row, not a page."""
        if request.method != "GET":
            return HttpResponseBadRequest()
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("These filters do not apply to the audit trail."))
        rows = changelist.get_queryset(request).order_by("-created_at", "-pk")
        record(Action.AUDIT_EXPORTED, request=request, detail=request.GET.urlencode()[:500])
        writer = spreadsheet.writer(Echo())

        def lines():
            yield writer.writerow(CSV_COLUMNS)
            for entry in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        entry.created_at.isoformat(),
                        entry.actor_name,
                        entry.action,
                        entry.content_type.model if entry.content_type else "",
                        entry.object_id,
                        entry.object_label,
                        entry.detail,
                        entry.ip or "",
                    ]
                )

        filename = f"audit-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response

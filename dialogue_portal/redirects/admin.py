"""Redirects in the admin: the list (search, filters), add, edit, delete, CSV import with
a dry run and CSV export; and, for every admin of content with a slug, the save and
delete path that keeps old addresses answering (``KeepsOldAddresses``)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dialogue_portal.desk.conflicts import ConflictCheck
from dialogue_portal.redirects import services
from dialogue_portal.redirects.addresses import TRACKED, addresses_of, current_addresses_of
from dialogue_portal.redirects.forms import ImportForm, RedirectForm
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.spreadsheet import export_csv


class KeepsOldAddresses:
    """In front of a content admin: a save that changes the slug leaves the old addresses
    redirecting to the new ones, a delete leaves them answering 410, and the editor hears
    when the new slug takes over an address that redirected elsewhere."""

    def save_model(self, request, obj, form, change):
        before = current_addresses_of(obj) if change else []
        super().save_model(request, obj, form, change)
        for taken in services.object_saved(obj=obj, before=before):
            if taken.is_gone:
                text = _("%(path)s was the address of deleted content; it is “%(object)s” now.")
            else:
                text = _(
                    "%(path)s redirected to %(target)s; it is the address of “%(object)s” now."
                )
            self.message_user(
                request,
                text % {"path": taken.old_path, "target": taken.target, "object": obj},
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        addresses = addresses_of(obj)
        super().delete_model(request, obj)
        services.object_deleted(addresses=addresses)

    def delete_queryset(self, request, queryset):
        addresses = [address for obj in queryset for address in addresses_of(obj)]
        super().delete_queryset(request, queryset)
        services.object_deleted(addresses=addresses)


# Each content admin, whichever app registered it last (the desk's history admins), gets
# the mixin in front: one place, and no app below this one needs to know of redirects.
for model in TRACKED:
    registered = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(registered.__name__, (KeepsOldAddresses, registered), {}))


@admin.register(Redirect)
class RedirectAdmin(ConflictCheck, admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "status", "target", "include_below", "source", "updated_at"]
    list_filter = ["status", "source", "include_below"]
    search_fields = ["old_path", "target", "note"]
    readonly_fields = ["source", "created_at", "updated_at"]
    fields = ["old_path", "status", "target", "include_below", "note", *readonly_fields]
    change_list_template = "admin/redirects/redirect/change_list.html"

    def save_model(self, request, obj, form, change):
        services.save_redirect(redirect=obj)

    def delete_model(self, request, obj):
        services.delete_redirects(queryset=Redirect.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_redirects(queryset=queryset)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="redirects_redirect_import"),
            path("export/", view(self.export_view), name="redirects_redirect_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ImportForm(
            request.POST or None, request.FILES or None, source=Redirect.Source.IMPORTED
        )
        outcomes = None
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            outcomes = None
            try:
                with transaction.atomic():
                    outcomes = services.import_redirects(form.rows)
                    if dry_run:
                        transaction.set_rollback(True)
            except ValidationError as error:  # a row that would loop with those saved
                form.add_error("file", error)
                outcomes = None
        if outcomes is not None:
            counts = {
                action: sum(1 for _row, done in outcomes if done == action)
                for action in (services.CREATED, services.UPDATED, services.UNCHANGED)
            }
            summary = (
                _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % counts
            )
            if not dry_run:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)s redirect imported: %(summary)s.",
                        "%(count)s redirects imported: %(summary)s.",
                        len(outcomes),
                    )
                    % {"count": len(outcomes), "summary": summary},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:redirects_redirect_changelist"))
            outcomes = [(row, services.ACTION_LABELS[done]) for row, done in outcomes]
            messages.info(request, _("Dry run, nothing saved: %(summary)s.") % {"summary": summary})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import redirects"),
            "form": form,
            "outcomes": outcomes,
        }
        return TemplateResponse(request, "admin/redirects/redirect/import.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            export_csv(Redirect.objects.order_by("old_path")), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="redirects.csv"'
        return response

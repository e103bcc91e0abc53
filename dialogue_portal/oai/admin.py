"""Editors can look up how harvesters see a publication (read-only: the records follow the
publications by themselves).

Importing this module also connects the change hooks (``signals.connect()``): the admin
imports every app's ``admin`` module once the app registry is ready, in every process —
server, management command or test — which is what the hooks need, without an import inside
``AppConfig.ready()``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dialogue_portal.oai import signals
from dialogue_portal.oai.metadata import oai_identifier
from dialogue_portal.oai.models import Record

signals.connect()


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["identifier", "datestamp", "deleted", "set_specs"]
    list_filter = ["deleted"]
    search_fields = ["=publication_id"]
    ordering = ["-datestamp"]
    fields = ["identifier", "publication_id", "datestamp", "created", "deleted", "set_specs"]
    readonly_fields = fields

    @admin.display(description=_("OAI identifier"))
    def identifier(self, obj):
        return oai_identifier(obj.publication_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

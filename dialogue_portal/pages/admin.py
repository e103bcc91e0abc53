from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from dialogue_portal.pages.models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "role", "audience", "language", "is_published", "updated_at"]
    list_filter = ["role", "language", "is_published", "audience"]
    list_select_related = ["audience"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["translation_of", "audience"]
    readonly_fields = ["created_at", "updated_at"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["role", "audience", "title", "slug", "summary", "body"]}),
        (_("Publishing"), {"fields": ["is_published", "language", "translation_of"]}),
        (
            _("Support and contact"),
            {
                "fields": [
                    "donation_url",
                    "donation_label",
                    "contact_email",
                    "contact_phone",
                    "address",
                ],
                "description": _(
                    "Shown on the page below its text. No payment is taken here: the "
                    "donation link leads to the payment page you name."
                ),
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from polls.models import Choice, Poll, Vote


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "text", "text_ru", "vote_count"]
    readonly_fields = ["vote_count"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "opens_at", "closes_at", "placement", "total_votes", "is_published"]
    list_filter = ["is_published", "placement", "results_visibility"]
    search_fields = ["question", "question_ru"]
    prepopulated_fields = {"slug": ["question"]}
    autocomplete_fields = ["publications"]
    readonly_fields = ["total_votes"]
    inlines = [ChoiceInline]
    fieldsets = [
        (None, {"fields": ["question", "question_ru", "slug", "description", "description_ru"]}),
        (
            _("When and where"),
            {
                "fields": [
                    "is_published",
                    "opens_at",
                    "closes_at",
                    "results_visibility",
                    "placement",
                    "publications",
                ]
            },
        ),
        (_("Results"), {"fields": ["total_votes"]}),
    ]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["poll", "choice", "created_at"]
    list_filter = ["poll"]
    list_select_related = ["poll", "choice"]
    fields = ["poll", "choice", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

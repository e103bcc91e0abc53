from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.autocomplete import RowChoicesInline
from dialogue_portal.core.textsearch import clean_query, words_match
from people.models import Affiliation, Institution, Person


class AffiliationInline(RowChoicesInline, admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["institution"]
    fields = [
        "institution",
        "role",
        "role_ru",
        "department",
        "department_ru",
        "is_current",
        "start_year",
        "end_year",
        "order",
    ]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "orcid", "publication_count"]
    search_fields = Person.SEARCH_FIELDS  # read as the site's search reads them (below)
    # Explicit: the publication count's GROUP BY drops Meta.ordering, and the authors'
    # autocomplete pages through this queryset (unordered pages are inconsistent).
    ordering = ["family_name", "given_name"]
    prepopulated_fields = {"slug": ["given_name", "family_name"]}
    inlines = [AffiliationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("given_name", "family_name"),
                    "slug",
                    "honorific",
                    "position",
                    "short_bio",
                    "bio",
                    "photo",
                    "orcid",
                ]
            },
        ),
        (
            _("Russian"),
            {
                "fields": [
                    ("given_name_ru", "family_name_ru"),
                    "honorific_ru",
                    "position_ru",
                    "short_bio_ru",
                    "bio_ru",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        """As the site's search finds people: every word in any order, in either
        alphabet and case (a word's beginning is enough: the authors' autocomplete uses it)."""
        text = clean_query(search_term)
        if not text:
            return queryset, False
        return queryset.filter(words_match(text, self.search_fields)), False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_publication_count=Count("authorships", distinct=True))
        )

    @admin.display(description=_("publications"), ordering="_publication_count")
    def publication_count(self, obj):
        return obj._publication_count


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "city", "website"]
    search_fields = ["name", "short_name", "name_ru", "short_name_ru"]
    prepopulated_fields = {"slug": ["short_name"]}
    fields = [
        "name",
        "name_ru",
        "short_name",
        "short_name_ru",
        "slug",
        "city",
        "city_ru",
        "website",
        "description",
        "description_ru",
    ]

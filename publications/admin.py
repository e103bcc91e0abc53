from datetime import datetime

from django.contrib import admin, messages
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db.models import Max, Min, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dialogue_portal.core.autocomplete import RowChoicesInline
from dialogue_portal.core.freshness import content_changed
from dialogue_portal.core.textsearch import clean_query
from publications.identifiers import normalize_doi
from publications.models import (
    Attachment,
    Audience,
    Authorship,
    Programme,
    Project,
    Publication,
    Rating,
    Region,
    Topic,
)
from publications.renditions import refresh_banner_renditions
from publications.search import matching, refresh_search_vector
from publications.services import delete_ratings
from publications.signals import publications_changed


class AuthorshipInline(RowChoicesInline, admin.TabularInline):
    model = Authorship
    extra = 0
    min_num = 0
    autocomplete_fields = ["person", "institution"]
    fields = ["order", "person", "byline_position", "byline_position_ru", "institution"]
    ordering = ["order", "pk"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["file", "title", "language", "order", "size"]
    readonly_fields = ["size"]

    @admin.display(description=_("size"))
    def size(self, obj):
        return filesizeformat(obj.size_bytes) if obj.size_bytes else "—"


class YearFilter(admin.SimpleListFilter):
    """The years from the first publication's to the last's, newest first: two index
    look-ups, where the admin's date hierarchy grouped every row by year (90 ms at
    100,000 publications, on every visit to the list)."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        span = model_admin.get_queryset(request).aggregate(
            first=Min("published_at"), last=Max("published_at")
        )
        if span["first"] is None:
            return []
        first = timezone.localtime(span["first"]).year
        last = timezone.localtime(span["last"]).year
        return [(str(year), str(year)) for year in range(last, first - 1, -1)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            year = int(self.value())
            start = timezone.make_aware(datetime(year, 1, 1))
            end = timezone.make_aware(datetime(year + 1, 1, 1))
        except (ValueError, OverflowError):
            # A year that is no number, or out of range, finds nothing rather than a 500.
            return queryset.none()
        return queryset.filter(published_at__gte=start, published_at__lt=end)


class CappedPaginator(Paginator):
    """Counts the rows up to ``COUNT_CAP`` past the start of the page asked for, and no
    further: the list says "more than 1,000" and links the pages known to be there (about
    twenty past the current one, more as the editor goes on). Counting every match of a
    common word read each one (6,853 rows, 23 ms for "arms control" at 100,000
    publications); counting to 1,001 reads 1,001 (3.7 ms)."""

    COUNT_CAP = 1000
    MAX_PAGE = 10**7  # keeps the LIMIT in range; a page past the rows is refused anyway

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page=1):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        skipped = (min(max(page, 1), self.MAX_PAGE) - 1) * per_page
        self.limit = skipped + self.COUNT_CAP + 1

    @cached_property
    def count(self):
        # Unordered: the order decides nothing in a count, and sorting would read every row.
        return self.object_list.order_by()[: self.limit].count()

    @property
    def more_than(self):
        """``COUNT_CAP`` when the count stopped before the last row, else None (exact)."""
        return self.COUNT_CAP if self.count == self.limit else None


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "status",
        "published_at",
        "language",
        "featured",
        "rating_count",
    ]
    list_filter = [
        "status",
        "kind",
        YearFilter,
        "published_at",
        "topics",
        "language",
        "featured",
        "project",
    ]
    # The list counts its rows once: "42 results (100,000 total)" cost a second count of
    # the whole table (15 ms at 100,000) on every filtered visit. And that once only up to
    # a cap (CappedPaginator; the templates in templates/admin/publications/publication/).
    show_full_result_count = False
    # Fifty rows: Django renders each row's checkbox and cells through its form templates,
    # about 0.6 ms a row, the larger part of the page's time at Django's default of 100.
    list_per_page = 50
    list_select_related = ["project"]
    # The site's search (get_search_results); these fields serve the autocomplete of
    # "translation of", where a title is typed as far as it is known.
    search_fields = ["title", "slug"]
    search_help_text = _("Words in any order, as the site's search finds them; or a slug or DOI.")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "topics",
        "regions",
        "audiences",
        "project",
        "programme",
        "translation_of",
    ]
    inlines = [AuthorshipInline, AttachmentInline]
    actions = ["publish", "unpublish"]
    readonly_fields = ["rating_summary", "view_count", "download_count", "created_at", "updated_at"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["kind", "title", "subtitle", "slug", "doi", "summary", "body"]}),
        (
            _("Publishing"),
            {"fields": ["status", "published_at", "featured", "language", "translation_of"]},
        ),
        (
            _("Banner image"),
            {"fields": ["banner_image", "banner_alt", "banner_caption", "banner_credit"]},
        ),
        (
            _("Tags"),
            {"fields": ["topics", "regions", "audiences", "project", "project_part", "programme"]},
        ),
        (
            _("Readers"),
            {
                "fields": [
                    "rating_summary",
                    "view_count",
                    "download_count",
                    "created_at",
                    "updated_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page = 1  # as the change list reads it
        return CappedPaginator(queryset, per_page, orphans, allow_empty_first_page, page=page)

    def get_search_results(self, request, queryset, search_term):
        """The site's search (full text, words in any order, stemmed: the PostgreSQL
        index or SQLite's FTS5), or a slug or DOI typed whole; one query whatever is
        typed, where the admin's own search read every row's text (3 s at 100,000)."""
        if is_autocomplete(request):
            return super().get_search_results(request, queryset, search_term)
        text = clean_query(search_term)
        if not text:
            return queryset, False
        found = matching(Publication, text)
        if " " not in text:
            found |= Q(slug=text) | Q(doi=normalize_doi(text))
        return queryset.filter(found), False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Authors are saved with the inlines, so the vector is built once everything is in,
        # in the same transaction: readers (and the caches, which move on after the commit,
        # see dialogue_portal.core.freshness) get the publication with its vector and banners.
        refresh_search_vector(form.instance)
        refresh_banner_renditions(form.instance)

    @admin.display(description=_("rating"))
    def rating_summary(self, obj):
        if not obj.rating_count:
            return _("no votes yet")
        return _("votes: %(count)s, rating: %(average)s") % {
            "count": obj.rating_count,
            "average": obj.rating_average,
        }

    @admin.action(description=_("Publish the selected publications now"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        drafts = queryset.exclude(status=Publication.Status.PUBLISHED)
        ids = list(drafts.values_list("pk", flat=True))
        updated = drafts.filter(published_at__isnull=True).update(
            status=Publication.Status.PUBLISHED, published_at=now, updated_at=now
        )
        updated += drafts.update(status=Publication.Status.PUBLISHED, updated_at=now)
        publications_changed.send(sender=Publication, ids=ids)
        content_changed()  # a bulk update sends no post_save
        self.message_user(
            request,
            ngettext("%d publication published.", "%d publications published.", updated) % updated,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected publications"), permissions=["change"])
    def unpublish(self, request, queryset):
        published = queryset.filter(status=Publication.Status.PUBLISHED)
        ids = list(published.values_list("pk", flat=True))
        updated = published.update(status=Publication.Status.DRAFT, updated_at=timezone.now())
        publications_changed.send(sender=Publication, ids=ids)
        content_changed()  # a bulk update sends no post_save
        self.message_user(
            request,
            ngettext("%d publication unpublished.", "%d publications unpublished.", updated)
            % updated,
            messages.SUCCESS,
        )


def is_autocomplete(request):
    """Whether the request is an autocomplete field's, which searches as an editor types."""
    match = request.resolver_match
    return match is not None and match.url_name == "autocomplete"


class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ru", "slug"]
    search_fields = ["name", "name_ru"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "name_ru", "slug", "description", "description_ru"]


admin.site.register(Topic, TermAdmin)
admin.site.register(Region, TermAdmin)
admin.site.register(Audience, TermAdmin)


@admin.register(Programme)
class ProgrammeAdmin(TermAdmin):
    fields = [*TermAdmin.fields, "institution"]
    autocomplete_fields = ["institution"]


@admin.register(Project)
class ProjectAdmin(TermAdmin):
    fields = [*TermAdmin.fields, "institutions", "started", "ended"]
    autocomplete_fields = ["institutions"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["publication", "stars", "created_at", "address_hash", "voided_at", "voided_by"]
    list_filter = ["stars", ("voided_at", admin.EmptyFieldListFilter)]
    list_select_related = ["publication", "voided_by"]
    search_fields = ["publication__title"]
    fields = [
        "publication",
        "stars",
        "created_at",
        "updated_at",
        "address_hash",
        "voided_at",
        "voided_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        self.delete_queryset(request, Rating.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # Through the service, so the publication's stored totals lose the rows too.
        delete_ratings(ratings=queryset)

"""The publication list's filters, sort and facet counts.

Within one facet the options are alternatives (topic A or topic B); across facets
they narrow (topic A and region B). Each option's count is what the list would
hold with that option chosen, the other facets' choices kept.
"""

import datetime as dt

import django_filters
from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.textsearch import clean_query
from people.models import Institution, Person
from publications.facets import FACET_COLUMNS
from publications.models import LANGUAGE_CHOICES, Authorship, Publication
from publications.search import filter_by_query, relevance_order
from publications.taxonomy import get_taxonomy

SORTS = {
    "newest": (_("Newest first"), ["-published_at", "-pk"]),
    "oldest": (_("Oldest first"), ["published_at", "pk"]),
    "rating": (_("Top rated"), ["-ranked_average", "-ranked_count", "-published_at", "-pk"]),
    "popular": (_("Most read"), ["-view_count", "-published_at", "-pk"]),
    "relevance": (_("Relevance"), None),  # publications.search.relevance_order()
}


def _term_choices(kind):
    def choices():
        return [(term.slug, term.display_name) for term in get_taxonomy().terms[kind]]

    return choices


class TermFilter(django_filters.MultipleChoiceFilter):
    """Options named by slug in the URL (?topic=arms-control&topic=cyber-security),
    validated against the cached term lists, matched with a subquery so a publication
    with two chosen topics is listed once."""

    def __init__(self, *args, kind, lookup, **kwargs):
        self.lookup = lookup
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(*args, choices=_term_choices(kind), **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        field = Publication._meta.get_field(self.lookup)
        if not field.many_to_many:
            return qs.filter(**{f"{self.lookup}__slug__in": value})
        # The link table alone knows which publications carry the terms: no join back.
        matching = field.remote_field.through.objects.filter(
            **{f"{field.m2m_reverse_field_name()}__slug__in": value}
        )
        return qs.filter(pk__in=matching.values(f"{field.m2m_field_name()}_id"))


class PublicationFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class PublicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=2000)
    kind = django_filters.MultipleChoiceFilter(
        label=_("Kind"), choices=Publication.Kind.choices, widget=forms.CheckboxSelectMultiple
    )
    topic = TermFilter(label=_("Topic"), kind="topic", lookup="topics")
    region = TermFilter(label=_("Region"), kind="region", lookup="regions")
    project = TermFilter(label=_("Project"), kind="project", lookup="project")
    programme = TermFilter(label=_("Programme"), kind="programme", lookup="programme")
    audience = TermFilter(label=_("Audience"), kind="audience", lookup="audiences")
    language = django_filters.MultipleChoiceFilter(
        label=_("Language"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"),
        queryset=Person.objects.all(),
        to_field_name="slug",
        method="filter_author",
    )
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"),
        queryset=Institution.objects.all(),
        to_field_name="slug",
        method="filter_institution",
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        method="filter_date_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        method="filter_date_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    FACETS = tuple(FACET_COLUMNS)

    class Meta:
        model = Publication
        fields = []
        form = PublicationFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.form.fields["sort"].required = False

    def filter_q(self, queryset, name, value):
        text = clean_query(value)
        return filter_by_query(queryset, text) if text else queryset

    def filter_author(self, queryset, name, person):
        return queryset.filter(
            Exists(Authorship.objects.filter(publication=OuterRef("pk"), person=person))
        )

    def filter_institution(self, queryset, name, institution):
        return by_institution(queryset, institution)

    # Dates as ranges of the indexed column (not published_at::date), in the site's time zone.
    def filter_date_from(self, queryset, name, value):
        if value <= dt.date.min + dt.timedelta(days=1):
            return queryset
        return queryset.filter(published_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        if value >= dt.date.max - dt.timedelta(days=1):
            return queryset
        return queryset.filter(published_at__lt=_start_of_day(value + dt.timedelta(days=1)))

    def filter_sort(self, queryset, name, value):
        return queryset  # Applied last, in filter_queryset, once every filter has run.

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.sort_key == "relevance":
            return queryset.order_by(*relevance_order())
        return queryset.order_by(*SORTS[self.sort_key][1])

    @property
    def cleaned_data(self):
        return self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}

    @property
    def query_text(self):
        if self.is_bound:
            self.form.is_valid()
            return clean_query(self.form.cleaned_data.get("q") or "")
        return ""

    @property
    def sort_key(self):
        requested = ""
        if self.is_bound:
            self.form.is_valid()
            requested = self.form.cleaned_data.get("sort") or ""
        if requested == "relevance" and not self.has_rank:
            requested = ""
        return requested or ("relevance" if self.has_rank else "newest")

    @property
    def has_rank(self):
        return bool(self.query_text)

    def shape(self):
        """What the filtered queryset depends on, as a hashable value: the valid cleaned
        values, records by primary key (a slug an editor gives to another term later
        names another shape), for the names of a list's cached cards."""
        if not self.is_bound:
            return ()
        self.form.is_valid()
        return tuple(
            (name, _shape_of(value)) for name, value in sorted(self.form.cleaned_data.items())
        )

    def filtered(self, queryset):
        """``queryset`` filtered as ``qs`` is, built anew each call (no query: the form
        was validated once)."""
        if not self.is_bound:
            return queryset
        self.form.is_valid()
        return self.filter_queryset(queryset)

    def active_values(self):
        """{filter name: cleaned value} for every filter the reader set (valid ones only)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in (None, "", [])
        }


def _shape_of(value):
    if isinstance(value, models.Model):
        return (value._meta.label, value.pk)
    if isinstance(value, (list, tuple, set, models.QuerySet)):
        return tuple(sorted(_shape_of(item) for item in value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _start_of_day(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def by_institution(queryset, institution):
    """Work with an author writing for ``institution``: as the byline names it, or, where
    the byline names none, by the author's affiliation."""
    return queryset.filter(
        Exists(
            Authorship.objects.filter(publication=OuterRef("pk")).filter(
                Q(institution=institution)
                | Q(institution__isnull=True, person__affiliations__institution=institution)
            )
        )
    )

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from dialogue_portal.context_processors import language_links
from polls.models import Poll
from publications import citation, sharing
from publications.filters import PublicationFilter, facet_counts
from publications.models import (
    Attachment,
    Audience,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
)

PAGE_SIZE = 20


def paginate(request, queryset, per_page=PAGE_SIZE):
    """A page for any ``?page=``: junk or 0 gives the first, past the end the last."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(raw)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        try:
            number = int(raw)
        except (TypeError, ValueError, OverflowError):
            number = 1
        return paginator.page(paginator.num_pages if number > 1 else 1)


class PublicationListView(TemplateView):
    template_name = "publications/publication_list.html"

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = Publication.objects.published()
        filterset = PublicationFilter(self.request.GET or None, queryset=base)
        page = paginate(self.request, filterset.qs.for_listing())
        context.update(
            filterset=filterset,
            form=filterset.form,
            page_obj=page,
            publications=page.object_list,
            facets=build_facets(filterset, base),
            chips=active_chips(self.request, filterset),
            query_string=query_without(self.request, "page"),
        )
        return context


def query_without(request, *names, pair=None):
    """The current query string without ``names`` (or without one ``(name, value)`` pair)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    if pair:
        name, value = pair
        values = [v for v in params.getlist(name) if v != value]
        params.setlist(name, values)
        if not values:
            params.pop(name)
    return params.urlencode()


FACET_SOURCES = {
    "topic": Topic,
    "region": Region,
    "project": Project,
    "programme": Programme,
    "audience": Audience,
}


def build_facets(filterset, base):
    """Each facet's options with counts, the chosen ones marked, for the filter form."""
    counts = facet_counts(filterset, base)
    chosen = {
        name: set(filterset.data.getlist(name)) if filterset.data else set()
        for name in PublicationFilter.FACETS
    }
    facets = []
    for name in PublicationFilter.FACETS:
        field = filterset.form.fields[name]
        if name in FACET_SOURCES:
            options = [(obj.slug, obj.display_name) for obj in field.queryset]
        else:
            options = list(field.choices)
        items = [
            {
                "value": value,
                "label": label,
                "count": counts[name].get(value, 0),
                "checked": value in chosen[name],
            }
            for value, label in options
            if counts[name].get(value) or value in chosen[name]
        ]
        if items:
            facets.append({"name": name, "label": field.label, "options": items})
    return facets


def active_chips(request, filterset):
    """Removable chips for every active filter: a label and the URL without it."""
    if not filterset.is_bound:
        return []
    form = filterset.form
    form.is_valid()
    data = form.cleaned_data
    chips = []
    for name in ("q", *PublicationFilter.FACETS, "author", "institution", "date_from", "date_to"):
        value = data.get(name)
        if not value:
            continue
        field = form.fields[name]
        if name in FACET_SOURCES:
            for obj in value:
                chips.append(
                    (
                        f"{field.label}: {obj.display_name}",
                        query_without(request, "page", pair=(name, obj.slug)),
                    )
                )
        elif name in ("kind", "language"):
            labels = dict(field.choices)
            for item in value:
                chips.append(
                    (
                        f"{field.label}: {labels.get(item, item)}",
                        query_without(request, "page", pair=(name, item)),
                    )
                )
        else:
            label = getattr(value, "name", None) or str(value)
            chips.append((f"{field.label}: {label}", query_without(request, "page", name)))
    return [{"label": label, "url": f"?{query}" if query else "?"} for label, query in chips]


class PublicationDetailView(DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        return Publication.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        versions = list(publication.language_versions())
        context.update(
            versions=versions,
            # The switcher and hreflang links lead to the version written in each language.
            language_alternates=language_links(self.request, publication.language_urls(versions)),
            related=list(related_publications(publication)),
            series=series_neighbours(publication),
            poll=Poll.objects.featured_on(Poll.Placement.PUBLICATIONS)
            .prefetch_related("choices")
            .first(),
            citation_text=citation.formatted(publication, self.request),
            share_links=sharing.share_links(
                publication.title, self.request.build_absolute_uri(publication.get_absolute_url())
            ),
            json_ld=sharing.json_ld(publication, self.request, settings.SITE_NAME),
            institutions=citation.publishers(publication),
            citation_authors=[
                (a.person.citation_name, citation.authorship_institution(a))
                for a in publication.authors
            ],
        )
        return context


def related_publications(publication, limit=4):
    """Same project first, then the most shared topics, then the newest."""
    topic_ids = [topic.pk for topic in publication.topics.all()]
    same_project = Q(project_id=publication.project_id) if publication.project_id else Q(pk__in=[])
    return (
        Publication.objects.published()
        .exclude(pk=publication.pk)
        .exclude(pk=publication.translation_of_id or 0)
        .exclude(translation_of=publication.translation_of_id or publication.pk)
        .filter(same_project | Q(topics__in=topic_ids))
        .annotate(
            shared_topics=Count("topics", filter=Q(topics__in=topic_ids), distinct=True),
            in_project=Count("pk", filter=same_project, distinct=True),
        )
        .order_by("-in_project", "-shared_topics", "-published_at")
        .for_listing()[:limit]
    )


def series_neighbours(publication):
    """The parts of the publication's project in order, for “Part 1 · 2 · 3” navigation."""
    if not publication.project_id:
        return []
    return list(
        Publication.objects.published()
        .filter(project_id=publication.project_id, project_part__isnull=False)
        .only("pk", "slug", "title", "project_part", "language")
        .filter(language=publication.language)
        .order_by("project_part", "published_at")
    )


def get_public_publication(request, slug):
    return get_object_or_404(Publication.objects.visible_to(request.user).for_detail(), slug=slug)


@require_GET
def cite_bibtex(request, slug):
    publication = get_public_publication(request, slug)
    response = HttpResponse(
        citation.bibtex(publication, request), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}.bib"'
    return response


@require_GET
def cite_ris(request, slug):
    publication = get_public_publication(request, slug)
    response = HttpResponse(
        citation.ris(publication, request),
        content_type="application/x-research-info-systems; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}.ris"'
    return response


@require_GET
def download_attachment(request, slug, pk):
    attachment = get_object_or_404(
        Attachment.objects.select_related("publication").filter(
            publication__in=Publication.objects.visible_to(request.user)
        ),
        pk=pk,
        publication__slug=slug,
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=attachment.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class TermView(DetailView):
    """A topic, region, project, programme or audience with its publications."""

    template_name = "publications/term_detail.html"
    context_object_name = "term"
    filter_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.term_publications()
        page = paginate(self.request, queryset.for_listing())
        context.update(
            page_obj=page,
            publications=page.object_list,
            filter_name=self.filter_name,
            term_label=self.model._meta.verbose_name.capitalize(),
            query_string=query_without(self.request, "page"),
        )
        return context

    def term_publications(self):
        return Publication.objects.published().filter(
            **{PublicationFilter.base_filters[self.filter_name].lookup: self.object}
        )


class TopicView(TermView):
    model = Topic
    filter_name = "topic"


class RegionView(TermView):
    model = Region
    filter_name = "region"


class AudienceView(TermView):
    model = Audience
    filter_name = "audience"


class ProgrammeView(TermView):
    model = Programme
    filter_name = "programme"


class ProjectView(TermView):
    model = Project
    filter_name = "project"
    template_name = "publications/project_detail.html"

    def term_publications(self):
        return Publication.objects.published().filter(project=self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rounds"] = list(
            self.term_publications()
            .filter(project_part__isnull=False)
            .for_listing()
            .order_by("project_part", "language", "published_at")
        )
        return context


class BrowseView(TemplateView):
    """Every topic, region, project and programme with how many publications each has."""

    template_name = "publications/browse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        published = Publication.objects.published()
        sections = []
        for title, model, relation in (
            (_("Topics"), Topic, "publications"),
            (_("Regions"), Region, "publications"),
            (_("Projects"), Project, "publications"),
            (_("Programmes"), Programme, "publications"),
        ):
            terms = model.objects.annotate(
                count=Count(relation, filter=Q(**{f"{relation}__in": published}), distinct=True)
            ).filter(count__gt=0)
            sections.append({"title": title, "terms": terms})
        context["sections"] = sections
        return context

import functools
import hashlib
from collections.abc import Sequence
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, TemplateView
from django_htmx.http import push_url

from dialogue_portal.context_processors import language_links
from dialogue_portal.core import proofofwork
from dialogue_portal.core.clientip import hashed_client_ip
from dialogue_portal.core.links import absolute_url
from dialogue_portal.core.pagecache import (
    NO_QUERY,
    PAGED,
    Fragments,
    QuerySpec,
    anonymous_page_cache,
    canonical_query,
    canonical_url,
    content_version,
    forget_recent,
    recent,
    remember,
    totals_source,
)
from dialogue_portal.core.ratelimit import add_event, limit_writes
from dialogue_portal.core.readers import (
    issue_reader,
    known_reader,
    reader_for_write,
    remember_reader,
)
from dialogue_portal.core.textsearch import clean_query
from publications import citation, counting, sharing
from publications.facets import (
    facet_cache_key,
    facet_counts,
    lists_every_version,
    sent_filters,
    total_from_counts,
)
from publications.filters import PublicationFilter
from publications.models import (
    Attachment,
    Audience,
    Programme,
    Project,
    Publication,
    Region,
    Topic,
    attachments_in_order,
    authors_prefetch,
)
from publications.ranked import RankedSlice, card_rows
from publications.services import parse_stars, rate_publication, reader_rating
from publications.taxonomy import get_taxonomy

PAGE_SIZE = 20
# The publication page's reader-neutral parts (templates/publications/publication_detail.html).
DETAIL_FRAGMENTS = ("head", "json_ld", "main", "side", "end")


def paginate(request, queryset, per_page=PAGE_SIZE, count=None):
    """A page for any ``?page=``: junk or 0 gives the first, past the end the last.

    ``count``, when the caller already knows the total, spares the COUNT query (which
    reads every matching row: tens of milliseconds at 100,000 publications)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
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


class UncountedPage:
    """A page of a list whose length is still being counted (``facets.facet_counts``
    returned None): the rows asked for, and one more to tell whether a next page follows.
    Its paginator knows no count and no number of pages."""

    paginator = SimpleNamespace(count=None, num_pages=None)
    # Past any list this site holds: such a page is empty without asking the database
    # (an offset that large is refused by it, or read through).
    LAST_PAGE = 1_000_000

    def __init__(self, request, rows, per_page=PAGE_SIZE):
        try:
            self.number = max(1, int(request.GET.get("page", "1")))
        except (TypeError, ValueError, OverflowError):
            self.number = 1
        start = (self.number - 1) * per_page
        past_the_end = self.number > self.LAST_PAGE
        fetched = [] if past_the_end else list(rows[start : start + per_page + 1])
        self.object_list = fetched[:per_page]
        self._more = len(fetched) > per_page

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self._more

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


class CardPages:
    """A list of cards for ``paginate()``: the rows of the page asked for, from the
    queryset ``build()`` returns (whole and ordered), built only when the rows are read.
    The total comes from elsewhere (``paginate(count=...)``)."""

    def __init__(self, build):
        self.build = build

    def __getitem__(self, index):
        return LazyRows(lambda: list(self.build()[index]))


class RankedPages(CardPages):
    """``CardPages`` of a list in rank order: each slice's ids are kept, and served
    stale while the refresher ranks them again where ranking is slow (publications.ranked).
    ``sent``: the list's words and filters as the reader sent them.

    Every slice is ranked a page and one row wide, so the pages of ``paginate`` and of
    ``UncountedPage`` (which asks one row more) share their rankings."""

    def __init__(self, build, language, sent):
        super().__init__(build)
        self.language = language
        self.sent = sent
        self.ranking = None  # the RankedSlice of the page asked for

    def __getitem__(self, index):
        start, stop = index.start, max(index.stop, index.start + PAGE_SIZE + 1)
        rank = super().__getitem__(slice(start, stop))._all
        self.ranking = RankedSlice(self.language, self.sent, start, stop, rank)
        size = index.stop - index.start
        return LazyRows(lambda: self.ranking.rows()[:size])


class LazyRows(Sequence):
    """A page's rows, fetched when first read: a page whose cards come from a cached
    fragment (``card_fragments``) makes no query for them."""

    def __init__(self, fetch):
        self._fetch = fetch
        self._rows = None

    def _all(self):
        if self._rows is None:
            self._rows = self._fetch()
        return self._rows

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self):
        return len(self._all())


# Cards of a list page as rendered HTML, shared by every reader of that page: a rating
# sort reorders within this many seconds.
CARDS_SECONDS = 60


def _digest(value):
    return hashlib.sha256(repr(value).encode()).hexdigest()[:32]


def card_fragments(*shape, page, **more):
    """The ``{% fragment fragments "cards" %}`` of a list's page: its cards, per list and
    filters (``shape``), language, page number and content version; ``more``: other
    fragments of the page, {name: what it shows}."""
    prefix = f"{get_language()}:{content_version()}"
    keys = {"cards": f"cards:{prefix}:{_digest(shape)}:{page.number}"}
    keys.update({name: f"{name}:{prefix}:{_digest(value)}" for name, value in more.items()})
    return Fragments(keys, CARDS_SECONDS)


def default_sort(params):
    """The sort a list gets when it names none (see PublicationFilter.sort_key)."""
    return "relevance" if params.get("q") else "newest"


LIST_QUERY = QuerySpec(
    single=("q", "author", "institution", "date_from", "date_to", "sort", "page"),
    multi=PublicationFilter.FACETS,
    defaults={"page": "1", "sort": default_sort},
    clean={"q": clean_query},
)


@method_decorator(anonymous_page_cache(query=LIST_QUERY), name="dispatch")
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
        taxonomy = get_taxonomy()
        active = filterset.active_values()
        language = get_language()
        counted = facet_counts(filterset, language) if active else taxonomy.counted
        one_per_work = not lists_every_version(active)

        key = ("list", language, one_per_work, filterset.shape())
        listed = functools.partial(card_rows, filterset, language)
        if filterset.sort_key == "relevance":
            pages = RankedPages(listed, language, sent_filters(filterset))
        else:
            pages = CardPages(listed)
        if counted is None:  # counted by the refresher: the page meanwhile goes without
            counts = None
            page = UncountedPage(self.request, pages)
        else:
            counts = counted.counts
            total = total_from_counts(counts, active)
            page = paginate(self.request, pages, count=total)
        # The filter form as the reader sent it (invalid values and their errors too),
        # with the facets and their counts as counted (a new count makes a new form).
        sent = self.request.GET.copy()
        sent.pop("page", None)
        facet_key = facet_cache_key(active, counted)
        sent = ("list_form", canonical_query(sent, LIST_QUERY), facet_key)
        # A ranked page's cards are named by when they were ranked: the refresher's new
        # ranking makes new cards.
        ranking = getattr(pages, "ranking", None)
        ranked = () if ranking is None else (ranking.ranked_as_of(),)
        context["fragments"] = card_fragments(*key, *ranked, page=page, form=sent)
        context.update(
            filterset=filterset,
            form=filterset.form,
            page_obj=page,
            publications=page.object_list,
            # Built only when the rendered facets are not in the cache (the template's
            # {% cache %} varies on facet_key: the filters, content version and counts).
            facets=functools.partial(build_facets, filterset, counts, taxonomy),
            facet_key=facet_key,
            chips=active_chips(self.request, filterset, taxonomy),
            one_per_work=one_per_work,
            counts_pending=counts is None,
            # Counts or a ranking served while the refresher makes them again.
            stale=(counted is not None and not counted.is_fresh())
            or (ranking is not None and ranking.stale),
            query_string=query_without(self.request, "page"),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.htmx:
            # The address the browser shows after filtering in place names only what
            # differs from the defaults, as the page cache keys on it: a link to share.
            push_url(response, canonical_url(self.request, LIST_QUERY))
        if context["counts_pending"] or context["stale"]:
            # Not for the page cache nor a browser's: what it lacks comes within seconds.
            patch_cache_control(response, no_cache=True)
        return response


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


def build_facets(filterset, counts, taxonomy):
    """Each facet's options with counts, the chosen ones marked, for the filter form;
    with no ``counts`` (being counted), every option in use, each count None."""
    chosen = filterset.active_values()
    in_use = taxonomy.counts if counts is None else counts
    facets = []
    for name in PublicationFilter.FACETS:
        field = filterset.form.fields[name]
        if name in taxonomy.terms:
            options = [(term.slug, term.display_name) for term in taxonomy.terms[name]]
        else:
            options = list(field.choices)
        selected = set(chosen.get(name, []))
        items = [
            {
                "value": value,
                "label": label,
                "count": None if counts is None else counts[name].get(value, 0),
                "checked": value in selected,
            }
            for value, label in options
            if in_use[name].get(value) or value in selected
        ]
        if items:
            facets.append({"name": name, "label": field.label, "options": items})
    return facets


def active_chips(request, filterset, taxonomy):
    """Removable chips for every active filter: a label and the URL without it."""
    chips = []
    for name, value in filterset.active_values().items():
        field = filterset.form.fields[name]
        if name in PublicationFilter.FACETS:
            labels = (
                {term.slug: term.display_name for term in taxonomy.terms[name]}
                if name in taxonomy.terms
                else dict(field.choices)
            )
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


def detail_row_name(slug, preview):
    return f"detail_row:{slug}:{preview}"


@method_decorator(anonymous_page_cache(query=NO_QUERY), name="dispatch")
class PublicationDetailView(DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        return Publication.objects.visible_to(self.request.user).for_detail()

    def get_object(self, queryset=None):
        """The row; its byline and attachments are fetched only where a fragment must be
        rendered."""
        user = self.request.user
        preview = user.is_authenticated and user.is_staff
        slug = self.kwargs["slug"]

        def fetch():
            return Publication.objects.visible_to(user).for_detail_row().filter(slug=slug).first()

        # Shared for a few seconds (its rating totals are that old at most); an address
        # not found is not kept, so a scheduled publication appears on time.
        publication = recent(detail_row_name(slug, preview), fetch, keep_none=False)
        if publication is None:
            raise Http404(_("No publication at this address."))
        return publication

    @staticmethod
    def fetch_byline_and_attachments(publication):
        """As ``for_detail()`` prefetches them: two queries."""
        prefetch_related_objects(
            [publication],
            authors_prefetch(),
            Prefetch("attachments", queryset=attachments_in_order()),
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response[counting.PUBLICATION_ID_HEADER] = str(self.object.pk)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        taxonomy = get_taxonomy()
        ids, versions, series, related = neighbourhood(publication, get_language())
        publication.terms = {
            kind: [term for term in taxonomy.terms[kind] if term.pk in set(ids[kind])]
            for kind in ids
        }
        language_urls = publication.language_urls(versions)
        for version in versions:
            # "Also available in" opens each version with the interface in its language.
            version.url_in_own_language = language_urls[version.language]
        url = absolute_url(publication.get_absolute_url())
        fragments = Fragments.of_page(
            f"detail:{publication.pk}:{get_language()}:{content_version()}:{publication.is_public}",
            DETAIL_FRAGMENTS,
            300,
        )
        if fragments.missing():
            # Only the fragments show the byline and the downloads.
            self.fetch_byline_and_attachments(publication)
        context.update(
            terms=publication.terms,
            versions=versions,
            # The switcher and hreflang links lead to the version written in each language.
            language_alternates=language_links(self.request, language_urls),
            series=series if len(series) > 1 else [],
            related=related,
            # Called by the template only where its fragment is not in the cache.
            citation_text=functools.partial(citation.formatted, publication),
            share_links=functools.partial(sharing.share_links, publication.title, url),
            fragments=fragments,
            json_ld=functools.partial(sharing.json_ld, publication, settings.SITE_NAME),
            institutions=functools.partial(citation.publishers, publication),
            citation_authors=functools.partial(citation_authors, publication),
        )
        return context


def citation_authors(publication):
    """``(name as cited, institution)`` of each author, for the citation meta tags."""
    return [(a.person.citation_name, a.byline_institution) for a in publication.authors]


NEIGHBOURHOOD_SECONDS = 300


def neighbourhood(publication, language):
    """``(term ids, other-language versions, project parts, related work)`` of a page in
    the interface ``language`` (which chooses the version each part and related work
    shows).

    Four queries whose answers change only when editors change content (related work
    walks the link table of a broad topic), so they are kept in the cache under the
    content version and the language, for a few minutes at most so that scheduled work
    appears on time."""

    def look_around():
        ids = publication.term_ids()
        versions, series = publication.versions_and_series(language)
        return {
            "term_ids": ids,
            "versions": versions,
            # The publication stands in its series as None: the page has it in full.
            "series": [None if part.pk == publication.pk else part for part in series],
            "related": related_publications(publication, ids["topic"], language),
        }

    found = remember(
        f"neighbourhood:{publication.pk}:{language}", look_around, NEIGHBOURHOOD_SECONDS
    )
    series = [publication if part is None else part for part in found["series"]]
    return found["term_ids"], found["versions"], series, found["related"]


def related_publications(publication, topic_ids, language, limit=4):
    """Same project first, then work sharing a topic, each newest first (one query); each
    work once, in ``language`` where the group holds a version in it, otherwise its
    original (``one_per_work``).

    Each group is its own small query that walks the date index and stops after
    ``limit`` works (a topic is checked through the link table's index, a row's other
    versions through the indexes on work and primary key), joined with UNION ALL; a
    single query ordered by "same project" first would sort every publication sharing a
    broad topic. SQLite cannot limit the parts of a UNION, and its small databases do
    not need it: there one query sorts the matches. A work in both groups is shown once,
    as the project's group chose it."""
    original_id = publication.translation_of_id or publication.pk
    candidates = (
        Publication.objects.published()
        .exclude(pk__in=[publication.pk, original_id])
        .exclude(translation_of_id=original_id)
        .only("pk", "slug", "title", "kind", "published_at", "language", "work")
    )
    shares_topic = Exists(
        Publication.topics.through.objects.filter(
            publication_id=OuterRef("pk"), topic_id__in=topic_ids
        )
    )
    in_project = Q(project_id=publication.project_id)
    groups = []  # (condition, rank): the project's work first
    if publication.project_id:
        groups.append((in_project, 1))
    if topic_ids:
        groups.append((shares_topic, 0))
    if not groups:
        return []
    order = ["-in_project", "-published_at", "-pk"]
    if not connection.features.supports_slicing_ordering_in_compound:
        matches = Q()
        for condition, _rank in groups:
            matches |= condition
        first = Case(When(in_project, then=1), default=0) if publication.project_id else Value(0)
        ranked = candidates.filter(matches).one_per_work(language).annotate(in_project=first)
        return list(ranked.order_by(*order)[:limit])
    parts = [
        candidates.filter(condition)
        .one_per_work(language)
        .annotate(in_project=Value(rank))
        .order_by("-published_at", "-pk")[:limit]
        for condition, rank in groups
    ]
    first, *rest = parts
    rows = first.union(*rest, all=True).order_by(*order) if rest else first
    unique = {}
    for row in rows:
        unique.setdefault(row.work, row)
    return list(unique.values())[:limit]


def get_public_publication(request, slug):
    return get_object_or_404(Publication.objects.visible_to(request.user).for_detail(), slug=slug)


@require_GET
def cite_bibtex(request, slug):
    publication = get_public_publication(request, slug)
    response = HttpResponse(
        citation.bibtex(publication), content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{publication.slug}.bib"'
    return response


@require_GET
def cite_ris(request, slug):
    publication = get_public_publication(request, slug)
    response = HttpResponse(
        citation.ris(publication),
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
    if not (request.user.is_authenticated and request.user.is_staff):
        counting.record(request, "download", attachment.publication_id, attachment.pk)
    response = FileResponse(
        handle,
        as_attachment=False,
        filename=attachment.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@method_decorator(anonymous_page_cache(query=PAGED), name="dispatch")
class TermView(DetailView):
    """A topic, region, project, programme or audience with its publications."""

    template_name = "publications/term_detail.html"
    context_object_name = "term"
    filter_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The cached facet counts hold every term's published total.
        total = get_taxonomy().counts[self.filter_name].get(self.object.slug, 0)
        key = ("term", self.filter_name, self.object.pk, get_language())
        cards = CardPages(lambda: self.term_publications().for_cards())
        page = paginate(self.request, cards, count=total)
        context["fragments"] = card_fragments(*key, page=page)
        context.update(
            page_obj=page,
            publications=page.object_list,
            filter_name=self.filter_name,
            term_label=self.model._meta.verbose_name.capitalize(),
            query_string=query_without(self.request, "page"),
        )
        return context

    def term_publications(self):
        """The term's published work, each work once in the interface language (as the
        cached counts count it)."""
        return (
            Publication.objects.published()
            .filter(**{PublicationFilter.base_filters[self.filter_name].lookup: self.object})
            .one_per_work(get_language())
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
        return (
            Publication.objects.published().filter(project=self.object).one_per_work(get_language())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rounds"] = list(
            self.term_publications()
            .filter(project_part__isnull=False)
            .for_listing()
            .order_by("project_part", "language", "published_at")
        )
        return context


@method_decorator(anonymous_page_cache(query=NO_QUERY), name="dispatch")
class BrowseView(TemplateView):
    """Every topic, region, project and programme in use, with how many published works
    each has: the counts every page holds (``Taxonomy.counts``), which the term's own page
    shows as its total."""

    template_name = "publications/browse.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        taxonomy = get_taxonomy()
        sections = []
        for title, kind in (
            (_("Topics"), "topic"),
            (_("Regions"), "region"),
            (_("Projects"), "project"),
            (_("Programmes"), "programme"),
        ):
            counts = taxonomy.counts.get(kind, {})
            rows = [(term, counts[term.slug]) for term in taxonomy.in_use(kind)]
            sections.append({"title": title, "rows": rows})
        context["sections"] = sections
        return context


# Ratings: the live, per-reader widget (never cached) and the write beside it.

STAR_CHOICES = range(1, 6)

# "votes: 11, rating: 5" on a cached page: a hole filled from a fragment that ratings age.
totals_source(
    "rating",
    fetch=lambda ids: Publication.objects.only("pk", "rating_count", "rating_sum").in_bulk(ids),
    render=lambda publication: render_to_string(
        "includes/rating.html#summary", {"publication": publication}
    ),
)


# What a rating checks may come from the shared cache, kept under the content version:
# a rating storm's writes then make one query, the rating's own statement.
RATED_SECONDS = 300


def rateable_publication(slug, *, shared=False):
    """The published publication at ``slug`` as a rating needs it, or 404: with its
    totals as they stand, or (``shared``) as kept in the shared cache for RATED_SECONDS
    at most, for checking that it may be rated (its totals may be old there: never shown).
    Unpublishing moves the content version, and only a publication found is kept (a
    scheduled one is rateable as soon as its date comes)."""

    def find():
        return (
            Publication.objects.published()
            .only("pk", "slug", "title", "status", "published_at", "rating_count", "rating_sum")
            .filter(slug=slug)
            .first()
        )

    publication = remember(f"rateable:{slug}", find, RATED_SECONDS) if shared else find()
    if publication is None:
        raise Http404(_("No publication at this address."))
    return publication


def _rating_scope(publication):
    return f"publication:{publication.pk}"


def rating_check_policy(publication):
    """When an anonymous rating of ``publication`` needs the proof-of-work check, and its
    caps (as for votes in a poll: ``polls.views.check_policy``)."""
    return proofofwork.Policy(
        scope=_rating_scope(publication),
        busy_per_minute=settings.PUBLICATION_BUSY_RATINGS_PER_MINUTE,
        cap=settings.RATINGS_PER_ADDRESS_PER_PUBLICATION_PER_DAY,
        stricter=settings.RATINGS_WITHOUT_CHALLENGE_PER_ADDRESS_PER_PUBLICATION_PER_DAY,
    )


# What a refused anonymous rating is told (proofofwork.anonymous_slot).
RATING_REFUSALS = proofofwork.Refusals(
    busy_scope=gettext_lazy(
        "Many ratings are arriving for this publication right now, so a rating needs a "
        "short check that your browser solves (it needs JavaScript): your rating was not "
        "counted. Please rate again with JavaScript on, or try again later."
    ),
    busy_address=gettext_lazy(
        "Many ratings of this publication came from your network today, so a rating "
        "needs a short check that your browser solves (it needs JavaScript): your rating "
        "was not counted. Please rate again with JavaScript on."
    ),
    full=gettext_lazy(
        "Too many ratings of this publication from your network today: your rating "
        "was not counted. Please try again tomorrow."
    ),
    replayed=gettext_lazy(
        "This check was used already: your rating was not counted. Please rate again."
    ),
    expired=gettext_lazy("The check expired: your rating was not counted. Please rate again."),
    invalid=gettext_lazy("The check did not pass: your rating was not counted. Please rate again."),
)


def render_rating(
    request, publication, *, rating=None, status=200, notice="", error="", challenge=None
):
    """The rating form with the reader's stars; ``challenge`` (None: asked here) says
    whether it carries the proof-of-work check (only a new anonymous rating needs it)."""
    if challenge is None:
        challenge = (
            rating is None
            and not request.user.is_authenticated
            and bool(rating_check_policy(publication).busy(request))
        )
    context = {
        "publication": publication,
        "rating": rating,
        "challenge": challenge,
        "star_choices": STAR_CHOICES,
        "notice": notice,
        "error": error,
    }
    template = "publications/rate.html#widget" if request.htmx else "publications/rate.html"
    return render(request, template, context, status=status)


@require_GET
@never_cache
def rating_widget(request, slug):
    """The rating form with the reader's own stars: a page without JavaScript, a fragment
    that replaces the cached page's reader-neutral summary with htmx. It issues a new
    anonymous reader the signed cookie a rating needs."""
    publication = rateable_publication(slug)
    reader = known_reader(request)
    rating = reader_rating(publication=publication, reader=reader)
    response = render_rating(request, publication, rating=rating)
    if reader is None:
        remember_reader(response, issue_reader())
    return response


@require_GET
@never_cache
@limit_writes("challenge")
def rating_challenge(request, slug):
    """A new proof-of-work challenge for a rating of this publication (JSON, for the widget)."""
    publication = rateable_publication(slug, shared=True)
    return JsonResponse(proofofwork.challenge(_rating_scope(publication)))


@require_POST
@never_cache
@limit_writes("rate")
def rate(request, slug):
    publication = rateable_publication(slug, shared=True)
    try:
        stars = parse_stars(request.POST.get("stars"))
    except ValidationError as error:
        publication = rateable_publication(slug)  # with its totals as they are
        return render_rating(request, publication, status=400, error=error.messages[0])
    reader = reader_for_write(request)
    if reader is None:  # no reader the server issued: a script's made-up browser, or cookies off
        error = _(
            "Your rating was not counted: this browser had no reader cookie from us. "
            "Please allow cookies for this site and rate again."
        )
        response = render_rating(request, rateable_publication(slug), status=400, error=error)
        return remember_reader(response, issue_reader())
    slot = None
    if reader.is_anonymous:
        slot, refusal = proofofwork.anonymous_slot(
            request,
            rating_check_policy(publication),
            written=lambda: reader_rating(publication=publication, reader=reader) is not None,
            render=lambda **refused: render_rating(request, rateable_publication(slug), **refused),
            refusals=RATING_REFUSALS,
        )
        if refusal is not None:
            return refusal
    created = False
    try:
        rating, created = rate_publication(
            publication=publication,
            reader=reader,
            stars=stars,
            address_hash=hashed_client_ip(request),
        )
    finally:
        if slot and not created:  # a changed rating adds no reader; a failed one nothing
            slot.give_back()
    if created:
        add_event(_rating_scope(publication))  # what makes the publication busy
    # The next reader of the publication page sees the new totals.
    forget_recent(detail_row_name(slug, False), detail_row_name(slug, True))
    notice = ngettext(
        "Thank you: your rating is %(stars)d star.",
        "Thank you: your rating is %(stars)d stars.",
        stars,
    ) % {"stars": stars}
    if request.htmx:
        return render_rating(request, publication, rating=rating, notice=notice)
    messages.success(request, notice)
    return redirect("publications:rating", slug=publication.slug)

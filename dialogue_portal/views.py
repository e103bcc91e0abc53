import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from dialogue_portal.core.links import absolute_url
from dialogue_portal.core.pagecache import (
    NO_QUERY,
    Fragments,
    QuerySpec,
    anonymous_page_cache,
    content_version,
    recent,
    remember,
    totals_source,
)
from dialogue_portal.core.textsearch import clean_query, words_match
from people.models import Person
from polls import services as poll_services
from polls.models import Poll
from publications.models import Publication
from publications.ranked import RankedSlice
from publications.search import filter_by_query, relevance_order
from publications.taxonomy import get_taxonomy
from publications.views import LazyRows

SEARCH_LIMIT = 10
HOME_LATEST = 6
# The home page's cards, its most read and which works it lists as top rated: a scheduled
# publication, a change in the most read or in the top-rated order shows within this many
# seconds.
HOME_FRAGMENT_SECONDS = 60


class TopRated(list):
    """The home page's top rated rows (a list ``recent`` can mark with their age)."""


def top_rated():
    """The five best-rated works, each once in the reader's language where it has a
    version, with their totals as they stand: shared for PAGE_TOTALS_SECONDS at most, as
    every page's totals are (``recent``), so a miss of the home page makes no query for
    them.

    Which five is shared for HOME_FRAGMENT_SECONDS at most, under the content version: the
    order reads ``ranked_*``, which only ``flush_counts`` moves (each minute), and the query
    that finds one card per work costs more to build than to run. The five rows, whose
    totals move with every rating, are read again by primary key."""
    language = get_language()
    return recent(f"home:top_rated:{language}", lambda: TopRated(_top_rated(language)))


def _top_rated(language):
    fields = ("slug", "title", "kind", "published_at", "rating_count", "rating_sum")
    key = f"home:top_rated:{language}:{content_version()}"
    ids = cache.get(key)
    if ids is None:
        rows = list(
            Publication.objects.published()
            .one_per_work(language)
            .filter(ranked_count__gt=0)
            .order_by("-ranked_average", "-ranked_count", "-published_at")
            .only(*fields)[:5]
        )
        cache.set(key, [row.pk for row in rows], HOME_FRAGMENT_SECONDS)
        return rows
    found = {
        row.pk: row for row in Publication.objects.published().filter(pk__in=ids).only(*fields)
    }
    return [found[pk] for pk in ids if pk in found]


# The home page's top rated list moves with every rating: a hole in the cached page.
totals_source(
    "top_rated",
    fetch=lambda ids: {0: _top_rated(get_language())},  # read now: the hole keeps it 5 s
    render=lambda rows: render_to_string("home.html#top_rated", {"top_rated": rows}),
)


@require_GET
@anonymous_page_cache(query=NO_QUERY)
def home(request):
    language = get_language()

    def published():
        # Each work once, in the reader's language where it has a version in it.
        return Publication.objects.published().one_per_work(language)

    def featured_cards():
        # A work is featured when an editor featured any of its versions.
        featured_works = Publication.objects.published().filter(featured=True).values("work")
        cards = published().for_cards().filter(work__in=featured_works)
        return cards.order_by("-published_at", "-pk")[:3]

    # Featured and latest: two small index scans (their authors only for cards not yet
    # rendered), run only when the home page's fragments are not in the shared cache.
    featured = LazyRows(lambda: list(featured_cards()))
    latest = LazyRows(
        lambda: list(
            published()
            .for_cards()
            .exclude(pk__in=[row.pk for row in featured])
            .order_by("-published_at", "-pk")[:HOME_LATEST]
        )
    )
    taxonomy = get_taxonomy()
    version = f"{language}:{content_version()}"
    context = {
        # The cards and the most read, shared by every reader for a minute at most.
        "fragments": Fragments(
            {"main": f"home:main:{version}", "most_read": f"home:most_read:{version}"},
            HOME_FRAGMENT_SECONDS,
        ),
        "featured": featured,
        "latest": latest,
        "most_read": LazyRows(
            lambda: list(
                published()
                .filter(view_count__gt=0)
                .order_by("-view_count", "-published_at")
                .only("slug", "title", "kind", "published_at", "view_count")[:5]
            )
        ),
        "top_rated": top_rated(),
        "poll": poll_services.featured_poll(Poll.Placement.HOME),
        "topics": taxonomy.in_use("topic")[:12],
        "regions": taxonomy.in_use("region")[:8],
        "projects": taxonomy.in_use("project")[:6],
    }
    return render(request, "home.html", context)


# A search's results, shared by every reader who searches the same words in the same
# language until editors change content or this many seconds pass (a scheduled
# publication appears in search that much later at most). Ranking a common phrase reads
# every match: "arms control" is 6,853 of 100,000 publications, some 50 ms in the index.
SEARCH_SECONDS = 300


def search_results(text):
    """``({"publications", "people", "polls"}, stale)`` matching ``text``: shared by every
    reader of the same words, and stale while the publications shown are the last
    ranking, served as the refresher ranks them again (publications.ranked)."""
    language = get_language()
    # Each matching work once, in the reader's language where a version in it matches:
    # the first of the publication list's search results.
    ranking = RankedSlice(
        language,
        {"q": [text]},
        0,
        SEARCH_LIMIT,
        lambda: list(
            filter_by_query(Publication.objects.published(), text)
            .one_per_work(language)
            .order_by(*relevance_order())
            .for_cards()[:SEARCH_LIMIT]
        ),
    )

    def find():
        # Like the people list: only those with published work (an upcoming author stays unseen).
        people = (
            Publication.objects.published()
            .authors()
            .filter(words_match(text, Person.SEARCH_FIELDS))
        )
        polls = Poll.objects.public().filter(words_match(text, Poll.SEARCH_FIELDS))
        return {
            "publications": ranking.rows(),
            "people": list(people.for_listing()[:SEARCH_LIMIT]),
            "polls": list(polls[:SEARCH_LIMIT]),
        }

    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    name = f"search:{language}:{digest}:{ranking.ranked_as_of()}"
    return remember(name, find, SEARCH_SECONDS), ranking.stale


@require_GET
@anonymous_page_cache(query=QuerySpec(single=("q",), clean={"q": clean_query}))
def search(request):
    """One box over publications, people and polls."""
    text = clean_query(request.GET.get("q", ""))
    results, stale = (
        search_results(text) if text else ({"publications": [], "people": [], "polls": []}, False)
    )
    response = render(
        request,
        "search.html",
        {
            "search_query": text,
            "results": results,
            "total": sum(len(items) for items in results.values()),
        },
    )
    if stale:  # not for the page cache nor a browser's: the new ranking comes within seconds
        patch_cache_control(response, no_cache=True)
    return response


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /*/cite.",
        "",
        f"Sitemap: {absolute_url(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")

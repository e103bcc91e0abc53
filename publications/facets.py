"""Facet counts of the publication list: how many publications each option of each facet
would list, the reader's other choices kept, and the list totals derived from them.

Counted in one query per filter set and cached under the content version, which every
editorial change moves on."""

import datetime as dt
import hashlib
import json

from django.db.models import Count, F, OuterRef, Value

from dialogue_portal.pagecache import content_version, remember

# facet name -> the column its options are counted by
FACET_COLUMNS = {
    "kind": "kind",
    "topic": "topics__slug",
    "region": "regions__slug",
    "project": "project__slug",
    "programme": "programme__slug",
    "audience": "audiences__slug",
    "language": "language",
}


FACET_CACHE_SECONDS = 300


# The list's length, counted beside the facets when they cannot tell it (total_from_counts).
TOTAL = "total"
SET_ASIDE = "set-aside:"  # names the rows a facet's counts leave out (facet_counts_for)


def lists_every_version(active):
    """A list filtered by language shows every version in the chosen languages; any
    other list shows each work once (``PublicationQuerySet.one_per_work``)."""
    return "language" in active


def facet_counts(filterset, base_queryset, language):
    """Facet counts for the list as the reader filtered it (the published list only),
    each work counted once in interface ``language`` as the list shows it.

    Cached for a few minutes under the language, the normalized filters and the site's
    content version, which every editorial change moves on; the time limit covers
    scheduled publications that become public on their own."""
    active = filterset.active_values()
    return remember(
        f"facets:{language}:{_filters_digest(active)}",
        lambda: facet_counts_for(
            base_queryset,
            {name: (filterset.filters[name], value) for name, value in active.items()},
            language,
        ),
        FACET_CACHE_SECONDS,
    )


def total_from_counts(counts, active):
    """The list's length read off its facet counts.

    A language filter lists every version in the chosen languages, and the language
    counts are those of every version: the chosen ones add up to the list. Otherwise the
    list shows each work once and ``facet_counts_for`` counted it (the options of a facet
    cannot tell: two versions of a work may differ in kind or topic)."""
    if "language" in active:
        return sum(counts["language"].get(code, 0) for code in active["language"])
    return counts[TOTAL].get(TOTAL, 0)  # no row at all when nothing matches


def cached_count(name, build):
    """How many rows the queryset ``build()`` returns holds, cached like the facet
    counts (the queryset is built only when the count is not in the cache); ``name`` says
    which list (and language) it is (the query's text cannot: "published" compares with
    the clock)."""
    return remember(f"count:{name}", lambda: build().count(), FACET_CACHE_SECONDS)


def facet_cache_key(active):
    """Names the facets of a filter set as they stand now (for the rendered fragment)."""
    return f"facets:{content_version()}:{_filters_digest(active)}"


def _filters_digest(active):
    def normal(value):
        if isinstance(value, (list, tuple, set)):
            return sorted(normal(item) for item in value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return getattr(value, "slug", None) or str(value)

    filters = sorted((name, normal(value)) for name, value in active.items() if name != "sort")
    return hashlib.sha256(json.dumps(filters, ensure_ascii=False).encode()).hexdigest()[:32]


def facet_counts_for(base_queryset, active, language):
    """{facet: {key: count}} for every facet, in one query (a UNION ALL of GROUP BYs).

    ``active`` maps a filter name to ``(filter, value)``; each facet is counted with
    every active filter applied except its own, that is, as the list would stand with
    the option chosen: each work once in ``language`` (the interface's), chosen among
    its versions with that option, except where languages are chosen or counted, since
    choosing one lists every version in it.
    Filters narrow with subqueries, never joins, so each publication is one row per
    option and a plain COUNT is exact (a COUNT(DISTINCT) would sort every group: seconds
    at 100,000 publications)."""
    parts = []
    columns = dict(FACET_COLUMNS)
    if not lists_every_version(active):
        columns[TOTAL] = None  # the list itself, each work once (total_from_counts)
    for facet, column in columns.items():
        narrowed = base_queryset
        for name, (filter_, value) in active.items():
            if name != facet:
                narrowed = filter_.filter(narrowed, value)
        if column is None:
            grouped = narrowed.order_by().values(key=Value(TOTAL))
        else:
            grouped = narrowed.order_by().filter(**{f"{column}__isnull": False})
            grouped = grouped.values(key=F(column))
        parts.append(
            grouped.annotate(facet=Value(facet), n=Count("*")).values_list("facet", "key", "n")
        )
        if facet != "language" and not lists_every_version(active):
            # Each work once per option, chosen among its versions with that option: every
            # row is counted above, and the versions set aside are counted here, apart.
            alike = {column: OuterRef("key")} if column else None
            set_aside = grouped.set_aside_versions(language, among=narrowed, alike=alike)
            parts.append(
                set_aside.annotate(facet=Value(SET_ASIDE + facet), n=Count("*")).values_list(
                    "facet", "key", "n"
                )
            )
    counts = {facet: {} for facet in columns}
    set_aside = []
    first, *rest = parts
    for facet, key, n in first.union(*rest, all=True).order_by():
        if facet.startswith(SET_ASIDE):
            set_aside.append((facet.removeprefix(SET_ASIDE), key, n))
        else:
            counts[facet][key] = n
    for facet, key, n in set_aside:
        counts[facet][key] -= n
        if not counts[facet][key]:
            del counts[facet][key]
    return counts

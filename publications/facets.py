"""Facet counts of the publication list: how many publications each option of each facet
would list, the reader's other choices kept, and the list totals derived from them.

Counted in one query per filter set and cached under the content version, which every
editorial change moves on."""

import datetime as dt
import hashlib
import json

from django.db.models import Count, F, Value

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


def facet_counts(filterset, base_queryset):
    """Facet counts for the list as the reader filtered it (the published list only).

    Cached for a few minutes under the normalized filters and the site's content version,
    which every editorial change moves on; the time limit covers scheduled publications
    that become public on their own."""
    active = filterset.active_values()
    return remember(
        f"facets:{_filters_digest(active)}",
        lambda: facet_counts_for(
            base_queryset,
            {name: (filterset.filters[name], value) for name, value in active.items()},
        ),
        FACET_CACHE_SECONDS,
    )


def cached_count(name, queryset):
    """How many rows ``queryset`` holds, cached like the facet counts; ``name`` says
    which list it is (the query's text cannot: "published" compares with the clock)."""
    return remember(f"count:{name}", queryset.count, FACET_CACHE_SECONDS)


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


def facet_counts_for(base_queryset, active):
    """{facet: {key: count}} for every facet, in one query (a UNION ALL of GROUP BYs).

    ``active`` maps a filter name to ``(filter, value)``; each facet is counted with
    every active filter applied except its own. Filters narrow with subqueries, never
    joins, so each publication is one row per option and a plain COUNT is exact (a
    COUNT(DISTINCT) would sort every group: seconds at 100,000 publications)."""
    parts = []
    for facet, column in FACET_COLUMNS.items():
        narrowed = base_queryset
        for name, (filter_, value) in active.items():
            if name != facet:
                narrowed = filter_.filter(narrowed, value)
        parts.append(
            narrowed.order_by()
            .filter(**{f"{column}__isnull": False})
            .values(key=F(column))
            .annotate(facet=Value(facet), n=Count("*"))
            .values_list("facet", "key", "n")
        )
    counts = {facet: {} for facet in FACET_COLUMNS}
    first, *rest = parts
    for facet, key, n in first.union(*rest, all=True).order_by():
        counts[facet][key] = n
    return counts

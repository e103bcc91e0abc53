"""Facet counts of the publication list: how many publications each option of each facet
would list, the reader's other choices kept, and the list totals derived from them.

Counted in one query per filter set and cached under the content version, which every
editorial change moves on, for FACET_CACHE_SECONDS at most.

Counting reads every publication the filters leave: well under a second for a few
thousand, seconds for a million. Counts that took longer than ``COUNTS_INLINE_MS``
to count are not counted again in a reader's request: once stale, they are served as
they were while ``manage.py refresh_counts`` (cron, or a process of its own with
``--every``) counts them again. An entry is kept ``COUNTS_STALE_SECONDS`` at most, so
counts never lag further than that even with no refresher running.

Where the unfiltered counts took that long (the archive is large), a filter set never
counted before is not counted in the request either: the list is shown without its
counts (``facet_counts`` returns None) and the refresher counts them. Should none be
running, a reader counts them after ``COUNTS_PENDING_SECONDS``.

On such an archive the unfiltered counts are also kept in the database (``StoredCounts``),
so a new or emptied cache starts from them, stale, rather than with readers counting."""

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Value
from django.http import QueryDict

from dialogue_portal.core.pagecache import MadeUnderVersion, content_version, remember
from publications import refresher
from publications.models import Publication, StoredCounts

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


# How long the last unfiltered count took, in seconds: what counting costs on this archive
# (UNKNOWN where nothing is stored and no count was made since the cache was new).
COST = "counts:cost"
UNKNOWN = -1.0

# The unfiltered counts' row in StoredCounts.
STORED = "unfiltered"

# The list's length, counted beside the facets when they cannot tell it (total_from_counts).
TOTAL = "total"
SET_ASIDE = "set-aside:"  # names the rows a facet's counts leave out (facet_counts_for)


def lists_every_version(active):
    """A list filtered by language shows every version in the chosen languages; any
    other list shows each work once (``PublicationQuerySet.one_per_work``)."""
    return "language" in active


@dataclass(frozen=True)
class Counted(MadeUnderVersion):
    """Facet counts as counted: under which content version, from when, at what cost."""

    fresh_for = FACET_CACHE_SECONDS

    counts: dict
    version: int
    as_of: float  # the clock when counting began: the counts are at least this recent
    seconds: float  # how long counting took


def facet_counts(filterset, language):
    """Facet counts (a ``Counted``, or None while they are being counted) for the
    published list as the reader filtered it, each work counted once in interface
    ``language`` as the list shows it; with no filterset, every published work (the term
    counts every page reads, ``Taxonomy.counts``).

    Cached under the language and the filters as sent (normalized); fresh for
    FACET_CACHE_SECONDS under the content version (the time limit covers scheduled
    publications that become public on their own). Stale counts are counted again here
    when that is quick, and otherwise served while the refresher counts them; filters
    never counted are left to the refresher when counting is slow (None). Either way a
    reader counts them once they have waited ``COUNTS_PENDING_SECONDS`` for it."""
    sent = sent_filters(filterset) if filterset is not None else {}
    key = _counts_key(language, sent)
    counted = cache.get(key)
    if counted is None and not sent:
        counted = _restore(language)
    if counted is not None and counted.is_fresh():
        return counted
    if counted is not None:
        slow = counted.seconds * 1000 >= settings.COUNTS_INLINE_MS
    else:
        slow = bool(sent) and counting_is_slow()
    if slow and refresher.ask(key, "counts", language, sent):
        return counted
    active = active_filters(filterset) if filterset is not None else {}
    return count_now(language, sent, active)


def count_now(language, sent, active):
    """Count the published list filtered by ``active`` ({name: (filter, value)}, the
    filters ``sent`` names: {name: [values as sent]}) and keep the counts for readers."""
    version = content_version()
    as_of, started = time.time(), time.perf_counter()
    counts = facet_counts_for(Publication.objects.published(), active, language)
    counted = Counted(counts, version, as_of, time.perf_counter() - started)
    _keep(language, sent, counted)
    if not sent:
        cache.set(COST, counted.seconds, None)
        if counted.seconds * 1000 >= settings.COUNTS_INLINE_MS:
            StoredCounts.objects.update_or_create(
                name=STORED,
                defaults={
                    "counts": counts,
                    "version": version,
                    "as_of": as_of,
                    "seconds": counted.seconds,
                },
            )
    return counted


def counting_is_slow():
    """Whether the unfiltered counts, last time, took longer than a reader should wait."""
    seconds = cache.get(COST)
    if seconds is None:  # a new or emptied cache: the stored counts tell
        stored = _restore(None)
        seconds = UNKNOWN if stored is None else stored.seconds
    return (
        seconds is not None and seconds != UNKNOWN and seconds * 1000 >= settings.COUNTS_INLINE_MS
    )


def _restore(language):
    """The stored unfiltered counts (a stale ``Counted``), put back in the cache for
    ``language`` (when given) with their cost; None, and an UNKNOWN cost, where none are
    stored (the archive is counted quickly, or has not been counted yet)."""
    stored = StoredCounts.objects.filter(name=STORED).first()
    if stored is None:
        cache.add(COST, UNKNOWN, None)
        return None
    counted = Counted(stored.counts, stored.version, stored.as_of, stored.seconds)
    cache.add(COST, counted.seconds, None)
    if language is not None:
        _keep(language, {}, counted)
    return counted


def _keep(language, sent, counted):
    cache.set(_counts_key(language, sent), counted, settings.COUNTS_STALE_SECONDS)


def sent_filters(filterset):
    """{name: [values as the reader sent them]} for each filter the reader set (valid ones
    only): enough to build the same filterset again, in another process."""
    data = filterset.data
    sent = {}
    for name in sorted(filterset.active_values()):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if not isinstance(values, (list, tuple)):
            values = [values]
        sent[name] = sorted(str(value) for value in values if value not in (None, ""))
    return sent


def active_filters(filterset):
    return {
        name: (filterset.filters[name], value) for name, value in filterset.active_values().items()
    }


def query_dict(sent):
    """The query string ``sent`` came from, to build its filterset again."""
    query = QueryDict(mutable=True)
    for name, values in sent.items():
        query.setlist(name, values)
    return query


def _counts_key(language, sent):
    digest = hashlib.sha256(json.dumps(sent, ensure_ascii=False).encode()).hexdigest()[:32]
    return f"counts:{language}:{digest}"


def refresh_unfiltered(languages):
    """Count the unfiltered counts of each of ``languages`` when they are missing or
    stale, so they are never counted in a reader's request. Returns how many sets of
    counts it counted."""
    counted = 0
    unfiltered = None
    for language in languages:
        found = cache.get(_counts_key(language, {}))
        if found is None or not found.is_fresh():
            # Unfiltered, each work counts once per option whichever version stands for
            # it, so the counts are the same in every language: counted once.
            if unfiltered is None:
                unfiltered = count_now(language, {}, {})
                counted += 1
            else:
                _keep(language, {}, unfiltered)
    return counted


def count_again(active_for):
    """The refresher's job for counts a reader found stale or missing (``refresher``):
    ``active_for(sent)`` builds the active filters from what was sent."""

    def job(language, sent):
        found = cache.get(_counts_key(language, sent))
        if found is not None and found.is_fresh():
            return False
        count_now(language, sent, active_for(sent))
        return True

    return job


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


def facet_cache_key(active, counted):
    """Names the facets of a filter set as they stand now, with ``counted``'s counts (for
    the rendered fragment: counts the refresher counted again make a new one; None: the
    facets without counts, while they are counted)."""
    as_of = "pending" if counted is None else counted.as_of
    return f"facets:{content_version()}:{as_of}:{_filters_digest(active)}"


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

"""Search results in rank order, ranked again off the request path once ranking is slow.

Ranking reads every match of the words before it returns the first (RUM sorts them
inside the index, GIN ranks each): milliseconds at 100,000 publications, hundreds of
them for a common phrase at a million. The ids of each ranked slice are kept under the
content version for ``RANKED_SECONDS``. Once stale (an editorial save, or time), ids
whose ranking took longer than ``RANK_INLINE_MS`` are served as they were, their
publications fetched by id and still published, while ``manage.py refresh_counts`` ranks
them again (``publications.refresher``, with the same bounds as the facet counts). A
search no reader made before is ranked in the request. A page showing a stale ranking
is kept by no cache (its view says so), so the new ranking shows as soon as it is made.

A job names the list as the reader sent it (``facets.sent_filters``: the words and any
filters), in the interface language, and a slice of it: the refresher builds the same
list again with ``card_rows``."""

import hashlib
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from dialogue_portal.core.pagecache import MadeUnderVersion, content_version
from publications import refresher
from publications.facets import lists_every_version, query_dict
from publications.filters import PublicationFilter
from publications.models import Publication

RANKED_SECONDS = 300


@dataclass(frozen=True)
class Ranked(MadeUnderVersion):
    """A ranked slice's ids as ranked: under which content version, from when, at what cost."""

    fresh_for = RANKED_SECONDS

    ids: tuple
    version: int
    as_of: float  # the clock when ranking began
    seconds: float  # how long ranking took


def card_rows(filterset, language):
    """The list of cards ``filterset`` filters and sorts, as the publication list shows
    it: each work once in ``language``, unless languages are chosen."""
    rows = filterset.filtered(Publication.objects.published())
    if not lists_every_version(filterset.active_values()):
        rows = rows.one_per_work(language)
    return rows.for_cards()


class RankedSlice:
    """Rows ``start``:``stop`` of the ranked list that ``sent`` names (the reader's words
    and filters): whether they will come from the last ranking is known at once
    (``as_of``, ``stale``), the rows when asked for (``rows()``): from the ids ranked
    last time, or from ``rank()``, which ranks them now."""

    def __init__(self, language, sent, start, stop, rank):
        self.key = _key(language, sent, start, stop)
        self.rank = rank
        found = cache.get(self.key)
        fresh = found is not None and found.is_fresh()
        self.stale = (
            found is not None
            and not fresh
            and found.seconds * 1000 >= settings.RANK_INLINE_MS
            and refresher.ask(self.key, "ranked", language, sent, start, stop)
        )
        self.found = found if fresh or self.stale else None
        self.as_of = self.found.as_of if self.found else None
        self._rows = None

    def rows(self):
        if self._rows is None:
            if self.found is not None:
                self._rows = by_ids(self.found.ids)
            else:
                self._rows, ranked = _rank_now(self.key, self.rank)
                self.as_of = ranked.as_of
        return self._rows

    def ranked_as_of(self):
        """When the rows shown were ranked, ranking them now if they never were: a
        name for what is rendered from them."""
        if self.as_of is None:
            self.rows()
        return self.as_of


def rank_again(language, sent, start, stop):
    """The refresher's job: rank the slice again unless a reader already has."""
    key = _key(language, sent, start, stop)
    found = cache.get(key)
    if found is not None and found.is_fresh():
        return False
    filterset = PublicationFilter(query_dict(sent), queryset=Publication.objects.published())
    _rank_now(key, lambda: list(card_rows(filterset, language)[start:stop]))
    return True


def by_ids(ids):
    """Cards' rows of these publications in this order, those no longer published left out."""
    rows = Publication.objects.published().filter(pk__in=ids).for_cards().in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def _rank_now(key, rank):
    version = content_version()
    as_of, started = time.time(), time.perf_counter()
    rows = rank()
    ranked = Ranked(tuple(row.pk for row in rows), version, as_of, time.perf_counter() - started)
    cache.set(key, ranked, settings.COUNTS_STALE_SECONDS)
    return rows, ranked


def _key(language, sent, start, stop):
    named = json.dumps([language, sent, start, stop], ensure_ascii=False)
    return f"ranked:{hashlib.sha256(named.encode()).hexdigest()[:32]}"

"""Topics, regions, projects, programmes and audiences: short lists that every page
names and that change rarely. Read once with a single UNION ALL query and kept in
the cache until an editor changes content (the content version) or a few minutes pass.
Each process also holds the copy it last read, for as long as the version is the same
(a few seconds at most), so most pages read one number from the cache, not the lists."""

import time
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import CharField, Value
from django.utils.translation import get_language

from dialogue_portal.core.pagecache import content_version
from publications.facets import facet_counts
from publications.models import Audience, Programme, Project, Region, Topic

MODELS = {
    "topic": Topic,
    "region": Region,
    "project": Project,
    "programme": Programme,
    "audience": Audience,
}
TIMEOUT = 300
HELD_SECONDS = 10
_held = {}  # "taxonomy" -> (version, monotonic deadline, Taxonomy): this process's copy


@dataclass
class Taxonomy:
    terms: dict = field(default_factory=dict)  # kind -> [term, ...] in name order
    _counts: dict = field(default_factory=dict)  # language -> facets.Counted

    @property
    def counts(self):
        """{kind: {slug: published works}}, each work counted once as the interface
        language lists it (``one_per_work``)."""
        return self.counted.counts

    @property
    def counted(self):
        """The unfiltered facet counts in the interface language (``facets.facet_counts``),
        read only for pages that show them, and held with the term lists."""
        language = get_language()
        counted = self._counts.get(language)
        if counted is None:
            counted = facet_counts(None, language)
            if counted.is_fresh():  # stale ones are read again until the refresher's come
                self._counts[language] = counted
        return counted

    def by_id(self, kind):
        return {term.pk: term for term in self.terms[kind]}

    def by_slug(self, kind):
        return {term.slug: term for term in self.terms[kind]}

    def in_use(self, kind):
        """Terms with at least one published publication."""
        counts = self.counts.get(kind, {})
        return [term for term in self.terms[kind] if counts.get(term.slug)]


def get_taxonomy():
    version = content_version()
    held = _held.get("taxonomy")
    if held and held[0] == version and held[1] > time.monotonic():
        return held[2]
    key = f"taxonomy:v{version}"
    taxonomy = cache.get(key)
    if taxonomy is None:
        taxonomy = build()
        cache.set(key, taxonomy, TIMEOUT)
    _held["taxonomy"] = (version, time.monotonic() + HELD_SECONDS, taxonomy)
    return taxonomy


def build():
    parts = [
        model.objects.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("kind", "pk", "name", "name_ru", "slug")
        for kind, model in MODELS.items()
    ]
    first, *rest = parts
    terms = {kind: [] for kind in MODELS}
    for kind, pk, name, name_ru, slug in first.union(*rest, all=True).order_by():
        terms[kind].append(MODELS[kind](pk=pk, name=name, name_ru=name_ru, slug=slug))
    for items in terms.values():
        items.sort(key=lambda term: term.name.casefold())
    return Taxonomy(terms=terms)

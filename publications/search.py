"""Full-text search over publications.

PostgreSQL: a stored ``search_vector`` (title and subtitle weighted A, author names B,
summary C, body D), built with the publication's own language configuration; queries are
parsed as web search in English and Russian and ranked. Two indexes can serve it:

- RUM (the ``rum`` extension, Debian's ``postgresql-15-rum``), which returns matches
  already in rank order: the query orders by ``search_vector <=> query`` and PostgreSQL
  reads the first ten matches off the index, however many there are;
- GIN (always there), which finds the matches; PostgreSQL then ranks every one of them
  with ``ts_rank`` (tens of milliseconds for a common phrase at 100,000 publications).

``search_index()`` says which one is in use (RUM when migration search_rum_index could create its
index, unless ``SEARCH_INDEX=gin``); a system check and a log line say so at start-up.

SQLite: the FTS5 table ``publications_searchtext`` (``SearchText``, migration 0014), one row
per publication (rowid its id) holding the words of the same four parts, stemmed and
case-folded in Python (dialogue_portal.core.textsearch) as PostgreSQL's configurations
would; a query's words, stemmed alike, must all be there (any order), and ``bm25()`` ranks
the matches with the parts weighted as the vector's A, B, C and D. ``refresh_search_vector``
writes the row where PostgreSQL stores the vector, so every path that keeps one keeps the other
(publications.fulltext, which also deletes a publication's row with it).

People and polls are few (hundreds, a few thousand): ``textsearch.words_match`` finds
them by every word of the query without an index, so none can fall behind an edit.
"""

import logging

from django.conf import settings
from django.contrib.postgres.search import (
    CombinedSearchQuery,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import F, FloatField, Func, Q, Value
from django.utils.html import strip_tags

from dialogue_portal.core.textsearch import fts5_query
from publications.checks import rum_index_exists
from publications.fulltext import index_for_sqlite

SEARCH_CONFIGS = {"en": "english", "ru": "russian"}

logger = logging.getLogger(__name__)
_index_in_use = {}  # database name: "rum" or "gin", looked up once per process


def uses_postgres():
    return connection.vendor == "postgresql"


def search_index():
    """The index full-text search uses: "rum", "gin", or "fts5" (SQLite)."""
    if not uses_postgres():
        return "fts5"
    if settings.SEARCH_INDEX == "gin":
        return "gin"
    name = connection.settings_dict["NAME"]
    if name not in _index_in_use:
        _index_in_use[name] = "rum" if rum_index_exists() else "gin"
        logger.warning("Full-text search uses the %s index", _index_in_use[name].upper())
    return _index_in_use[name]


class RumDistance(Func):
    """``vector <=> query``: RUM's distance between a document and a query, smaller for a
    better match; ``ORDER BY`` it reads matches off the RUM index in rank order."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        vector, query = self.get_source_expressions()
        vector_sql, vector_params = compiler.compile(vector)
        query_sql, query_params = compiler.compile(query)
        return f"({vector_sql}) <=> ({query_sql})", (*vector_params, *query_params)


def relevance_order():
    """The ORDER BY of search results, best match first. With RUM the distance alone, so
    PostgreSQL reads the matches off the index in that order (a second key would make it
    fetch and sort every match); with GIN ties go to the newest; with FTS5 too, its
    ``rank`` being bm25's score, which is lower for a better match."""
    index = search_index()
    if index == "rum":
        return ["distance"]
    if index == "gin":
        return ["-rank", "-published_at", "-pk"]
    return ["rank", "-published_at", "-pk"]


class EitherLanguage(CombinedSearchQuery):
    """The query parsed as English or Russian: ``english || russian``, or ``english``
    alone when both parse alike (a Latin-script query usually does), so the index is not
    searched twice for the same words. PostgreSQL folds it to a constant when planning."""

    def __init__(self, english, russian):
        super().__init__(english, self.BITOR, russian, config=None)

    def as_sql(self, compiler, connection, **extra_context):
        english, russian = (compiler.compile(e) for e in self.get_source_expressions())
        (e_sql, e_params), (r_sql, r_params) = english, russian
        sql = f"CASE WHEN {e_sql} = {r_sql} THEN {e_sql} ELSE ({e_sql}) || ({r_sql}) END"
        return sql, (*e_params, *r_params, *e_params, *e_params, *r_params)


def search_query(text):
    english = SearchQuery(text, config="english", search_type="websearch")
    russian = SearchQuery(text, config="russian", search_type="websearch")
    return EitherLanguage(english, russian)


# bm25's weight for each column of SQLite's FTS5 table: the vector's A, B, C and D.
SQLITE_WEIGHTS = (10.0, 4.0, 2.0, 1.0)  # title and subtitle, authors, summary, body


class Bm25(Func):
    """FTS5's bm25 score of a match, its columns weighted as the PostgreSQL vector's parts."""

    function = "bm25"
    output_field = FloatField()

    def __init__(self, table):
        super().__init__(table, *(Value(weight) for weight in SQLITE_WEIGHTS))


def filter_by_query(queryset, text):
    """Publications matching ``text``, annotated with what ``relevance_order()`` sorts
    by: ``distance`` (RUM) or ``rank`` (GIN; FTS5 on SQLite)."""
    if uses_postgres():
        query = search_query(text)
        matches = queryset.filter(search_vector=query)
        # F(): the stored, weighted vector (a plain name would rebuild it from text).
        if search_index() == "rum":
            return matches.annotate(distance=RumDistance(F("search_vector"), query))
        return matches.annotate(rank=SearchRank(F("search_vector"), query))

    match = fts5_query(text)
    if not match:  # no word left (only stop words or punctuation): nothing, as on PostgreSQL
        return queryset.none().annotate(rank=Value(0.0, output_field=FloatField()))
    # The filter first: it joins the FTS5 table (an inner join, which MATCH needs).
    return queryset.filter(search_text__document__match=match).annotate(
        rank=Bm25(F("search_text__document"))
    )


def matching(model, text):
    """The condition "matches ``text``", unranked, for a filter that may be OR-ed with
    others (the admin's search, which also takes a slug or a DOI). On PostgreSQL the
    vector itself, so the matches are not joined back to their own table (96 → 50 ms for
    "arms control" at 100,000); FTS5's MATCH needs an inner join, so on SQLite the ids
    it finds."""
    if uses_postgres():
        return Q(search_vector=search_query(text))
    match = fts5_query(text)
    if not match:
        return Q(pk__in=[])
    return Q(pk__in=model.objects.filter(search_text__document__match=match).values("pk"))


def build_search_vector(publication):
    """The vector for one publication, as an expression to store with ``update()``."""
    config = SEARCH_CONFIGS.get(publication.language, "english")
    names = " ".join(
        f"{a.person.given_name} {a.person.family_name} {a.person.given_name_ru} "
        f"{a.person.family_name_ru}"
        for a in publication.authorships.select_related("person")
    )
    return (
        SearchVector(
            Value(f"{publication.title} {publication.subtitle}"), weight="A", config=config
        )
        + SearchVector(Value(names), weight="B", config="simple")
        + SearchVector(Value(publication.summary), weight="C", config=config)
        + SearchVector(Value(strip_tags(publication.body)), weight="D", config=config)
    )


def refresh_search_vector(publication):
    """Store what search finds of one publication: its vector on PostgreSQL, its row of
    the FTS5 table elsewhere."""
    if not uses_postgres():
        index_for_sqlite("p.id = %s", [publication.pk])
        return
    type(publication).objects.filter(pk=publication.pk).update(
        search_vector=build_search_vector(publication)
    )

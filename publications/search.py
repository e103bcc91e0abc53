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
SQLite: a case-insensitive match on title, subtitle, summary and author names.
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
from django.db.models import Exists, F, FloatField, Func, OuterRef, Q, Value
from django.utils.html import strip_tags

from publications.checks import rum_index_exists
from publications.models import Authorship

SEARCH_CONFIGS = {"en": "english", "ru": "russian"}
MAX_QUERY_LENGTH = 200

logger = logging.getLogger(__name__)
_index_in_use = {}  # database name: "rum" or "gin", looked up once per process


def clean_query(raw):
    """Printable text of a sensible length: NUL and control characters dropped."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def uses_postgres():
    return connection.vendor == "postgresql"


def search_index():
    """The index full-text search uses: "rum", "gin", or "simple" (not PostgreSQL)."""
    if not uses_postgres():
        return "simple"
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
    fetch and sort every match); with GIN ties go to the newest; SQLite does not rank."""
    index = search_index()
    if index == "rum":
        return ["distance"]
    if index == "gin":
        return ["-rank", "-published_at", "-pk"]
    return ["-published_at", "-pk"]


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


def filter_by_query(queryset, text):
    """Publications matching ``text``; on PostgreSQL annotated with what
    ``relevance_order()`` sorts by: ``distance`` (RUM) or ``rank`` (GIN)."""
    if uses_postgres():
        query = search_query(text)
        matches = queryset.filter(search_vector=query)
        # F(): the stored, weighted vector (a plain name would rebuild it from text).
        if search_index() == "rum":
            return matches.annotate(distance=RumDistance(F("search_vector"), query))
        return matches.annotate(rank=SearchRank(F("search_vector"), query))

    authors = Authorship.objects.filter(publication=OuterRef("pk")).filter(
        Q(person__family_name__icontains=text)
        | Q(person__given_name__icontains=text)
        | Q(person__family_name_ru__icontains=text)
    )
    return queryset.filter(
        Q(title__icontains=text)
        | Q(subtitle__icontains=text)
        | Q(summary__icontains=text)
        | Exists(authors)
    )


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
    """Store the search vector of one publication (PostgreSQL only; a no-op elsewhere)."""
    if not uses_postgres():
        return
    type(publication).objects.filter(pk=publication.pk).update(
        search_vector=build_search_vector(publication)
    )

"""Full-text search over publications.

PostgreSQL: a stored ``search_vector`` (title and subtitle weighted A, author names B,
summary C, body D), built with the publication's own language configuration and
GIN-indexed; queries are parsed as web search in English and Russian and ranked.
SQLite: a case-insensitive match on title, subtitle, summary and author names.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Value
from django.utils.html import strip_tags

from publications.models import Authorship

SEARCH_CONFIGS = {"en": "english", "ru": "russian"}
MAX_QUERY_LENGTH = 200


def clean_query(raw):
    """Printable text of a sensible length: NUL and control characters dropped."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def uses_postgres():
    return connection.vendor == "postgresql"


def search_query(text):
    english = SearchQuery(text, config="english", search_type="websearch")
    russian = SearchQuery(text, config="russian", search_type="websearch")
    return english | russian


def filter_by_query(queryset, text):
    """Publications matching ``text``; on PostgreSQL annotated with ``rank``."""
    if uses_postgres():
        query = search_query(text)
        return queryset.filter(search_vector=query).annotate(
            # F(): rank the stored, weighted vector (a plain name would rebuild it from text).
            rank=SearchRank(F("search_vector"), query)
        )

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

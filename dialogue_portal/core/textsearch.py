"""Words as the site's search reads them, on SQLite as PostgreSQL would.

PostgreSQL parses text with its ``english`` and ``russian`` configurations; SQLite has no
such parser, so the site does the same work in Python before text reaches SQLite: split
into words, fold case (Latin and Cyrillic alike), drop the stop words PostgreSQL drops,
and stem each word with Snowball as PostgreSQL does (``english_stem``/``russian_stem``),
a Cyrillic word with the Russian stemmer and any other with the English one, so one query
finds a text in either language ("Арктике" and "арктика" are both "арктик").
"""

import functools
import html
import re
import threading
from collections.abc import Iterable
from typing import Protocol

import snowballstemmer
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Func, Q, Value
from django.db.models.functions import Concat

# PostgreSQL's stop words (tsearch_data/english.stop and russian.stop, from Snowball).
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now

    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни
    быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут
    где есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под
    будет ж тогда кто этот того потому этого какой совсем ним здесь этом один почти мой
    тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть
    после над больше тот через эти нас про всего них какая много разве три эту моя
    впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда
    конечно всю между
    """.split()  # noqa: SIM905  (as PostgreSQL's files list them, one screen, not 278 quoted)
)

# Letters and digits; an underscore or any other mark separates words (as in SQLite FTS5).
WORD = re.compile(r"[^\W_]+")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
TAG = re.compile(r"<[^>]*>")
MAX_QUERY_LENGTH = 200
# A query's first words only: enough for any real search, and a bound on the work.
MAX_QUERY_WORDS = 16

# A Snowball stemmer keeps the word it works on in itself: one pair per thread, so that
# a threaded server's concurrent searches never stem each other's words.
_stemmers = threading.local()


class Stemmer(Protocol):
    """What the site uses of a snowballstemmer stemmer (the package has no type hints)."""

    def stemWord(self, word: str) -> str: ...


def _stemmer(language: str) -> Stemmer:
    found: Stemmer | None = getattr(_stemmers, language, None)
    if found is None:
        found = snowballstemmer.stemmer(language)
        setattr(_stemmers, language, found)
    return found


def clean_query(raw: str | None) -> str:
    """Printable text of a sensible length: NUL and control characters dropped."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


@functools.lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One case-folded word's stem, or "" for a stop word."""
    if word in STOP_WORDS:
        return ""
    language = "russian" if CYRILLIC.search(word) else "english"
    return _stemmer(language).stemWord(word.replace("ё", "е"))


def stems(text: str | None) -> list[str]:
    """The stems of ``text``'s words, in order (stop words left out)."""
    return [s for s in map(stem, WORD.findall((text or "").casefold())) if s]


def html_stems(markup: str | None) -> list[str]:
    """The stems of the words of an HTML fragment (tags dropped, entities read)."""
    return stems(html.unescape(TAG.sub(" ", markup or "")))


def document(text: str | None) -> str:
    """``text`` as stored in the search index: its stems, separated by spaces."""
    return " ".join(stems(text))


def query_stems(text: str | None) -> list[str]:
    """The distinct stems of a query's words, in order, at most ``MAX_QUERY_WORDS``."""
    return list(dict.fromkeys(stems(text)))[:MAX_QUERY_WORDS]


def fts5_query(text: str | None) -> str:
    """An FTS5 MATCH expression finding every word of ``text`` (any order), or "" when it
    has none. Each stem is an FTS5 string, so nothing a reader types is FTS5 syntax
    (``AND``, ``NEAR(``, ``*``, ``"``, ``-``...): stems hold letters and digits only, and
    a quote would be doubled all the same."""
    return " ".join('"{}"'.format(s.replace('"', '""')) for s in query_stems(text))


@functools.lru_cache(maxsize=20_000)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(stems(text))


def has_words(text: str | None, wanted: str | None) -> bool:
    """Whether each stem of ``wanted`` (stems separated by spaces) begins a word of
    ``text``: "secur" finds "Security", "kortun" finds "Кортунов". SQLite's
    ``has_words()`` (registered by ``register_sqlite_functions``), for short texts such as
    names and poll questions."""
    if not wanted:
        return False
    words = _stem_set(text or "")
    return all(any(w.startswith(s) for w in words) for s in wanted.split())


def register_sqlite_functions(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    """On each new SQLite connection: ``has_words(text, stems)`` for SQL (connection_created:
    infrastructure, as a pragma would be)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("has_words", 2, _has_words_sql, deterministic=True)


def words_match(text: str, fields: Iterable[str]) -> Q | Func:
    """A filter for rows whose ``fields`` hold every word of ``text``, in any order: on
    PostgreSQL each word anywhere in a field (``icontains``, folding case in any
    alphabet); on SQLite each word's stem beginning a word of the fields (so "secur"
    finds "Security", "арктике" finds "Арктика"), as SQLite's own ``LIKE`` folds only
    ASCII. For people and polls: tables of a few thousand rows at most, read whole, so
    no index can fall behind an edit."""
    if connection.vendor == "postgresql":
        condition = Q()
        for word in text.split()[:5]:
            either = Q()
            for field in fields:
                either |= Q(**{f"{field}__icontains": word})
            condition &= either
        return condition
    wanted = " ".join(query_stems(text))
    if not wanted:
        return Q(pk__in=[])
    parts: list[Expression | F] = []
    for field in fields:
        parts += [F(field), Value(" ")]
    return Func(Concat(*parts), Value(wanted), function="has_words", output_field=BooleanField())


def _has_words_sql(text: str | None, wanted: str | None) -> int:
    return 1 if has_words(text, wanted) else 0

"""A shared cache of whole pages for anonymous readers, stale when content changes.

``anonymous_page_cache`` caches a GET response in Django's cache (Redis in production),
keyed by host, path, normalised query string, language and htmx variant, and stamped with
the content version, which editors' changes move on once they commit (``freshness``, which
calls ``bump_content_version()``; the cached facet counts, totals, cards and term lists
follow it too). A page whose stamp differs from the current version is stale; entries
also expire after ``PAGE_CACHE_SECONDS`` (0 switches the cache off). A lookup is one
round trip: the version and the page are read together.

Readers' ratings and votes do not make pages stale. The totals a page shows (a
publication's "votes: 11, rating: 5", a poll's counts) are holes in the cached page,
``<!--totals:KIND:ID-->…<!--/totals-->``, filled when the page is served from small
fragments kept for ``PAGE_TOTALS_SECONDS`` at most (see ``totals_fragment``): no page
shows totals older than that, whatever the page's own age, and a vote storm costs a
cached page one more round trip, not its entry. The reader who voted gets their own
vote counted at once: the answer to their POST and the live widget are never cached.

Equivalent query strings share one entry: each cached view names the parameters it
reads (``QuerySpec``), and ``canonical_query`` keeps only those, drops empty values and
defaults, keeps the last value of a single-valued parameter and a sorted set of a
multi-valued one. The view is then called with that normalised query, so what is
stored is exactly what any equivalent request would have been answered with.

Only reader-neutral responses are stored: not for signed-in readers, not while a message
waits to be shown, and never a response that sets a cookie, varies on Cookie, is marked
private or used the CSRF token (a form with a token belongs to one reader).
"""

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Concatenate, NamedTuple, Self, TypedDict, cast, overload
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.utils.cache import has_vary_header, patch_cache_control, patch_vary_headers
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
# An entry holds its page cut at the totals holes; entries stored before that (":page",
# ":entry") are never read again and expire.
KEY_PREFIX = "pagecache:cut"
TOTALS_PREFIX = "pagecache:totals"


def _version(key: str, found: int | None = None) -> int:
    version = cache.get(key) if found is None else found
    if version is None:
        # A fresh (or evicted) version starts from the clock, never below an earlier one,
        # so pages cached under an older number can never be served again.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        version = cache.get(key, 0)
    return version


def _bump(key: str) -> int | None:
    try:
        return cache.incr(key)
    except ValueError:
        _version(key)
        try:
            return cache.incr(key)
        except ValueError:
            return None


# Within one request the content version is read once: a page asks for it several times
# (its term lists, counts, fragments and cards), each a round trip to Redis otherwise. A
# change made meanwhile is seen by the next request, as it would be had the page been built
# a moment earlier. Outside a request (commands, tests' own code) every call reads it.
_request = threading.local()


def _start_request(**kwargs: object) -> None:
    _request.active = True
    _request.version = None


def _end_request(**kwargs: object) -> None:
    _request.active = False
    _request.version = None


request_started.connect(_start_request, dispatch_uid="pagecache_request_started")
request_finished.connect(_end_request, dispatch_uid="pagecache_request_finished")


def _held_version(found: int | None = None) -> int:
    if getattr(_request, "active", False):
        if _request.version is None or found is not None:
            _request.version = _version(VERSION_KEY, found)
        return _request.version
    return _version(VERSION_KEY, found)


def content_version() -> int:
    return _held_version()


class MadeUnderVersion:
    """What was made from the content as it stood under ``version`` at ``as_of`` (the
    clock when making began): fresh while that version stands, for ``fresh_for`` seconds
    at most (which covers scheduled publications that become public on their own)."""

    fresh_for = 300
    # Set by each subclass (a frozen dataclass).
    version: int
    as_of: float

    def is_fresh(self) -> bool:
        return self.version == content_version() and time.time() - self.as_of < self.fresh_for


def remember[T](name: str, compute: Callable[[], T], seconds: int) -> T:
    """``compute()``'s answer, kept for ``seconds`` at most under ``name`` and the content
    version: for what only editors' changes alter (counts, totals, term lists)."""
    key = f"{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def recent[T](name: str, fetch: Callable[[], T | None], *, keep_none: bool = True) -> T | None:
    """``fetch()``'s answer (an object that carries readers' totals: a publication's
    rating, a poll's counts), shared by every request for PAGE_TOTALS_SECONDS at most
    under ``name`` and the content version. The object remembers when it was fetched
    (``totals_as_of``), so a totals fragment made from it expires when the totals reach
    that age (``totals_fragment``): no page shows totals older than the bound.
    ``forget_recent(name)`` drops it after a reader's write."""
    key = f"recent:{name}:{content_version()}"
    found = cache.get(key)
    if found is not None:
        return found[0]
    value = fetch()
    if value is not None:
        # Any object (a model instance): the attribute is added here for totals_fragment.
        value.totals_as_of = time.time()  # type: ignore[attr-defined]
    if value is not None or keep_none:
        cache.set(key, (value,), settings.PAGE_TOTALS_SECONDS)
    return value


def forget_recent(*names: str) -> None:
    cache.delete_many([f"recent:{name}:{content_version()}" for name in names])


def version_from(found: Mapping[str, Any]) -> int:
    """The content version, from what a ``cache.get_many()`` that asked for it found."""
    return _held_version(found.get(VERSION_KEY))


def bump_content_version() -> int | None:
    """Make every cached page, count and term list stale now. Editorial writes do not call
    this: ``freshness.content_changed()`` calls it once their transaction has committed."""
    version = _bump(VERSION_KEY)
    _request.version = None  # this request reads the new one
    return version


# --- equivalent query strings -----------------------------------------------------------


@dataclass(frozen=True)
class QuerySpec:
    """The query parameters a page reads.

    ``single``: parameters read with ``GET.get()`` (the last value wins); ``multi``:
    parameters read with ``getlist()`` whose order does not matter; ``defaults``: a value
    that means the same as no value, either a string or a function of the normalised
    parameters; ``clean``: a function that puts a value in its canonical form."""

    single: tuple[str, ...] = ()
    multi: tuple[str, ...] = ()
    defaults: dict[str, str | Callable[[dict[str, list[str]]], str]] = field(default_factory=dict)
    clean: dict[str, Callable[[str], str]] = field(default_factory=dict)


PAGED = QuerySpec(single=("page",), defaults={"page": "1"})
NO_QUERY = QuerySpec()


def canonical_query(query: QueryDict, spec: QuerySpec) -> str:
    """The canonical form of ``query`` (a QueryDict) for a page reading ``spec``, as a
    query string: parameters in name order, unknown ones, empty values and defaults
    dropped, one value per single-valued parameter, a sorted set of values per
    multi-valued one. Encoded as ``QueryDict.urlencode`` encodes."""
    params: dict[str, list[str]] = {}
    for name in sorted({*spec.single, *spec.multi}):
        clean = spec.clean.get(name, str.strip)
        values = [clean(value) for value in query.getlist(name)]
        values = [value for value in values if value]
        values = sorted(set(values)) if name in spec.multi else values[-1:]
        if values:
            params[name] = values
    for name, default in spec.defaults.items():
        value = default(params) if callable(default) else default
        if params.get(name) == [value]:
            del params[name]
    return urlencode([(name, value) for name, values in params.items() for value in values])


def canonical_url(request: HttpRequest, spec: QuerySpec) -> str:
    """The request's path with its query in canonical form: the address of the page the
    cache keeps for it (an htmx response pushes it as the address bar's URL)."""
    query = canonical_query(request.GET, spec)
    return f"{request.path}?{query}" if query else request.path


def page_key(request: HttpRequest) -> str:
    # The htmx headers as django-htmx reads them (request.htmx), from META: reading
    # request.headers would parse every header of the request on each hit.
    variant = "full"
    if request.META.get("HTTP_HX_REQUEST") == "true":
        variant = "boosted" if request.META.get("HTTP_HX_BOOSTED") == "true" else "partial"
    raw = (
        f"{request.get_host()}|{request.path}|{request.META.get('QUERY_STRING', '')}|"
        f"{get_language()}|{variant}"
    )
    return f"{KEY_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


# --- totals: holes in cached pages, filled when served -----------------------------------

# A hole in a page: (kind of totals, primary key of the object whose totals it shows).
type Hole = tuple[str, int]


class TotalsSource(NamedTuple):
    """How one kind of totals is read and shown. Each kind holds objects of its own
    (publications, polls, a list of rows), so the registry knows them only as Any."""

    fetch: Callable[[list[int]], Mapping[int, Any]]  # ids -> {id: object}, one query
    render: Callable[[Any], str]  # object -> its totals' HTML


_TOTALS: dict[str, TotalsSource] = {}
HOLE = re.compile(rb"<!--totals:([a-z_]+):(\d+)-->.*?<!--/totals-->", re.S)


def totals_source(
    kind: str,
    *,
    fetch: Callable[[list[int]], Mapping[int, Any]],
    render: Callable[[Any], str],
) -> None:
    """Register how ``kind``'s totals (a publication's rating summary, a poll's counts)
    are shown: ``fetch(ids) -> {id: object}`` reads them in one query, ``render(object)``
    gives their HTML. ``totals_fragment`` and ``_fragments`` use both."""
    _TOTALS[kind] = TotalsSource(fetch, render)


def _totals_key(kind: str, pk: int, language: str | None) -> str:
    return f"{TOTALS_PREFIX}:{language}:{kind}:{pk}"


def totals_fragment(kind: str, obj: object) -> SafeString:
    """``obj``'s totals of ``kind`` as a hole a cached page fills when served: rendered
    now from ``obj`` (and kept for PAGE_TOTALS_SECONDS, so that readers of cached pages
    share it). An object without a primary key (a list) is hole 0 of its kind."""
    pk = getattr(obj, "pk", None) or 0
    html = _TOTALS[kind][1](obj)
    # Kept until the totals are PAGE_TOTALS_SECONDS old, counted from their fetch.
    as_of = getattr(obj, "totals_as_of", None)
    seconds = settings.PAGE_TOTALS_SECONDS
    if as_of is not None:
        seconds = int(as_of + seconds - time.time())
    if settings.PAGE_CACHE_SECONDS and seconds > 0:
        cache.set(_totals_key(kind, pk, get_language()), html, seconds)
    # ``render`` used the template engine, which escaped what it printed.
    return format_html("<!--totals:{}:{}-->{}<!--/totals-->", kind, pk, mark_safe(html))  # noqa: S308


def _fragments(holes: set[Hole], found: Mapping[str, str] | None = None) -> dict[Hole, str]:
    """{(kind, pk): HTML} for ``holes``: from ``found`` (by cache key), the cache, or
    rendered again (one query per kind) and kept for PAGE_TOTALS_SECONDS."""
    language = get_language()
    keys = {hole: _totals_key(*hole, language) for hole in holes}
    found = dict(found or {})
    unread = [key for key in keys.values() if key not in found]
    if unread:
        found.update(cache.get_many(unread))
    fragments = {hole: found[key] for hole, key in keys.items() if key in found}
    missing: dict[str, list[int]] = {}
    for kind, pk in holes - set(fragments):
        missing.setdefault(kind, []).append(pk)
    fresh: dict[str, str] = {}
    for kind, ids in missing.items():
        fetch, render = _TOTALS[kind]
        objects = fetch(ids)
        for pk in ids:
            html = render(objects[pk]) if pk in objects else ""
            fragments[kind, pk] = fresh[keys[kind, pk]] = html
    if fresh:
        cache.set_many(fresh, settings.PAGE_TOTALS_SECONDS)
    return fragments


def _filled(parts: Sequence[bytes], fragments: Mapping[Hole, str]) -> bytes:
    """A page cut at its holes (``HOLE.split``: text, kind, pk, text, …) joined again
    with each hole's fragment: no pattern is matched when a stored page is served."""
    pieces = [parts[0]]
    for at in range(1, len(parts), 3):
        kind, pk, text = parts[at], parts[at + 1], parts[at + 2]
        html = fragments[kind.decode(), int(pk)].encode()
        pieces += (b"<!--totals:", kind, b":", pk, b"-->", html, b"<!--/totals-->", text)
    return b"".join(pieces)


# --- the cache ------------------------------------------------------------------------------


# Which totals fragments each page held when this process last served it: read in the
# same round trip as the page. Only a hint (a page whose holes changed reads the rest).
_KNOWN_HOLES: dict[str, tuple[str, ...]] = {}  # page key -> its totals fragments' keys
KNOWN_HOLES_LIMIT = 20_000


class CachedPage(TypedDict):
    """A page as the cache holds it."""

    status: int
    parts: tuple[bytes, ...]  # HOLE.split of its content: text, kind, pk, text, ...
    headers: dict[str, str]
    version: int  # the content version it was made under
    holes: tuple[Hole, ...]  # sorted


class Lookup(NamedTuple):
    entry: CachedPage | None  # None when missing or made under another version
    version: int  # the current content version
    found: dict[str, str]  # totals fragments read with it, by cache key


def _lookup(key: str, request: HttpRequest) -> Lookup:
    """(entry or None, current version, totals fragments found) in one round trip, which
    also reads the keys a wrapper outside asked for (``request.page_cache_also``) into
    ``request.page_cache_found``."""
    hinted = _KNOWN_HOLES.get(key, ())
    also = getattr(request, "page_cache_also", ())
    found = cache.get_many([VERSION_KEY, key, *hinted, *also])
    # An attribute of this request only, for the wrapper that asked (publications.counting).
    request.page_cache_found = {name: found.pop(name, None) for name in also}  # type: ignore[attr-defined]
    version = _held_version(found.pop(VERSION_KEY, None))
    entry = found.pop(key, None)
    if entry is not None and entry.get("version") != version:
        entry = None
    return Lookup(entry, version, found)


def _remember_holes(key: str, holes: Iterable[Hole]) -> None:
    if len(_KNOWN_HOLES) >= KNOWN_HOLES_LIMIT:
        _KNOWN_HOLES.clear()
    language = get_language()
    _KNOWN_HOLES[key] = tuple(_totals_key(*hole, language) for hole in holes)


def _has_session_cookie(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def request_is_cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if _has_session_cookie(request) and request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def response_is_cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    if response.cookies or has_vary_header(response, "Cookie"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: it belongs to this reader only
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


def _stored(response: HttpResponse, version: int) -> CachedPage:
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("set-cookie", "vary")
    }
    # The page cut at its totals holes once here, so serving it joins, never searches.
    parts = HOLE.split(response.content)
    holes = {(parts[at].decode(), int(parts[at + 1])) for at in range(1, len(parts), 3)}
    return {
        "status": response.status_code,
        "parts": tuple(parts),
        "headers": headers,
        "version": version,
        "holes": tuple(sorted(holes)),
    }


def _restored(entry: CachedPage, found: Mapping[str, str]) -> HttpResponse:
    parts, holes = entry["parts"], entry["holes"]
    content = _filled(parts, _fragments(set(holes), found)) if holes else parts[0]
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"].items():
        response.headers[name] = value
    return response


def _max_age(has_totals: bool) -> int:
    """How long browsers and CDNs may keep the page: no longer than its totals may age."""
    seconds = settings.PAGE_CACHE_SECONDS
    return min(seconds, settings.PAGE_TOTALS_SECONDS) if has_totals else seconds


def _normalize_query_string(request: HttpRequest, spec: QuerySpec) -> None:
    """Put the request's query string in canonical form: the page's key. On a hit nothing
    else is needed; a miss also needs ``request.GET`` to match (``_normalize_get``)."""
    if request.META.get("QUERY_STRING"):  # most readers ask for the bare address
        request.META["QUERY_STRING"] = canonical_query(request.GET, spec)


def _normalize_get(request: HttpRequest) -> None:
    """Have the view read the canonical query, so that what is stored is exactly what any
    equivalent request would have been answered with."""
    request.GET = QueryDict(request.META.get("QUERY_STRING", ""))  # immutable, as Django's


# A view: the request, then what the URL captured.
type View[**P] = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


@overload
def anonymous_page_cache[**P](view: View[P], *, query: QuerySpec = PAGED) -> View[P]: ...
@overload
def anonymous_page_cache[**P](
    view: None = None, *, query: QuerySpec = PAGED
) -> Callable[[View[P]], View[P]]: ...
def anonymous_page_cache[**P](
    view: View[P] | None = None, *, query: QuerySpec = PAGED
) -> View[P] | Callable[[View[P]], View[P]]:
    """Cache the view's GET responses for anonymous readers (see the module docstring).

    ``@anonymous_page_cache`` for a page that reads only ``?page=``, or
    ``@anonymous_page_cache(query=QuerySpec(...))`` naming the parameters it reads."""
    if view is None:
        return lambda view: anonymous_page_cache(view, query=query)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not request_is_cacheable(request):
            response = view(request, *args, **kwargs)
            if seconds:
                patch_cache_control(response, private=True)
            return response
        _normalize_query_string(request, query)
        key = page_key(request)
        # The version is read before the page is built: a change made meanwhile leaves
        # this entry stamped with the old one, so it is never served.
        entry, version, found = _lookup(key, request)
        if entry is not None:
            if entry["holes"] and key not in _KNOWN_HOLES:
                _remember_holes(key, entry["holes"])
            response = _restored(entry, found)
            response["X-Page-Cache"] = "hit"
            patch_vary_headers(response, ["HX-Request"])
            return response
        _normalize_get(request)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if request.method == "GET" and response_is_cacheable(request, response):
            # Not streaming (response_is_cacheable): an HttpResponse, with content.
            entry = _stored(cast(HttpResponse, response), version)
            if entry["holes"]:
                _remember_holes(key, entry["holes"])
            patch_cache_control(response, public=True, max_age=_max_age(bool(entry["holes"])))
            entry["headers"]["Cache-Control"] = response["Cache-Control"]
            cache.set(key, entry, seconds)
            response["X-Page-Cache"] = "miss"
            patch_vary_headers(response, ["HX-Request"])
        else:
            patch_cache_control(response, private=True)
        return response

    return wrapper


class Fragments:
    """A page's reader-neutral fragments in the shared cache, all read in one round trip
    the first time the page asks for one (``{% fragment %}``). ``keys``: {fragment name:
    cache key}, each key naming what its fragment shows (page, language, content
    version...)."""

    def __init__(self, keys: Mapping[str, str], seconds: int) -> None:
        self.keys = {name: f"fragment:{key}" for name, key in keys.items()}
        self.seconds = seconds
        self._found: dict[str, str] | None = None

    @classmethod
    def of_page(cls, key: str, names: Iterable[str], seconds: int) -> Self:
        """Fragments ``names`` of one page named by ``key``."""
        return cls({name: f"{key}:{name}" for name in names}, seconds)

    def _read(self) -> dict[str, str]:
        if self._found is None:
            self._found = cache.get_many(list(self.keys.values()))
        return self._found

    def get(self, name: str) -> str | None:
        return self._read().get(self.keys[name])

    def missing(self) -> list[str]:
        """The names of the fragments not in the cache (to be rendered on this request)."""
        found = self._read()
        return [name for name, key in self.keys.items() if key not in found]

    def set(self, name: str, html: str) -> None:
        cache.set(self.keys[name], html, self.seconds)

"""What an address is to the redirects: one normal form for stored and requested paths.

A path is kept without the language prefix (``/ru/topics/arms/`` and ``/topics/arms/``
are one address; a redirect answers under /ru/ with the Russian page), without a trailing
slash (``/topics/arms`` and ``/topics/arms/`` are one too) and with percent-escapes
decoded, as Django gives ``request.path``. A query string, where an old site's address
had one (``/index.php?id=12``), is part of the address and matched exactly.
"""

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from django.conf import settings

MAX_LENGTH = 500
_SLASHES = re.compile(r"/{2,}")


def _prefixes() -> list[str]:
    return [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def split_language(path: str) -> tuple[str, str]:
    """(``/ru`` or ``""``, the path without it)."""
    for prefix in _prefixes():
        if path == prefix or path.startswith(prefix + "/"):
            return prefix, path[len(prefix) :] or "/"
    return "", path


def is_url(value: str) -> bool:
    return bool(urlsplit(value).scheme)


def normalize_path(value: str) -> str:
    """The stored form of an address: a path (or a full URL of an old site, whose host is
    dropped), with its query string if it had one."""
    parts = urlsplit(value.strip())
    path = _SLASHES.sub("/", "/" + unquote(parts.path).lstrip("/"))
    path = split_language(path)[1]
    if path != "/":
        path = path.rstrip("/")
    return f"{path}?{parts.query}" if parts.query else path


def normalize_target(value: str) -> str:
    """A target as stored: a full URL as written; a local path without the language
    prefix (the redirect adds the reader's), its trailing slash kept."""
    value = value.strip()
    if is_url(value):
        return value
    parts = urlsplit(value)
    path = split_language(_SLASHES.sub("/", "/" + parts.path.lstrip("/")))[1]
    return f"{path}?{parts.query}" if parts.query else path


def target_key(target: str) -> str:
    """A local target in the form of a stored address (to follow and collapse chains)."""
    return "" if is_url(target) else normalize_path(target)


class LookupKeys(NamedTuple):
    """The stored addresses a request may match, each list in the order they win."""

    exact: list[str]  # the address with its query string, then without
    parents: list[str]  # nearest first: they match redirects that include what lies below


def lookup_keys(path: str, query: str, depth: int = 6) -> LookupKeys:
    """The stored addresses a request may match, in one query: (exact keys, the path's
    parents, nearest first, which match redirects that include what lies below them)."""
    key = normalize_path(path)
    exact = [key]
    if query:
        exact.insert(0, f"{key}?{query}")
    parents: list[str] = []
    parent = key
    while parent.count("/") > 1 and len(parents) < depth:
        parent = parent.rsplit("/", 1)[0]
        parents.append(parent)
    return LookupKeys(exact, parents)

"""A shared cache of whole pages for anonymous readers, invalidated by two versions.

``anonymous_page_cache`` caches a GET response in Django's cache (Redis in production),
keyed by host, full path and language, and stamped with the versions it was built under:
the content version, which editors' changes move on (``bump_content_version()``; the
cached facet counts, totals and term lists follow it too), and the activity version,
which readers' ratings and votes move on (``bump_activity_version()``; only whole pages
show their totals). A page whose stamp differs from the current versions is stale; entries
also expire after ``PAGE_CACHE_SECONDS`` (0 switches the cache off). A lookup is one round
trip: both versions and the page are read together.

Only reader-neutral responses are stored: not for signed-in readers, not while a message
waits to be shown, and never a response that sets a cookie, varies on Cookie, is marked
private or used the CSRF token (a form with a token belongs to one reader).
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import has_vary_header, patch_cache_control
from django.utils.translation import get_language

VERSION_KEY = "pagecache:version"
ACTIVITY_KEY = "pagecache:activity"
KEY_PREFIX = "pagecache:entry"


def _version(key, found=None):
    version = cache.get(key) if found is None else found
    if version is None:
        # A fresh (or evicted) version starts from the clock, never below an earlier one,
        # so pages cached under an older number can never be served again.
        cache.add(key, time.time_ns() // 1000, timeout=None)
        version = cache.get(key, 0)
    return version


def _bump(key):
    try:
        return cache.incr(key)
    except ValueError:
        _version(key)
        try:
            return cache.incr(key)
        except ValueError:
            return None


def content_version():
    return _version(VERSION_KEY)


def remember(name, compute, seconds):
    """``compute()``'s answer, kept for ``seconds`` at most under ``name`` and the content
    version: for what only editors' changes alter (counts, totals, term lists)."""
    key = f"{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def version_from(found):
    """The content version, from what a ``cache.get_many()`` that asked for it found."""
    return _version(VERSION_KEY, found.get(VERSION_KEY))


def bump_content_version():
    """Make every cached page, count and term list stale: an editor changed content."""
    return _bump(VERSION_KEY)


def bump_activity_version():
    """Make every cached page stale, but not the counts: a reader rated or voted."""
    return _bump(ACTIVITY_KEY)


def page_key(request):
    raw = f"{request.get_host()}|{request.get_full_path()}|{get_language()}"
    return f"{KEY_PREFIX}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _lookup(key):
    """(entry or None, current versions) in one round trip to the cache."""
    found = cache.get_many([VERSION_KEY, ACTIVITY_KEY, key])
    versions = [
        _version(VERSION_KEY, found.get(VERSION_KEY)),
        _version(ACTIVITY_KEY, found.get(ACTIVITY_KEY)),
    ]
    entry = found.get(key)
    if entry is not None and entry.get("versions") != versions:
        entry = None
    return entry, versions


def _has_session_cookie(request):
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def request_is_cacheable(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "htmx", False):
        return False
    if _has_session_cookie(request) and request.user.is_authenticated:
        return False
    return not len(messages.get_messages(request))


def response_is_cacheable(request, response):
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


def _stored(response, versions):
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in ("set-cookie", "vary")
    }
    return {
        "status": response.status_code,
        "content": response.content,
        "headers": headers,
        "versions": versions,
    }


def _restored(entry):
    response = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"].items():
        response.headers[name] = value
    return response


def anonymous_page_cache(view):
    """Cache the view's GET responses for anonymous readers (see the module docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not request_is_cacheable(request):
            response = view(request, *args, **kwargs)
            if seconds:
                patch_cache_control(response, private=True)
            return response
        key = page_key(request)
        # The versions are read before the page is built: a change made meanwhile
        # leaves this entry stamped with the old ones, so it is never served.
        entry, versions = _lookup(key)
        if entry is not None:
            response = _restored(entry)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if request.method == "GET" and response_is_cacheable(request, response):
            patch_cache_control(response, public=True, max_age=seconds)
            cache.set(key, _stored(response, versions), seconds)
            response["X-Page-Cache"] = "miss"
        else:
            patch_cache_control(response, private=True)
        return response

    return wrapper

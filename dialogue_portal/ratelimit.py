"""Flood limits per client address, counted in the shared cache (Redis in production).

A fixed window per address: the first write in a window creates the counter with
``cache.add`` and every later one uses ``cache.incr``; both are atomic in Redis, so the
limit holds across processes and machines. Keys hold a keyed hash of the address, never
the address itself. The limit is generous (readers behind one office or VPN address still
each vote once); it only stops floods.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from dialogue_portal.clientip import hashed_client_ip

KEY_PREFIX = "ratelimit"


def hit(request, *, scope, limit, window):
    """Count one request from this address; True while it stays within ``limit`` per window."""
    bucket = int(time.time() // window)
    key = f"{KEY_PREFIX}:{scope}:{hashed_client_ip(request)}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        count = 1
    return count <= limit


def too_many_requests(request, *, window):
    template = "429.html#message" if getattr(request, "htmx", False) else "429.html"
    response = render(
        request,
        template,
        {"message": _("Too many requests from your address. Please wait a minute and try again.")},
        status=429,
    )
    response["Retry-After"] = str(window)
    response["Cache-Control"] = "private, no-store"
    return response


def limit_writes(scope):
    """Decorate a write view: at most WRITE_RATE_LIMIT requests per address per window."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = settings.WRITE_RATE_LIMIT
            window = settings.WRITE_RATE_WINDOW
            if limit and not hit(request, scope=scope, limit=limit, window=window):
                return too_many_requests(request, window=window)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

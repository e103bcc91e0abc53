"""Flood limits per client address, counted in the shared cache (Redis in production).

A fixed window per address: the first write in a window creates the counter with
``cache.add`` and every later one uses ``cache.incr``; both are atomic in Redis, so the
limit holds across processes and machines. Keys hold a keyed hash of the address, never
the address itself. The limit is generous (readers behind one office or VPN address still
each vote once); it only stops floods.

``daily_slot`` caps what one address may add to one poll or one publication in a day
(a UTC day): each new anonymous vote or rating takes a slot before it is written and gives
it back when nothing was counted, so the cap holds under races as well.
"""

import contextlib
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

from dialogue_portal.core.clientip import hashed_client_ip

KEY_PREFIX = "ratelimit"
DAY = 24 * 60 * 60


def hit(request, *, scope, limit, window):
    """Count one request from this address; True while it stays within ``limit`` per window."""
    bucket = int(time.time() // window)
    key = f"{KEY_PREFIX}:{scope}:{hashed_client_ip(request)}:{bucket}"
    return _count(key, window + 1) <= limit


def hits(request, *, scope, window):
    """How many requests ``hit`` has counted from this address in the current window."""
    bucket = int(time.time() // window)
    return cache.get(f"{KEY_PREFIX}:{scope}:{hashed_client_ip(request)}:{bucket}", 0)


def _count(key, timeout):
    """Add one to the counter at ``key`` (made if missing, atomically); its new value.
    Most calls find the counter there: one round trip."""
    try:
        return cache.incr(key)
    except ValueError:  # not there yet, or just expired
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)  # made by another request meanwhile
    except ValueError:  # and expired at once
        cache.add(key, 1, timeout=timeout)
        return 1


@dataclass(frozen=True)
class DailySlot:
    """One of an address's slots for today in one scope, taken by ``daily_slot``."""

    key: str

    def give_back(self) -> None:
        """Nothing was counted (a second vote, a changed rating, a refused one)."""
        if not self.key:  # no cap
            return
        with contextlib.suppress(ValueError):  # the day's counter has expired meanwhile
            cache.decr(self.key)


def daily_slot(request, *, scope: str, limit: int) -> DailySlot | None:
    """Take one of ``limit`` slots of this address for today in ``scope`` (such as
    ``poll:12``); None when they are all taken (a limit of 0 means no cap)."""
    if not limit:
        return DailySlot(key="")
    day = int(time.time() // DAY)
    key = f"{KEY_PREFIX}:day:{scope}:{hashed_client_ip(request)}:{day}"
    slot = DailySlot(key)
    if _count(key, DAY + 60) <= limit:
        return slot
    slot.give_back()  # refused: the counter keeps counting only the slots held
    return None


def daily_count(request, *, scope: str) -> int:
    """How many slots this address holds today in ``scope`` (what ``daily_slot`` counts)."""
    day = int(time.time() // DAY)
    return cache.get(f"{KEY_PREFIX}:day:{scope}:{hashed_client_ip(request)}:{day}", 0)


def add_event(scope: str) -> None:
    """Count one event in ``scope`` (every address together) for ``recent_events``."""
    _count(f"{KEY_PREFIX}:events:{scope}:{int(time.time() // 60)}", 2 * 60 + 1)


def recent_events(scope: str) -> int:
    """About how many events ``scope`` had in the last minute: this minute's count plus the
    share of the previous minute's that lies within the last 60 seconds (a sliding window
    from two fixed ones, so the count does not fall to 0 at each minute's start)."""
    now = time.time()
    minute = int(now // 60)
    counts = cache.get_many(
        [f"{KEY_PREFIX}:events:{scope}:{minute}", f"{KEY_PREFIX}:events:{scope}:{minute - 1}"]
    )
    current = counts.get(f"{KEY_PREFIX}:events:{scope}:{minute}", 0)
    previous = counts.get(f"{KEY_PREFIX}:events:{scope}:{minute - 1}", 0)
    return current + int(previous * (1 - (now % 60) / 60))


def seconds_to_tomorrow() -> int:
    """Seconds until the day of ``daily_slot`` ends (UTC midnight), at least 1."""
    return max(1, DAY - int(time.time()) % DAY)


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

"""Work a reader found stale and that takes too long to redo in a request: facet counts
(``publications.facets``) and ranked search results (``publications.ranked``). The reader
is served the stale result and asks for it here; ``manage.py refresh_counts`` does the work.

The queue is append-only on the cache's atomic counters (slots head+1 … tail), so any
cache backend serves, Redis in production. A job is asked for once until it is done; if
no refresher has done it ``COUNTS_PENDING_SECONDS`` after it was asked for, ``ask``
returns False and the reader does it (a site without the refresher stays right, only
slower)."""

import time

from django.conf import settings
from django.core.cache import cache

QUEUE = "counts:queue"


def ask(key, kind, *args):
    """Queue the job ``kind(*args)`` that renews the cache entry ``key``, once until a
    refresher has taken it. False when it was asked for more than
    ``COUNTS_PENDING_SECONDS`` ago and is still not done: the caller does it."""
    now = time.time()
    if not cache.add(f"{key}:asked", now, settings.COUNTS_STALE_SECONDS):
        asked = cache.get(f"{key}:asked")
        return asked is None or now - asked < settings.COUNTS_PENDING_SECONDS
    cache.add(f"{QUEUE}:tail", 0, None)
    try:
        slot = cache.incr(f"{QUEUE}:tail")
    except ValueError:  # evicted between add and incr: the next stale read asks again
        cache.delete(f"{key}:asked")
        return True
    cache.set(f"{QUEUE}:{slot}", (key, kind, args), settings.COUNTS_STALE_SECONDS)
    return True


def drain(handlers):
    """Do every queued job, oldest first: ``handlers[kind](*args)`` returns whether it did
    any work (the entry may have been renewed meanwhile). Returns how many did."""
    done = 0
    tail = cache.get(f"{QUEUE}:tail", 0)
    head = cache.get(f"{QUEUE}:head", 0)
    if head > tail:  # the queue was evicted and began again
        head = 0
    for slot in range(head + 1, tail + 1):
        job = cache.get(f"{QUEUE}:{slot}")
        if job is not None and len(job) == 3 and job[1] in handlers:
            key, kind, args = job
            # Asked again from here on: a change made while working is redone next time.
            cache.delete(f"{key}:asked")
            done += bool(handlers[kind](*args))
        cache.delete(f"{QUEUE}:{slot}")
        cache.set(f"{QUEUE}:head", slot, None)
    return done

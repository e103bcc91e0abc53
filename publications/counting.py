"""Counting readers honestly: page views and PDF downloads, with no cookie and nothing
personal stored. A reader is a keyed hash of address and browser, kept for 30 seconds
only to ignore repeats; known bots are not counted. Counts gather in the shared cache
and reach the database in batches with F() updates, so a busy page does not make
every reader wait on one row lock."""

import hashlib
import hmac
import re
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from dialogue_portal.core.clientip import client_ip
from publications import daily
from publications.models import Attachment, Publication

REPEAT_WINDOW_SECONDS = 30
BOT_PATTERN = re.compile(
    r"bot|crawl|spider|slurp|curl|wget|python-requests|httpx|go-http-client|java/|libwww|"
    r"headless|preview|facebookexternalhit|embedly|monitor|lighthouse|scrapy|feedfetcher",
    re.IGNORECASE,
)
COUNTERS = {"view": "view_count", "download": "download_count"}
DAILY_FIELDS = {"view": "views", "download": "downloads"}
PUBLICATION_ID_HEADER = "X-Counted-Publication"


def is_bot(request):
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(BOT_PATTERN.search(agent))


def _fingerprint(request, kind, target):
    message = f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}|{kind}|{target}"
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def seen_key(request, kind, target):
    """The key that marks this reader's recent view or download of ``target``."""
    return f"seen:{_fingerprint(request, kind, target)}"


def record(request, kind, publication_id, attachment_id=None, target=None):
    """Count one view or download unless it is a bot or a repeat within 30 seconds
    (``target``: what a repeat is of, by default the attachment or publication id).

    Returns True when it counted."""
    if is_bot(request):
        return False
    target = target or attachment_id or publication_id
    if not cache.add(seen_key(request, kind, target), 1, REPEAT_WINDOW_SECONDS):
        return False
    key = f"pending:{kind}:{publication_id}"
    cache.add(key, 0, None)
    try:
        pending = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this one directly
        cache.set(key, 0, None)
        pending = 1
        _write(kind, publication_id, 1, attachment_id)
        return True
    if pending >= settings.COUNT_FLUSH_EVERY:
        flush(kind, publication_id, key=key)
    if attachment_id is not None:
        _write_attachment(attachment_id)
    return True


def flush(kind, publication_id, key=None):
    """Move what gathered in the cache to the database (atomic decrement, then F() update)."""
    key = key or f"pending:{kind}:{publication_id}"
    pending = cache.get(key) or 0
    if pending <= 0:
        return 0
    cache.decr(key, pending)
    _write(kind, publication_id, pending)
    return pending


def flush_all():
    """Flush every publication's pending counts (the `flush_counts` command, run by cron)."""

    total = 0
    for publication_id in Publication.objects.published().values_list("pk", flat=True).iterator():
        for kind in COUNTERS:
            total += flush(kind, publication_id)
    return total


def _write(kind, publication_id, amount, attachment_id=None):

    field = COUNTERS[kind]
    # The total and today's row move together (the figures view reads the rows).
    with transaction.atomic():
        if Publication.objects.filter(pk=publication_id).update(**{field: F(field) + amount}):
            daily.add(publication_id, DAILY_FIELDS[kind], amount)


def _write_attachment(attachment_id):

    Attachment.objects.filter(pk=attachment_id).update(download_count=F("download_count") + 1)


def counts_views(view):
    """Count a view of a publication page, whether the page came from the view or a cache.

    The page marks its response with the publication id; this wrapper sits outside any
    page cache, reads the mark, removes it and counts."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # A repeat is a view of the same address (the slug, in either interface language).
        # The page cache reads whether this reader was seen in the round trip that reads
        # the page, so a repeat view of a cached page costs no second one.
        slug = kwargs.get("slug", "")
        seen = seen_key(request, "view", slug)
        request.page_cache_also = (seen,)
        response = view(request, *args, **kwargs)
        publication_id = response.get(PUBLICATION_ID_HEADER)
        if publication_id is not None:
            del response[PUBLICATION_ID_HEADER]
        user = getattr(request, "user", None)
        if (
            publication_id
            and response.status_code == 200
            and not (user is not None and user.is_authenticated and user.is_staff)
            and not getattr(request, "page_cache_found", {}).get(seen)
        ):
            record(request, "view", int(publication_id), target=slug)
        return response

    return wrapper

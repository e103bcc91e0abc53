"""django-axes' cool-off with back-off (``AXES_COOLOFF_TIME`` names ``cool_off``).

A client's first lockout lasts ``AXES_COOLOFF_MINUTES``; each further lockout of the same
address or the same username within ``AXES_BACKOFF_WINDOW_HOURS`` doubles it, up to
``AXES_COOLOFF_MAX_MINUTES``. Lockouts are counted from the audit trail, which records each
one as it starts (receivers.locked_out).

axes asks for the cool-off twice over: when a failure is recorded (the attempt expires that
long after it) and when a sign-in is checked (failures that recent count). Both must get the
length of the lockout the failures belong to, so the lockouts counted are those that began
before the client's latest failure: the lockout those failures caused is not one of them.
"""

import datetime as dt

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from dialogue_portal.audit.models import Entry
from dialogue_portal.core.clientip import client_ip


def cool_off(request=None) -> dt.timedelta:
    base = dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES)
    if request is None:  # axes' own commands (reset): the base period
        return base
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    username = get_client_username(request) or ""
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    client = Q(ip_address=ip) | (Q(username=username) if username else Q(pk__in=[]))
    latest = AccessAttempt.objects.filter(client).aggregate(latest=Max("attempt_time"))["latest"]
    since = now - dt.timedelta(hours=settings.AXES_BACKOFF_WINDOW_HOURS)
    earlier = (
        Entry.objects.lockouts_since(since, ip=ip, username=username)
        .filter(created_at__lt=latest or now)
        .count()
    )
    longest = max(dt.timedelta(minutes=settings.AXES_COOLOFF_MAX_MINUTES), base)
    return min(base * 2 ** min(earlier, 20), longest)

"""Who else has a change form open.

While a change form is open, its page posts a heartbeat every ``HEARTBEAT`` seconds
(``static/desk/presence.js``); each heartbeat keeps the editor listed for ``EXPIRES``
seconds in the cache, under one key per object, and answers with the others listed there.
The change form's page reads the same list when it is rendered, so without JavaScript it
still says who had the form open at that moment (and a GET writes nothing).

Two heartbeats for one object at the same instant may each write the list without the
other: the one left out is back at its next heartbeat, ``HEARTBEAT`` seconds later.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

HEARTBEAT = 30
EXPIRES = 90


def _key(label, pk):
    return f"desk:presence:{label}:{pk}"


def name_of(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _entries(label, pk):
    now = timezone.now().timestamp()
    entries = cache.get(_key(label, pk)) or {}
    return {uid: entry for uid, entry in entries.items() if entry[1] > now}


def others(label, pk, user):
    """Names of the other members of staff with this object's form open, sorted."""
    return sorted(name for uid, (name, _until) in _entries(label, pk).items() if uid != user.pk)


def beat(label, pk, user, *, leaving=False):
    """``user`` has the form open (or has just left it)."""
    entries = _entries(label, pk)
    if leaving:
        entries.pop(user.pk, None)
    else:
        entries[user.pk] = (name_of(user), timezone.now().timestamp() + EXPIRES)
    cache.set(_key(label, pk), entries, EXPIRES)


def describe(names):
    if not names:
        return ""
    return ngettext(
        "%(names)s also has this form open.",
        "%(names)s also have this form open.",
        len(names),
    ) % {"names": get_text_list(names, _("and"))}


def heartbeat(request, obj, allowed, opts):
    """The presence endpoint of one admin: POST only (CSRF-checked by the admin site)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if obj is None:
        raise Http404
    if not allowed(request, obj):
        raise PermissionDenied
    leaving = request.POST.get("leave") == "1"
    beat(opts.label_lower, obj.pk, request.user, leaving=leaving)
    names = others(opts.label_lower, obj.pk, request.user)
    response = JsonResponse({"others": names, "text": describe(names), "every": HEARTBEAT})
    response["Cache-Control"] = "private, no-store"
    return response

"""The one way into the audit trail: ``record(action, request=..., actor=..., target=...)``.

Apps call ``record`` where the action happens, inside its transaction (an action rolled
back leaves no row). Without ``request`` the request being served is used, when there is
one (``middleware.AuditRequestMiddleware``), so a change made deep inside a service or a
signal still says who made it and from which address; a management command has neither.
"""

import re
from contextvars import ContextVar

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Replace
from django.utils import timezone

from dialogue_portal.audit.models import Action, Entry
from dialogue_portal.core.clientip import client_ip

__all__ = ["Action", "current_request", "forget_text", "object_label", "record"]

current_request: ContextVar = ContextVar("audit_current_request", default=None)

# Anything shaped like an address: a label is never one.
ADDRESS = re.compile(r"[^\s@]+@[^\s@]+")
ERASED_TEXT = "(erased)"


def object_label(target) -> str:
    """A short label for ``target``: its text, unless that is (or holds) an e-mail address,
    then its kind and number."""
    text = str(target)
    if ADDRESS.search(text):
        return f"{target._meta.verbose_name} #{target.pk}"
    return text[:200]


def _actor_of(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def record(
    action, *, request=None, actor=None, target=None, detail="", actor_name=None, anonymous=False
):
    """Add a row to the audit trail and return it.

    ``actor`` defaults to the signed-in user of the request; ``actor_name`` (the username
    text kept) to the actor's username; ``target`` is the model instance acted on.
    ``anonymous``: a reader acted (a subscriber erasing themselves): neither the request
    being served nor its address is kept.
    """
    if anonymous:
        request = None
    elif request is None:
        request = current_request.get()
    if actor is None and request is not None:
        actor = _actor_of(request)
    if actor_name is None:
        actor_name = actor.get_username() if actor is not None else ""
    entry = Entry(
        action=Action(action),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=str(actor_name)[:150],
        detail=str(detail)[:500],
        created_at=timezone.now(),
    )
    if target is not None:
        entry.content_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        entry.object_id = str(target.pk)
        entry.object_label = object_label(target)
    if request is not None:
        entry.ip = client_ip(request) or None
    entry.save()
    return entry


def forget_text(text: str) -> int:
    """Take ``text`` (an erased subscriber's address) out of every log the site keeps: the
    audit trail, the admin's change log, and django-axes' sign-in records (where an address
    typed as a username stays). Returns how many rows changed."""
    text = (text or "").strip()
    if not text:
        return 0
    changed = 0
    for model, fields in (
        (Entry, ["actor_name", "object_label", "detail"]),
        (LogEntry, ["object_repr", "change_message"]),
        (AccessAttempt, ["username", "get_data", "post_data"]),
        (AccessFailureLog, ["username"]),
        (AccessLog, ["username"]),
    ):
        for field in fields:
            changed += model.objects.filter(**{f"{field}__icontains": text}).update(
                **{field: Replace(models.F(field), models.Value(text), models.Value(ERASED_TEXT))}
            )
            # Replace() is case-sensitive: what a different case left is replaced whole.
            changed += model.objects.filter(**{f"{field}__icontains": text}).update(
                **{field: ERASED_TEXT}
            )
    return changed

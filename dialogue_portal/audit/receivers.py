"""What reaches the audit trail through signals: sign-ins, failures and lockouts (Django's
and django-axes' signals), and changes to accounts (password, staff and superuser flags,
groups and permissions) however they are made: the admin, a form, the shell, a command.

Only recording happens here; no receiver changes anything else.

The two-factor login's signals (factor added, removed or reset, recovery code used, second
factor failed, sessions ended; ``dialogue_portal.twofactor.signals``) are recorded at the
end, with the signal's ``request`` and ``user``.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from dialogue_portal.audit.models import Action
from dialogue_portal.audit.services import record
from dialogue_portal.twofactor import signals as twofactor

User = get_user_model()

# Fields whose change is recorded; a save that names none of them is not looked at.
WATCHED = {"password", "is_superuser", "is_staff"}


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def signed_in(sender, request, user, **kwargs):
    record(Action.SIGNED_IN, request=request, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    typed = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    account = (
        User._default_manager.filter(**{User.USERNAME_FIELD: typed}).first() if typed else None
    )
    record(Action.SIGN_IN_FAILED, request=request, actor=account, actor_name=typed)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    # django-axes sends this signal when a lockout starts and again for every attempt made
    # while locked out; only the first has counted the failures (an int, else None).
    if not isinstance(getattr(request, "axes_failures_since_start", None), int):
        return
    account = (
        User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if username
        else None
    )
    record(
        Action.LOCKED_OUT,
        request=request,
        actor=account,
        actor_name=username or "",
        detail=f"{request.axes_failures_since_start} failures",
    )


@receiver(pre_save, sender=User, dispatch_uid="audit_user_before")
def user_before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or instance._state.adding:
        instance.audit_before = None
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        instance.audit_before = None
        return
    instance.audit_before = sender._default_manager.filter(pk=instance.pk).values(*WATCHED).first()


@receiver(post_save, sender=User, dispatch_uid="audit_user_after")
def user_after(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created:
        if instance.is_superuser:
            record(Action.SUPERUSER_CHANGED, target=instance, detail="created as superuser")
        if instance.is_staff:
            record(Action.STAFF_CHANGED, target=instance, detail="created as staff")
        return
    before = getattr(instance, "audit_before", None)
    instance.audit_before = None
    if not before:
        return
    # Django re-hashes a password on sign-in when its hasher changes, saving only that
    # field: the password itself did not change.
    rehashed = update_fields is not None and set(update_fields) == {"password"}
    if before["password"] != instance.password and not rehashed:
        record(Action.PASSWORD_CHANGED, target=instance)
    if before["is_superuser"] != instance.is_superuser:
        record(
            Action.SUPERUSER_CHANGED,
            target=instance,
            detail="granted" if instance.is_superuser else "withdrawn",
        )
    if before["is_staff"] != instance.is_staff:
        record(
            Action.STAFF_CHANGED,
            target=instance,
            detail="granted" if instance.is_staff else "withdrawn",
        )


def _names(model, pks):
    if model is Permission:
        return [
            f"{app}.{codename}"
            for app, codename in Permission.objects.filter(pk__in=pks)
            .order_by("content_type__app_label", "codename")
            .values_list("content_type__app_label", "codename")
        ]
    if model is Group:
        names = Group.objects.filter(pk__in=pks).order_by("name").values_list("name", flat=True)
        return list(names)
    return [
        str(name)
        for name in model._default_manager.filter(pk__in=pks).values_list(
            model.USERNAME_FIELD, flat=True
        )
    ]


def _relation_changed(audit_action, *, instance, action, reverse, model, pk_set, forward, backward):
    """One row per account or group whose rights changed. ``forward`` and ``backward`` name
    the relation from each side (``user.groups`` and ``group.user_set``)."""
    verbs = {"post_add": "added", "post_remove": "removed", "pre_clear": "removed"}
    if action not in verbs:
        return
    if action == "pre_clear":
        related = getattr(instance, backward if reverse else forward)
        pk_set = set(related.values_list("pk", flat=True))
    if not pk_set:
        return
    if reverse:
        # group.user_set.add(user): each account gets the change, the item is ``instance``.
        item = _names(type(instance), [instance.pk])
        for subject in model._default_manager.filter(pk__in=pk_set).order_by("pk"):
            record(audit_action, target=subject, detail=f"{verbs[action]}: {', '.join(item)}")
    else:
        names = _names(model, pk_set)
        record(audit_action, target=instance, detail=f"{verbs[action]}: {', '.join(names)}"[:500])


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_user_groups")
def user_groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _relation_changed(
        Action.GROUPS_CHANGED,
        instance=instance,
        action=action,
        reverse=reverse,
        model=model,
        pk_set=pk_set,
        forward="groups",
        backward="user_set",
    )


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="audit_user_permissions")
def user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _relation_changed(
        Action.PERMISSIONS_CHANGED,
        instance=instance,
        action=action,
        reverse=reverse,
        model=model,
        pk_set=pk_set,
        forward="user_permissions",
        backward="user_set",
    )


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="audit_group_permissions")
def group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    _relation_changed(
        Action.GROUP_PERMISSIONS_CHANGED,
        instance=instance,
        action=action,
        reverse=reverse,
        model=model,
        pk_set=pk_set,
        forward="permissions",
        backward="group_set",
    )


# The second factor and staff sessions (dialogue_portal.twofactor.signals) ---------------


# Each signal and the action it records. The actor is the signal's ``by`` (a superuser's
# reset), else its ``user``; sessions ended are put down to whoever is signed in on the
# request (the user, or a superuser resetting them).
SECOND_FACTOR_ACTIONS = {
    twofactor.factor_added: Action.FACTOR_ADDED,
    twofactor.factor_removed: Action.FACTOR_REMOVED,
    twofactor.factor_reset: Action.FACTOR_RESET,
    twofactor.recovery_code_used: Action.RECOVERY_CODE_USED,
    twofactor.second_factor_failed: Action.SECOND_FACTOR_FAILED,
    twofactor.sessions_ended: Action.SESSIONS_ENDED,
}


def second_factor_event(sender, signal, user, request=None, by=None, device=None, reason="", **kw):
    ended = signal is twofactor.sessions_ended
    record(
        SECOND_FACTOR_ACTIONS[signal],
        request=request,
        actor=None if ended else by or user,
        target=user,
        detail=kind(device) or str(reason),
    )


for _signal, _action in SECOND_FACTOR_ACTIONS.items():
    _signal.connect(second_factor_event, dispatch_uid=f"audit_{_action.value}")


def kind(device):
    """What sort of factor: "TOTP device", "passkey", "recovery codes" (the model's name)."""
    return str(device._meta.verbose_name) if device is not None else ""

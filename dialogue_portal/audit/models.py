"""One row per action that matters for security: who, what, on which object, when, from where.

Rows are written by ``services.record`` and never changed afterwards (the admin shows them
read-only); ``manage.py prune_audit`` deletes those older than ``AUDIT_RETENTION_DAYS``.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SIGNED_IN = "signed-in", _("Signed in")
    SIGN_IN_FAILED = "sign-in-failed", _("Sign-in failed")
    LOCKED_OUT = "locked-out", _("Locked out")
    SECOND_FACTOR_FAILED = "second-factor-failed", _("Second factor failed")
    RECOVERY_CODE_USED = "recovery-code-used", _("Recovery code used")
    FACTOR_ADDED = "factor-added", _("Second factor added")
    FACTOR_REMOVED = "factor-removed", _("Second factor removed")
    FACTOR_RESET = "factor-reset", _("Second factors reset")
    SESSIONS_ENDED = "sessions-ended", _("Sessions ended")
    PASSWORD_CHANGED = "password-changed", _("Password changed")
    GROUPS_CHANGED = "groups-changed", _("Groups changed")
    PERMISSIONS_CHANGED = "permissions-changed", _("Permissions changed")
    GROUP_PERMISSIONS_CHANGED = "group-permissions-changed", _("Group's permissions changed")
    SUPERUSER_CHANGED = "superuser-changed", _("Superuser status changed")
    STAFF_CHANGED = "staff-changed", _("Staff status changed")
    SUBSCRIBERS_EXPORTED = "subscribers-exported", _("Subscribers exported")
    SUBSCRIBER_ERASED = "subscriber-erased", _("Subscriber erased")
    SENT_TO_ALL = "sent-to-all", _("Newsletter sent to every subscriber")
    ARCHIVE_IMPORTED = "archive-imported", _("Archive imported")
    ARCHIVE_EXPORTED = "archive-exported", _("Archive exported")
    RESTORED = "restored", _("Revision restored")
    RECOVERED = "recovered", _("Deleted object recovered")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")
    AUDIT_EXPORTED = "audit-exported", _("Audit trail exported")


class EntryQuerySet(models.QuerySet):
    def older_than(self, moment):
        return self.filter(created_at__lt=moment)

    def lockouts_since(self, moment, *, ip="", username=""):
        """Lockouts of this address or this username since ``moment``."""
        who = models.Q(pk__in=[])
        if ip:
            who |= models.Q(ip=ip)
        if username:
            who |= models.Q(actor_name=username)
        return self.filter(who, action=Action.LOCKED_OUT, created_at__gte=moment)


class Entry(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # The username as it was (or as it was typed, for a failed sign-in): kept when the
    # account is renamed or deleted.
    actor_name = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Never an e-mail address (services.object_label).
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_when"),
            models.Index(fields=["actor_name", "created_at"], name="audit_actor_when"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} · {self.actor_name or '—'}"

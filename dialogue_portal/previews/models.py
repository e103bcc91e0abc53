"""A preview link: who made it, until when it works, whether it was revoked, and when it
was last opened. The address itself is not stored: it is signed from the row's id and
nonce (``services.token_for``), so a link whose row is gone, revoked or expired opens
nothing, and no address can be made up."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue_portal.desk.models import Proposal
from publications.models import Publication


def new_nonce():
    return secrets.token_urlsafe(16)


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self):
        """Links that open a preview now: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="preview_links",
        verbose_name=_("publication"),
    )
    # Set: the link shows this proposal's proposed state, not the published one.
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="preview_links",
        verbose_name=_("proposed change"),
    )
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    note = models.CharField(
        _("for whom"),
        max_length=200,
        blank=True,
        help_text=_("Who the link is for, e.g. “co-authors at RIAC” (only editors see this)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    last_opened_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("times opened"), default=0)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self):
        return self.note or f"{self.publication} #{self.pk}"

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return not self.is_revoked and not self.is_expired

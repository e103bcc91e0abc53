"""Review before publishing: what an editor proposed for a published publication, and every
decision taken on the way (submitted, proposed, approved, sent back, restored)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dialogue_portal.desk import history
from publications.models import Publication

history.register_models()


class ProposalQuerySet(models.QuerySet):
    def open(self):
        """Proposals still waiting for a reviewer or for their editor."""
        return self.filter(state__in=[Proposal.State.PENDING, Proposal.State.SENT_BACK])

    def pending(self):
        return self.filter(state=Proposal.State.PENDING)


class Proposal(models.Model):
    """Changes to a published publication that readers do not see until a reviewer approves.

    ``versions`` holds the publication as the editor saved it, with its authorships and
    attachments, serialized exactly as a revision stores them (``history.capture``); the
    published rows stay as they are until ``services.approve`` applies it in one transaction.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        SENT_BACK = "sent-back", _("Sent back")
        APPROVED = "approved", _("Approved")

    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("publication"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    versions = models.JSONField(_("proposed version"), default=list, editable=False)
    title = models.CharField(_("proposed title"), max_length=300)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        constraints = [
            # One open proposal per publication: a second editor continues the first's.
            models.UniqueConstraint(
                fields=["publication"],
                condition=Q(state__in=["pending", "sent-back"]),
                name="proposal_one_open_per_publication",
            ),
        ]

    def __str__(self):
        return self.title


class Decision(models.Model):
    """One step of a publication's review: who, when, what, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        PROPOSED = "proposed", _("Proposed changes")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent-back", _("Sent back")
        RESTORED = "restored", _("Restored a revision")

    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("publication"),
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("proposed change"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        indexes = [models.Index(fields=["publication", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(action="sent-back") | ~Q(comment=""),
                name="decision_sent_back_has_comment",
                violation_error_message=_("Say what needs changing."),
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.publication}"

"""The admin home's review queue: what awaits the reviewer, and the editor's own drafts."""

from django import template
from django.db.models import BigIntegerField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast
from reversion.models import Version

from dialogue_portal.desk import history, services
from dialogue_portal.desk.models import Decision, Proposal
from publications.models import Publication

register = template.Library()

LIMIT = 10


def _latest_decision(field, publication="pk"):
    return Subquery(
        Decision.objects.filter(publication=OuterRef(publication))
        .order_by("-created_at", "-pk")
        .values(field)[:1]
    )


@register.inclusion_tag("desk/includes/queue.html", takes_context=True)
def desk_queue(context):
    """At most three queries: awaiting my review (reviewers only), my drafts, my proposals."""
    user = context["request"].user
    awaiting = []
    if services.can_publish(user):
        awaiting = list(
            services.awaiting_review()
            .annotate(
                proposed=Exists(Proposal.objects.pending().filter(publication=OuterRef("pk")))
            )
            .only("pk", "title", "status")
            .order_by("-updated_at")[:LIMIT]
        )
    touched = (
        Version.objects.get_for_model(Publication)
        .filter(revision__user=user)
        .annotate(publication_id=Cast("object_id", BigIntegerField()))
        .values("publication_id")
    )
    drafts = list(
        Publication.objects.filter(
            status__in=[Publication.Status.DRAFT, Publication.Status.REVIEW], pk__in=touched
        )
        .annotate(last_action=_latest_decision("action"), last_comment=_latest_decision("comment"))
        .only("pk", "title", "status")
        .order_by("-updated_at")[:LIMIT]
    )
    proposals = list(
        Proposal.objects.open()
        .filter(created_by=user)
        .select_related("publication")
        .annotate(last_comment=_latest_decision("comment", publication="publication"))
        .order_by("-updated_at")[:LIMIT]
    )
    return {
        "is_reviewer": services.can_publish(user),
        "awaiting": awaiting,
        "drafts": drafts,
        "proposals": proposals,
        "sent_back": Decision.Action.SENT_BACK,
    }


@register.filter
def revision_comment(revision):
    """A revision's comment in the language of the page."""
    return history.describe(revision)

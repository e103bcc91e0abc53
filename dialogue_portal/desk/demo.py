"""Demo content for the editors' desk, added to what ``load_demo`` loads (idempotent).

- a reviewer login, ``reviewer`` / ``dialogue-reviewer``, in the Reviewers group;
- a report submitted by the editor and waiting for review;
- three revisions of a published report with two authors, the middle one with the
  authors the other way round, so history, compare and restore have something to show.
"""

import reversion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count
from reversion.models import Version

from dialogue_portal.desk.models import Decision
from dialogue_portal.desk.services import REVIEWERS_GROUP
from publications.models import Authorship, Publication
from publications.search import refresh_search_vector

REVIEWER = ("reviewer", "dialogue-reviewer")
WAITING_SLUG = "arms-control-after-new-start-options-for-dialogue"
REORDER_COMMENTS = [
    "Demo: as first published.",
    "Demo: authors listed the other way round.",
    "Demo: the byline as printed restored.",
]


def load(stdout):
    """Add the desk's demo content; running it again changes nothing."""
    with transaction.atomic():
        reviewer = _reviewer()
        editor = get_user_model().objects.filter(username="editor").first()
        waiting = _waiting_for_review(editor)
        reordered = _revisions_with_author_orders(editor or reviewer)
    refresh_search_vector(waiting)
    stdout.write(f"  login: {REVIEWER[0]} / {REVIEWER[1]} (reviewer: approves and publishes)")
    stdout.write(f"  waiting for review: {waiting.title}")
    if reordered is not None:
        stdout.write(f"  revisions with different author orders: {reordered.title}")


def _reviewer():
    user, created = get_user_model().objects.get_or_create(
        username=REVIEWER[0], defaults={"is_staff": True, "email": "reviewer@example.org"}
    )
    if created:
        user.set_password(REVIEWER[1])
        user.save()
    user.groups.add(*Group.objects.filter(name__in=["Editors", REVIEWERS_GROUP]))
    return user


def _waiting_for_review(editor):
    published = Publication.objects.published().annotate(n=Count("authorships"))
    source = published.filter(n__gte=1, language="en").order_by("published_at", "pk").first()
    publication, created = Publication.objects.get_or_create(
        slug=WAITING_SLUG,
        defaults={
            "kind": Publication.Kind.BRIEFING,
            "title": "Arms Control after New START: Options for Dialogue",
            "summary": (
                "With the last treaty limiting strategic arms expired, what could British and "
                "Russian experts usefully discuss next: transparency, risk reduction and the "
                "rules for new weapons."
            ),
            "body": (
                "<p>The briefing sets out three areas where a dialogue between experts can "
                "still make progress without a treaty: notification of exercises, channels "
                "for incidents at sea and in the air, and shared terms for new systems.</p>"
            ),
            "status": Publication.Status.REVIEW,
            "language": "en",
        },
    )
    if not created:
        return publication
    if source is not None:
        for order, authorship in enumerate(source.authorships.order_by("order", "pk"), 1):
            Authorship.objects.create(
                publication=publication, person_id=authorship.person_id, order=order
            )
        publication.topics.set(source.topics.all())
    with reversion.create_revision():
        reversion.set_user(editor)
        reversion.set_comment("Demo: drafted and submitted for review.")
        reversion.add_to_revision(publication)
    Decision.objects.create(publication=publication, user=editor, action=Decision.Action.SUBMITTED)
    return publication


def _revisions_with_author_orders(user):
    """Three revisions of the first published report with two or more authors."""
    publication = (
        Publication.objects.published()
        .annotate(n=Count("authorships"))
        .filter(n__gte=2)
        .order_by("published_at", "pk")
        .first()
    )
    if publication is None:
        return None
    comments = set(
        Version.objects.get_for_object(publication).values_list("revision__comment", flat=True)
    )
    if REORDER_COMMENTS[0] in comments:
        return publication
    authorships = list(publication.authorships.order_by("order", "pk"))
    printed = [(a.pk, a.order) for a in authorships]
    reversed_orders = [
        (a.pk, order) for a, (_, order) in zip(authorships, reversed(printed), strict=True)
    ]
    for comment, orders in zip(REORDER_COMMENTS, [printed, reversed_orders, printed], strict=True):
        with reversion.create_revision():
            for pk, order in orders:
                Authorship.objects.filter(pk=pk).update(order=order)
            reversion.set_user(user)
            reversion.set_comment(comment)
            reversion.add_to_revision(Publication.objects.get(pk=publication.pk))
    return publication

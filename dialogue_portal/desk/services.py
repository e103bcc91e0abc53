"""Review before publishing, and restoring a revision: every write that touches several rows
happens here, in one transaction, recorded as one revision and one decision."""

from collections.abc import Iterable, Sequence

import reversion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Field, QuerySet, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from reversion.models import Revision

from dialogue_portal.audit.services import Action, record
from dialogue_portal.desk.history import (
    M2M_FIELDS,
    RESTORED_FIELDS,
    Names,
    Snapshot,
    desk_comment,
)
from dialogue_portal.desk.models import Decision, Proposal
from dialogue_portal.redirects.addresses import addresses_of
from dialogue_portal.redirects.services import object_saved
from publications.models import Attachment, Authorship, Publication
from publications.renditions import refresh_banner_renditions
from publications.search import refresh_search_vector

PUBLISH_PERMISSION = "publications.publish_publication"
REVIEWERS_GROUP = "Reviewers"


class RestoreError(Exception):
    """A revision that cannot be applied as it is; ``problems`` says why, for an editor."""

    def __init__(self, problems: Sequence[str | Promise]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def can_publish(user: User) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def is_live(publication: Publication) -> bool:
    """Published or scheduled: what an editor without the publish permission only proposes."""
    return publication.status == Publication.Status.PUBLISHED


def awaiting_review() -> QuerySet[Publication]:
    """Publications a reviewer should look at: submitted drafts and proposed changes."""
    proposed = Proposal.objects.pending().values("publication")
    return Publication.objects.filter(status=Publication.Status.REVIEW) | (
        Publication.objects.filter(pk__in=proposed)
    )


def open_proposal(publication: Publication, *, lock: bool = False) -> Proposal | None:
    proposals = Proposal.objects.open().filter(publication=publication)
    if lock:
        proposals = proposals.select_for_update()
    return proposals.first()


def _reviewer_addresses() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=REVIEWERS_GROUP)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def notify_reviewers(
    *, publication: Publication, user: User | None, proposal: Proposal | None = None
) -> None:
    """E-mail every reviewer that something waits for them (sent once the save commits)."""
    recipients = _reviewer_addresses()
    if not recipients:
        return
    link = settings.SITE_URL + reverse(
        "admin:publications_publication_review", args=[publication.pk]
    )
    with translation.override(settings.LANGUAGE_CODE):
        if proposal is not None:
            subject = _("Changes proposed to “%(title)s”") % {"title": publication.title}
        else:
            subject = _("Submitted for review: “%(title)s”") % {"title": publication.title}
        body = _(
            "%(user)s asks you to review “%(title)s”.\n\n"
            "Compare, approve or send it back with a comment:\n%(link)s\n"
        ) % {
            "user": (user.get_full_name() or user.get_username()) if user else _("An import"),
            "title": publication.title,
            "link": link,
        }

    def send() -> None:
        send_mail(subject, body, None, recipients, fail_silently=False)

    transaction.on_commit(send)


def _record(
    publication: Publication,
    user: User | None,
    action: str,
    comment: str = "",
    proposal: Proposal | None = None,
) -> Decision:
    return Decision.objects.create(
        publication=publication, user=user, action=action, comment=comment, proposal=proposal
    )


def _save_with_revision(
    publication: Publication, user: User, comment: str, update_fields: list[str]
) -> None:
    with reversion.create_revision(manage_manually=True):
        publication.save(update_fields=[*update_fields, "updated_at"])
        reversion.set_user(user)
        reversion.set_comment(comment)
        reversion.add_to_revision(publication)


@transaction.atomic
def submit(*, publication: Publication, user: User | None) -> None:
    """A draft handed to the reviewers (the admin saved it with the “in review” status)."""
    _record(publication, user, Decision.Action.SUBMITTED)
    notify_reviewers(publication=publication, user=user)


@transaction.atomic
def propose(*, publication: Publication, user: User, versions: list[str]) -> Proposal:
    """Keep ``versions`` (the publication as the editor saved it) for a reviewer; readers
    go on seeing the published rows. An open proposal is replaced, not duplicated."""
    title = Snapshot.from_serialized(versions, publication.pk).publication.title
    proposal = open_proposal(publication, lock=True)
    if proposal is None:
        proposal = Proposal(publication=publication)
    proposal.created_by = user
    proposal.versions = versions
    proposal.title = title
    proposal.state = Proposal.State.PENDING
    proposal.save()
    _record(publication, user, Decision.Action.PROPOSED, proposal=proposal)
    notify_reviewers(publication=publication, user=user, proposal=proposal)
    return proposal


def check_restorable(snapshot: Snapshot, publication: Publication) -> None:
    """RestoreError naming, for an editor, what ``snapshot`` needs that is gone or taken."""
    names = Names(snapshot)
    problems = names.missing_in(snapshot)
    for name in snapshot.file_names():
        storage = Attachment._meta.get_field("file").storage
        if not storage.exists(name):
            problems.append(_("The file %(name)s is no longer in storage.") % {"name": name})
    slug = snapshot.publication.slug
    if Publication.objects.exclude(pk=publication.pk).filter(slug=slug).exists():
        problems.append(_("Another publication now has the address %(slug)s.") % {"slug": slug})
    if problems:
        raise RestoreError(problems)


def apply_snapshot(
    *,
    publication: Publication,
    snapshot: Snapshot,
    user: User,
    comment: str,
    refresh: bool = True,
) -> Publication:
    """Make the publication, its authorships, attachments and tags what ``snapshot`` holds,
    in one transaction recorded as one new revision. The publishing state (status and
    publish date) stays as it is: publishing is the reviewers' decision, not a restore's.
    Readers' counts (views, downloads, ratings) are never taken back."""
    check_restorable(snapshot, publication)
    try:
        with transaction.atomic(), reversion.create_revision(manage_manually=True):
            current = Publication.objects.select_for_update().get(pk=publication.pk)
            addresses_before = addresses_of(current)
            old = snapshot.publication
            for name in RESTORED_FIELDS:
                model_field = Publication._meta.get_field(name)
                # Many-to-many fields are set below; a reverse relation is never restored.
                if name in M2M_FIELDS or not isinstance(model_field, Field):
                    continue
                setattr(current, model_field.attname, getattr(old, model_field.attname))
            current.save()
            # A restored slug: the address it leaves redirects to it, as an admin save's.
            object_saved(obj=current, before=addresses_before)
            counts = dict(current.attachments.values_list("pk", "download_count"))
            current.authorships.all().delete()
            current.attachments.all().delete()
            Authorship.objects.bulk_create(
                [
                    Authorship(
                        pk=row.pk,
                        publication=current,
                        person_id=row.person_id,
                        order=row.order,
                        byline_position=row.byline_position,
                        byline_position_ru=row.byline_position_ru,
                        institution_id=row.institution_id,
                    )
                    for row in snapshot.authorships
                ]
            )
            Attachment.objects.bulk_create(
                [
                    Attachment(
                        pk=row.pk,
                        publication=current,
                        file=row.file.name,
                        title=row.title,
                        language=row.language,
                        order=row.order,
                        size_bytes=row.size_bytes,
                        download_count=counts.get(row.pk, 0),
                    )
                    for row in snapshot.attachments
                ]
            )
            for name in M2M_FIELDS:
                getattr(current, name).set(snapshot.value(name))
            reversion.set_user(user)
            reversion.set_comment(comment)
            reversion.add_to_revision(current)
    except IntegrityError as error:
        raise RestoreError(
            [_("The revision conflicts with the data as it is now (%(error)s).") % {"error": error}]
        ) from error
    if not refresh:  # a preview inside a transaction that is rolled back
        return current
    # As the admin does after a save: search vector and banner copies (the caches move on
    # after the commit of the rows written above, see dialogue_portal.core.freshness).
    refresh_search_vector(current)
    refresh_banner_renditions(current)
    publication.refresh_from_db()
    return current


def revision_date(revision: Revision) -> str:
    """When a revision was saved, in the current language and time zone."""
    return formats.date_format(timezone.localtime(revision.date_created), "DATETIME_FORMAT")


@transaction.atomic
def restore(*, publication: Publication, revision: Revision, user: User) -> Decision | None:
    """Restore ``revision`` of the publication; returns the decision recorded. An editor
    without the publish permission restoring a published publication proposes it."""
    snapshot = Snapshot.from_revision(revision, publication.pk)
    if snapshot is None:
        raise RestoreError([_("This revision does not hold this publication.")])
    if is_live(publication) and not can_publish(user):
        check_restorable(snapshot, publication)
        records = list(revision.version_set.values_list("serialized_data", flat=True))
        propose(publication=publication, user=user, versions=records)
        return None
    comment = desk_comment("restored", date=revision.date_created.isoformat())
    apply_snapshot(publication=publication, snapshot=snapshot, user=user, comment=comment)
    record(
        Action.RESTORED,
        actor=user,
        target=publication,
        detail=f"revision {revision.pk} of {revision.date_created.isoformat()}",
    )
    return _record(publication, user, Decision.Action.RESTORED)


def recovered(*, publication: Publication, user: User) -> Decision:
    """A deleted publication brought back (as a draft): recorded beside the restores."""
    record(Action.RECOVERED, actor=user, target=publication)
    return _record(publication, user, Decision.Action.RESTORED, _("Recovered after deletion."))


def unpublished(*, publications: Iterable[Publication], user: User, how: str) -> None:
    """Publications taken from readers (the list's action, or the status changed in the
    form): one audit row each."""
    for publication in publications:
        record(Action.UNPUBLISHED, actor=user, target=publication, detail=how)


def is_proposed_file(name: str) -> bool:
    """Whether an open proposal names the stored file ``name`` (a PDF or banner an editor
    uploaded for a change still waiting for review): readers may not reach it yet."""
    text = Cast("versions", output_field=TextField())
    return Proposal.objects.open().annotate(text=text).filter(text__contains=name).exists()


def submitted_by(publication: Publication, proposal: Proposal | None = None) -> int | None:
    """Who handed in what waits: the proposal's editor, or whoever last submitted the draft."""
    if proposal is not None and proposal.state == Proposal.State.PENDING:
        return proposal.created_by_id
    submitted = publication.decisions.filter(action=Decision.Action.SUBMITTED).first()
    return submitted.user_id if submitted else None


def is_own_submission(
    publication: Publication, user: User, proposal: Proposal | None = None
) -> bool:
    """Whether ``user`` handed in what waits, and so may not approve it (two pairs of
    eyes), unless the desk is one person (``REVIEW_ALLOW_SELF_APPROVAL``)."""
    if settings.REVIEW_ALLOW_SELF_APPROVAL:
        return False
    return submitted_by(publication, proposal) == user.pk


def _refuse_self_approval(publication: Publication, user: User, proposal: Proposal | None) -> None:
    """Two pairs of eyes: nobody approves their own work, unless the desk is one person."""
    if is_own_submission(publication, user, proposal):
        raise ValidationError(
            _("You submitted this yourself: another reviewer has to approve it."),
            code="self-approval",
        )


def published_directly(
    *, publication: Publication, user: User | None, comment: str = ""
) -> Decision:
    """A reviewer published without a review (the add or change form, the list's action,
    an import): recorded as their approval, so nothing goes public without a decision."""
    record(Action.PUBLISHED, actor=user, target=publication, detail="published directly")
    return _record(publication, user, Decision.Action.APPROVED, comment or _("Published directly."))


@transaction.atomic
def approve(*, publication: Publication, user: User, comment: str = "") -> Decision:
    """A reviewer approves what waits: a proposal is applied to the published rows, a
    submitted draft is published (on its publish date when that is in the future)."""
    if not can_publish(user):
        raise PermissionDenied
    proposal = open_proposal(publication, lock=True)
    _refuse_self_approval(publication, user, proposal)
    if proposal is not None and proposal.state == Proposal.State.PENDING:
        snapshot = Snapshot.from_serialized(proposal.versions, publication.pk)
        author = proposal.created_by.get_username() if proposal.created_by else "—"
        apply_snapshot(
            publication=publication,
            snapshot=snapshot,
            user=user,
            comment=desk_comment("approved", user=author, comment=comment),
        )
        proposal.state = Proposal.State.APPROVED
        proposal.save(update_fields=["state", "updated_at"])
    elif publication.status == Publication.Status.REVIEW:
        publication.status = Publication.Status.PUBLISHED
        publication.published_at = publication.published_at or timezone.now()
        _save_with_revision(
            publication,
            user,
            desk_comment("published", comment=comment),
            ["status", "published_at"],
        )
    else:
        raise ValidationError(_("Nothing of this publication is waiting for review."))
    record(
        Action.PUBLISHED,
        actor=user,
        target=publication,
        detail="approved proposed changes" if proposal is not None else "approved in review",
    )
    return _record(publication, user, Decision.Action.APPROVED, comment, proposal)


@transaction.atomic
def send_back(*, publication: Publication, user: User, comment: str) -> Decision:
    """A reviewer returns the work to its editor with what needs changing."""
    if not can_publish(user):
        raise PermissionDenied
    if not (comment or "").strip():
        raise ValidationError(_("Say what needs changing."), code="required")
    proposal = open_proposal(publication, lock=True)
    if proposal is not None and proposal.state == Proposal.State.PENDING:
        proposal.state = Proposal.State.SENT_BACK
        proposal.save(update_fields=["state", "updated_at"])
    elif publication.status == Publication.Status.REVIEW:
        publication.status = Publication.Status.DRAFT
        _save_with_revision(
            publication, user, desk_comment("sent-back", comment=comment), ["status"]
        )
    else:
        raise ValidationError(_("Nothing of this publication is waiting for review."))
    return _record(publication, user, Decision.Action.SENT_BACK, comment, proposal)

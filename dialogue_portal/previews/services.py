"""Making, opening and revoking preview links.

A link's address carries ``[id, nonce]`` signed under this app's salt (the same for
every showing, so the admin can list it): it cannot be
forged without ``SECRET_KEY``, names its row, and stops working the moment the row is
revoked, expires or is deleted (a new row with a reused id has another nonce)."""

import datetime as dt

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dialogue_portal.desk import services as desk
from dialogue_portal.desk.history import Snapshot
from dialogue_portal.desk.models import Proposal
from dialogue_portal.previews.models import PreviewLink

SALT = "dialogue_portal.previews.link"
# The longest an editor may let a link live: an embargo, not a second way to publish.
MAX_DAYS = 90


def token_for(link):
    return signing.Signer(salt=SALT).sign_object([link.pk, link.nonce])


def url_for(link):
    """The link's address, in the publication's language (whatever the editor's admin
    speaks): the preview opens with the interface its readers will have."""
    with translation.override(link.publication.language):
        return reverse("previews:page", kwargs={"token": token_for(link)})


def link_from_token(token):
    """The usable link the token names, or None (forged, revoked, expired or deleted)."""
    try:
        pk, nonce = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(nonce, str):
        return None
    return (
        PreviewLink.objects.usable()
        .select_related("publication", "proposal")
        .filter(pk=pk, nonce=nonce)
        .first()
    )


def check_expiry(expires_at):
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError(_("Choose a time in the future."), code="past")
    if expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise ValidationError(
            _("A preview link lives %(days)s days at most.") % {"days": MAX_DAYS},
            code="too-long",
        )


@transaction.atomic
def create_link(*, publication, user, expires_at, note="", with_proposal=False):
    """A new link to ``publication`` as it stands (a draft, in review or scheduled), or to
    its open proposal; a publication readers already see has nothing to preview."""
    if not user.has_perm("publications.change_publication"):
        raise PermissionDenied
    check_expiry(expires_at)
    proposal = None
    if with_proposal or publication.is_public:
        proposal = desk.open_proposal(publication)
        if proposal is None:
            raise ValidationError(
                _("This publication is public and no change to it is waiting: share its address."),
                code="public",
            )
    return PreviewLink.objects.create(
        publication=publication,
        proposal=proposal,
        note=note,
        created_by=user,
        expires_at=expires_at,
    )


def revoke(*, link, user):
    """The link stops working at once (nothing caches a preview, so nothing lingers)."""
    if link.revoked_at is None:
        PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user
        )
        link.refresh_from_db()
    return link


def record_open(link):
    """When the link was last opened, and how often: a record for editors, not content."""
    PreviewLink.objects.filter(pk=link.pk).update(
        last_opened_at=timezone.now(), open_count=F("open_count") + 1
    )


def snapshot_for(link):
    """What the link shows: the proposal's proposed state while it is open, else the
    publication as it is; None when the proposal was approved or withdrawn."""
    if link.proposal_id is not None:
        proposal = link.proposal
        if proposal.state not in (Proposal.State.PENDING, Proposal.State.SENT_BACK):
            return None
        return Snapshot.from_serialized(proposal.versions, link.publication_id)
    return Snapshot.live(link.publication)


def file_url(token, pk):
    return reverse("previews:file", kwargs={"token": token, "pk": pk})


def banner_url(token, width=None):
    if width is None:
        return reverse("previews:banner", kwargs={"token": token})
    return reverse("previews:rendition", kwargs={"token": token, "width": width})

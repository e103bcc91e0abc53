"""What readers do with their subscription: subscribe, confirm, change, leave, erase."""

import datetime as dt
import logging
import secrets
import smtplib
from collections.abc import Iterable
from typing import Literal, NamedTuple, TypedDict

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from dialogue_portal.audit.services import Action, forget_text, record
from dialogue_portal.newsletter import mail, tokens
from dialogue_portal.newsletter.models import (
    CONSENT_VERSION,
    ConfirmationMail,
    Subscriber,
    hash_address,
    new_key,
    normalise_address,
)
from publications.models import Topic

log = logging.getLogger(__name__)

# At most one confirmation (or reminder) mail per address in this time.
MAIL_INTERVAL = dt.timedelta(minutes=10)


def _send_now(message: EmailMessage) -> bool:
    """One transactional mail (confirmation, reminder). Refusals and an unreachable server
    are logged, never shown: the answer page is the same whatever happened."""
    try:
        mailers.default.send_messages([message])
    except (smtplib.SMTPException, OSError):
        log.warning("newsletter: a confirmation mail could not be sent", exc_info=True)
        return False
    return True


HOUR = dt.timedelta(hours=1)


@transaction.atomic
def _claim_mail_slot(subscriber: Subscriber, now: dt.datetime) -> bool:
    """True for the one request that may mail this address now: at most one per
    MAIL_INTERVAL, CONFIRMATIONS_PER_ADDRESS_PER_HOUR to the address and
    CONFIRMATIONS_PER_HOUR from the site (whatever the number of workers asking at once
    for one address; several workers mailing different addresses at the same moment may
    pass the site's cap by one each). A slot taken is recorded as a mail sent."""
    claimed = (
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(
            Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=now - MAIL_INTERVAL)
        )
        .update(confirmation_sent_at=now)
    )
    if not claimed:
        return False
    recent = ConfirmationMail.objects.filter(sent_at__gt=now - HOUR)
    per_address = settings.CONFIRMATIONS_PER_ADDRESS_PER_HOUR
    if per_address and recent.filter(subscriber=subscriber).count() >= per_address:
        return False
    per_site = settings.CONFIRMATIONS_PER_HOUR
    if per_site and recent.count() >= per_site:
        log.warning(
            "newsletter: %s confirmation mails in the last hour, the site's cap: "
            "no more are sent until the hour's oldest is an hour old",
            per_site,
        )
        return False
    ConfirmationMail.objects.filter(sent_at__lte=now - 24 * HOUR).delete()
    ConfirmationMail.objects.create(subscriber=subscriber, sent_at=now)
    return True


class Recorded(NamedTuple):
    """A subscription request recorded: its subscriber, and the mail to send: "confirm",
    "remind", or None (erased or suppressed: mail nothing)."""

    subscriber: Subscriber
    action: Literal["confirm", "remind"] | None


@transaction.atomic
def _record_request(
    *,
    email: str,
    language: str,
    frequency: str,
    topics: Iterable[Topic | int],
    consent_language: str,
    source: str,
    now: dt.datetime,
) -> Recorded:
    """Find or create the subscriber for ``email`` and say what to do."""
    address = normalise_address(email)
    digest = hash_address(address)
    subscriber = Subscriber.objects.select_for_update().filter(address_hash=digest).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=address,
                    address_hash=digest,
                    state=Subscriber.State.PENDING,
                    language=language,
                    frequency=frequency,
                )
        except IntegrityError:  # created meanwhile by another request
            subscriber = Subscriber.objects.select_for_update().get(address_hash=digest)
    if subscriber.state in (Subscriber.State.ERASED, Subscriber.State.SUPPRESSED):
        return Recorded(subscriber, None)
    if subscriber.state == Subscriber.State.CONFIRMED:
        return Recorded(subscriber, "remind")
    # New, pending or unsubscribed: the choices and consent given now, and a fresh
    # single-use confirmation nonce (older confirmation links stop working).
    subscriber.state = Subscriber.State.PENDING
    subscriber.language = language
    subscriber.frequency = frequency
    subscriber.consent_at = now
    subscriber.consent_version = CONSENT_VERSION
    subscriber.consent_language = consent_language
    subscriber.consent_source = source[:200]
    subscriber.save()
    subscriber.topics.set(topics)
    return Recorded(subscriber, "confirm")


def request_subscription(
    *,
    email: str,
    language: str,
    frequency: str,
    topics: Iterable[Topic | int] = (),
    consent_language: str,
    source: str,
    now: dt.datetime | None = None,
) -> None:
    """What the subscribe form asks for, done by the task worker (newsletter/tasks.py),
    never inside the form's request. Always returns None: the form answers the same
    whatever the address's state, so it reveals nothing about it."""
    now = now or timezone.now()
    subscriber, action = _record_request(
        email=email,
        language=language,
        frequency=frequency,
        topics=topics,
        consent_language=consent_language,
        source=source,
        now=now,
    )
    if action is None or not _claim_mail_slot(subscriber, now):
        return
    if action == "confirm":
        nonce = secrets.token_urlsafe(16)
        Subscriber.objects.filter(pk=subscriber.pk).update(confirm_nonce=nonce)
        subscriber.confirm_nonce = nonce
        message = mail.confirmation(subscriber)
    else:
        message = mail.already_subscribed(subscriber)
    if not _send_now(message):
        # Let the reader try again at once rather than in ten minutes; nothing was sent.
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)
        ConfirmationMail.objects.filter(subscriber=subscriber, sent_at=now).delete()


def subscriber_for_confirmation(token: str) -> Subscriber:
    """The pending subscriber a confirmation link names, or tokens.BadLink."""
    pk, nonce = tokens.read_confirm_token(token)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None or not subscriber.confirm_nonce:
        raise tokens.BadLink("used" if subscriber is not None else "invalid")
    if not secrets.compare_digest(subscriber.confirm_nonce, nonce):
        raise tokens.BadLink("used")
    if subscriber.state != Subscriber.State.PENDING:
        raise tokens.BadLink("used")
    return subscriber


def confirm(token: str, *, now: dt.datetime | None = None) -> Subscriber:
    """Follow a confirmation link (by POST): the subscriber is confirmed and the link spent.
    Returns the subscriber, or raises tokens.BadLink and changes nothing."""
    now = now or timezone.now()
    pk, nonce = tokens.read_confirm_token(token)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=pk).first()
        if (
            subscriber is None
            or subscriber.state != Subscriber.State.PENDING
            or not subscriber.confirm_nonce
            or not secrets.compare_digest(subscriber.confirm_nonce, nonce)
        ):
            raise tokens.BadLink("used" if subscriber is not None else "invalid")
        subscriber.state = Subscriber.State.CONFIRMED
        subscriber.confirm_nonce = ""
        subscriber.confirmed_at = now
        subscriber.temporary_failures = 0
        subscriber.save()
    return subscriber


def subscriber_for_link(token: str) -> Subscriber:
    """The subscriber a preference or unsubscribe link names, or tokens.BadLink."""
    pk, key = tokens.read_manage_token(token)
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if (
        subscriber is None
        or subscriber.state == Subscriber.State.ERASED
        or not secrets.compare_digest(subscriber.manage_key, key)
    ):
        raise tokens.BadLink("invalid")
    return subscriber


def update_preferences(
    subscriber: Subscriber, *, language: str, frequency: str, topics: Iterable[Topic | int]
) -> None:
    subscriber.language = language
    subscriber.frequency = frequency
    subscriber.save(update_fields=["language", "frequency", "updated_at"])
    subscriber.topics.set(topics)


def unsubscribe(subscriber: Subscriber, *, now: dt.datetime | None = None) -> Subscriber:
    """Stop every mail. A suppressed address stays suppressed; unsubscribing twice is fine."""
    if subscriber.state in (Subscriber.State.PENDING, Subscriber.State.CONFIRMED):
        Subscriber.objects.filter(pk=subscriber.pk).update(
            state=Subscriber.State.UNSUBSCRIBED,
            unsubscribed_at=now or timezone.now(),
            confirm_nonce="",
        )
        subscriber.refresh_from_db()
    return subscriber


class ConsentData(TypedDict):
    given_at: str | None
    text_version: str
    language: str
    given_on: str


class DeliveryData(TypedDict):
    what: str
    status: str
    sent_at: str | None


class SubscriberData(TypedDict):
    """What "download my data" gives, as JSON (dates in ISO 8601, or null)."""

    email: str | None
    state: str
    language: str
    frequency: str
    topics: list[str]
    consent: ConsentData
    created_at: str | None
    confirmed_at: str | None
    unsubscribed_at: str | None
    suppressed_at: str | None
    deliveries: list[DeliveryData]


def export_data(subscriber: Subscriber) -> SubscriberData:
    """Everything stored about the subscriber, for "download my data"."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "state": subscriber.state,
        "language": subscriber.language,
        "frequency": subscriber.frequency,
        "topics": [topic.name for topic in subscriber.topics.order_by("name")],
        "consent": {
            "given_at": when(subscriber.consent_at),
            "text_version": subscriber.consent_version,
            "language": subscriber.consent_language,
            "given_on": subscriber.consent_source,
        },
        "created_at": when(subscriber.created_at),
        "confirmed_at": when(subscriber.confirmed_at),
        "unsubscribed_at": when(subscriber.unsubscribed_at),
        "suppressed_at": when(subscriber.suppressed_at),
        "deliveries": [
            {"what": key, "status": status, "sent_at": when(sent_at)}
            for key, status, sent_at in subscriber.deliveries.order_by("created_at").values_list(
                "key", "status", "sent_at"
            )
        ],
    }


@transaction.atomic
def erase(subscriber: Subscriber, *, request: HttpRequest | None = None) -> None:
    """Forget the subscriber: only the keyed hash of the address remains, with the state
    "erased", so the address is never mailed again. Every link they had stops working.

    The address also leaves every log that may hold it: the admin's change log (the text
    of an earlier edit), the audit trail and the sign-in records (services.forget_text).
    ``request`` is an editor's; a subscriber erasing themselves leaves no address of theirs
    in the audit row either."""
    address = (
        Subscriber.objects.select_for_update()
        .filter(pk=subscriber.pk)
        .values_list("email", flat=True)
        .first()
    )
    subscriber.deliveries.all().delete()
    subscriber.topics.clear()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        email=None,
        state=Subscriber.State.ERASED,
        language=Subscriber.Language.EN,
        consent_at=None,
        consent_version="",
        consent_language="",
        consent_source="",
        confirm_nonce="",
        confirmation_sent_at=None,
        manage_key=new_key(),
        confirmed_at=None,
        unsubscribed_at=None,
        suppressed_at=None,
        suppressed_reason="",
        temporary_failures=0,
    )
    subscriber.email, subscriber.state = None, Subscriber.State.ERASED
    if address:
        forget_text(address)
    record(Action.SUBSCRIBER_ERASED, request=request, target=subscriber, anonymous=request is None)

"""What readers do with their subscription: subscribe, confirm, change, leave, erase."""

import datetime as dt
import logging
import secrets
import smtplib

from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from dialogue_portal.audit.services import Action, forget_text, record
from dialogue_portal.newsletter import mail, tokens
from dialogue_portal.newsletter.models import (
    CONSENT_VERSION,
    Subscriber,
    hash_address,
    new_key,
    normalise_address,
)

log = logging.getLogger(__name__)

# At most one confirmation (or reminder) mail per address in this time.
MAIL_INTERVAL = dt.timedelta(minutes=10)


def _send_now(message):
    """One transactional mail (confirmation, reminder). Refusals and an unreachable server
    are logged, never shown: the answer page is the same whatever happened."""
    try:
        mailers.default.send_messages([message])
    except (smtplib.SMTPException, OSError):
        log.warning("newsletter: a confirmation mail could not be sent", exc_info=True)
        return False
    return True


def _claim_mail_slot(subscriber, now):
    """True for the one request that may mail this address now (at most one per
    MAIL_INTERVAL, whatever the number of processes asking at once)."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk)
        .filter(
            Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=now - MAIL_INTERVAL)
        )
        .update(confirmation_sent_at=now)
    )


@transaction.atomic
def _record_request(*, email, language, frequency, topics, consent_language, source, now):
    """Find or create the subscriber for ``email`` and say what to do: (subscriber, action)
    with action "confirm", "remind" or None (erased or suppressed: mail nothing)."""
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
        return subscriber, None
    if subscriber.state == Subscriber.State.CONFIRMED:
        return subscriber, "remind"
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
    return subscriber, "confirm"


def request_subscription(
    *, email, language, frequency, topics=(), consent_language, source, now=None
):
    """The subscribe form's one effect. Always returns None: callers answer the same
    whatever the address's state, so the form reveals nothing about it."""
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
        # Let the reader try again at once rather than in ten minutes.
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)


def subscriber_for_confirmation(token):
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


def confirm(token, *, now=None):
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


def subscriber_for_link(token):
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


def update_preferences(subscriber, *, language, frequency, topics):
    subscriber.language = language
    subscriber.frequency = frequency
    subscriber.save(update_fields=["language", "frequency", "updated_at"])
    subscriber.topics.set(topics)


def unsubscribe(subscriber, *, now=None):
    """Stop every mail. A suppressed address stays suppressed; unsubscribing twice is fine."""
    if subscriber.state in (Subscriber.State.PENDING, Subscriber.State.CONFIRMED):
        Subscriber.objects.filter(pk=subscriber.pk).update(
            state=Subscriber.State.UNSUBSCRIBED,
            unsubscribed_at=now or timezone.now(),
            confirm_nonce="",
        )
        subscriber.refresh_from_db()
    return subscriber


def export_data(subscriber):
    """Everything stored about the subscriber, for "download my data"."""

    def when(value):
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
def erase(subscriber, *, request=None):
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

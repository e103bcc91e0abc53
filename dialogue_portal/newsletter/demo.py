"""Demo newsletter content: subscribers in every state and two issues in the archive.

``load(stdout)`` is idempotent: a second run creates nothing and says what was already there.
Demo addresses are at example.org (RFC 2606), which no mail ever reaches. The demo login
``reviewer`` (made by the desk's demo, which runs first) is the one newsletter manager: it
sees subscribers and sends to all; ``editor`` and ``redaktor`` compose issues only.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from dialogue_portal.newsletter.models import (
    CONSENT_VERSION,
    MANAGERS_GROUP,
    Delivery,
    Issue,
    Subscriber,
    hash_address,
)
from publications.models import Publication, Topic

SUBSCRIBERS = [
    # address, state, language, frequency, topic slugs
    ("anna.pending@example.org", "pending", "en", "weekly", []),
    ("oleg.pending@example.org", "pending", "ru", "each", []),
    ("claire.confirmed@example.org", "confirmed", "en", "weekly", []),
    ("dmitry.confirmed@example.org", "confirmed", "ru", "each", ["arms-control"]),
    ("sam.confirmed@example.org", "confirmed", "both", "weekly", []),
    ("tom.unsubscribed@example.org", "unsubscribed", "en", "weekly", []),
    ("irina.unsubscribed@example.org", "unsubscribed", "ru", "each", []),
    ("bounced@example.org", "suppressed", "en", "weekly", []),
    ("erased.reader@example.org", "erased", "en", "weekly", []),
]

ISSUES = [
    {
        "slug": "dialogue-after-the-london-round",
        "subject": "After the London round: what the dialogue found",
        "subject_ru": "После лондонского раунда: итоги диалога",
        "body": (
            "<p>Two days of talks in London brought together experts from both countries. "
            "This issue collects the conference report and the papers written for it.</p>"
        ),
        "body_ru": (
            "<p>Два дня переговоров в Лондоне собрали экспертов обеих стран. В этом выпуске — "
            "доклад о конференции и подготовленные к ней материалы.</p>"
        ),
        "days_ago": 21,
        "publications": 2,
    },
    {
        "slug": "european-security-reading-list",
        "subject": "European security: a reading list",
        "subject_ru": "Европейская безопасность: что почитать",
        "body": (
            "<p>Our editors chose the reports that explain where European security "
            "stands, and where the dialogue could take it next.</p>"
        ),
        "body_ru": (
            "<p>Редакция выбрала доклады о том, где сегодня стоит европейская безопасность "
            "и куда её может привести диалог.</p>"
        ),
        "days_ago": 7,
        "publications": 1,
    },
]


def _subscriber(address, state, language, frequency, topic_slugs, now):
    digest = hash_address(address)
    if Subscriber.objects.filter(address_hash=digest).exists():
        return None
    fields = {
        "email": address,
        "address_hash": digest,
        "state": state,
        "language": language,
        "frequency": frequency,
        "consent_at": now - dt.timedelta(days=30),
        "consent_version": CONSENT_VERSION,
        "consent_language": "ru" if language == "ru" else "en",
        "consent_source": "/newsletter/",
    }
    if state in ("confirmed", "unsubscribed", "suppressed"):
        fields["confirmed_at"] = now - dt.timedelta(days=29)
    if state == "unsubscribed":
        fields["unsubscribed_at"] = now - dt.timedelta(days=3)
    if state == "suppressed":
        fields["suppressed_at"] = now - dt.timedelta(days=5)
        fields["suppressed_reason"] = "550 5.1.1 mailbox unavailable"
    if state == "erased":
        # What erasing leaves: the hash of the address, nothing else.
        fields = {"email": None, "address_hash": digest, "state": state}
    subscriber = Subscriber.objects.create(**fields)
    if topic_slugs:
        subscriber.topics.set(Topic.objects.filter(slug__in=topic_slugs))
    return subscriber


NEWSLETTER_MANAGER = "reviewer"


@transaction.atomic
def load(stdout):
    now = timezone.now()
    manager = get_user_model().objects.filter(username=NEWSLETTER_MANAGER).first()
    if manager is not None:
        manager.groups.add(*Group.objects.filter(name=MANAGERS_GROUP))
        stdout.write(
            f"  newsletter manager: {NEWSLETTER_MANAGER} (subscribers, exports, send to all)\n"
        )
    created, present = 0, 0
    for row in SUBSCRIBERS:
        if _subscriber(*row, now) is None:
            present += 1
        else:
            created += 1
    stdout.write(
        f"Newsletter subscribers: {created} created"
        + (f", {present} already there" if present else "")
        + "\n"
    )

    publications = list(Publication.objects.published().order_by("-published_at")[:3])
    confirmed = list(Subscriber.objects.confirmed().order_by("pk"))
    for spec in ISSUES:
        if Issue.objects.filter(slug=spec["slug"]).exists():
            stdout.write(f"Newsletter issue {spec['slug']}: already there\n")
            continue
        sent_at = now - dt.timedelta(days=spec["days_ago"])
        issue = Issue.objects.create(
            slug=spec["slug"],
            subject=spec["subject"],
            subject_ru=spec["subject_ru"],
            body=spec["body"],
            body_ru=spec["body_ru"],
            status=Issue.Status.SENT,
            queued_at=sent_at,
            sent_at=sent_at,
            sent_count=len(confirmed),
        )
        issue.publications.set(publications[: spec["publications"]])
        # The deliveries a real run would have left, so the sender never mails it again.
        Delivery.objects.bulk_create(
            [
                Delivery(
                    subscriber=subscriber,
                    key=issue.delivery_key,
                    issue=issue,
                    status=Delivery.Status.SENT,
                    sent_at=sent_at,
                )
                for subscriber in confirmed
            ]
        )
        stdout.write(f"Newsletter issue {spec['slug']}: created, in the archive as sent\n")

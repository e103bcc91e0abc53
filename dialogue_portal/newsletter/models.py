"""Subscribers, what was sent to them, and the issues editors compose.

An address is stored with a keyed hash of itself (``address_hash``); erasing a subscriber
removes the address and everything personal, and keeps only the hash, so the same
address is recognised, and never mailed, if it is ever given again.
"""

import secrets

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from dialogue_portal.core.translation import Translated
from publications.models import Publication, Topic
from publications.sanitize import sanitize_html

# The consent text beside every subscribe form. Changing its wording means a new version:
# each subscriber keeps the version they agreed to.
CONSENT_VERSION = "2026-11"

# Subscribers' personal data (addresses, consent, deliveries, exports) and sending an issue
# to every subscriber belong to these permissions, held by the "Newsletter managers" group,
# not by every editor.
MANAGE_SUBSCRIBERS = "newsletter.manage_subscribers"
SEND_TO_ALL = "newsletter.send_issue"
MANAGERS_GROUP = "Newsletter managers"

# Three temporary refusals in a row and an address is suppressed.
TEMPORARY_FAILURE_LIMIT = 3


def normalise_address(address):
    return (address or "").strip().lower()


def hash_address(address):
    """A keyed hash of the address: an erased subscriber leaves only this."""
    return salted_hmac(
        "dialogue_portal.newsletter.address", normalise_address(address), algorithm="sha256"
    ).hexdigest()


def new_key():
    return secrets.token_urlsafe(16)


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(state=Subscriber.State.CONFIRMED)

    def reading(self, language):
        """Subscribers who read ``language`` (those who read both included)."""
        return self.filter(language__in=[language, Subscriber.Language.BOTH])

    def interested_in(self, topic_ids):
        """Subscribers with no topics (they want everything) or one of ``topic_ids``."""
        chosen = Subscriber.topics.through.objects.filter(subscriber=OuterRef("pk"))
        return self.filter(~Exists(chosen) | Exists(chosen.filter(topic_id__in=list(topic_ids))))

    def without_delivery(self, key):
        """Not yet sent ``key``: no delivery row, or one waiting to be tried again."""
        done = Delivery.objects.filter(subscriber=OuterRef("pk"), key=key).exclude(
            status=Delivery.Status.RETRY
        )
        return self.exclude(Exists(done))


class Subscriber(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        SUPPRESSED = "suppressed", _("Suppressed (mail refused)")
        ERASED = "erased", _("Erased")

    class Language(models.TextChoices):
        EN = "en", _("English")
        RU = "ru", _("Russian")
        BOTH = "both", _("English and Russian")

    class Frequency(models.TextChoices):
        EACH = "each", _("Each new publication")
        WEEKLY = "weekly", _("A weekly digest")

    email = models.EmailField(_("e-mail address"), null=True, blank=True, unique=True)
    address_hash = models.CharField(_("address hash"), max_length=64, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    language = models.CharField(_("language"), max_length=8, choices=Language, default=Language.EN)
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="+",
        verbose_name=_("topics"),
        help_text=_("None means every topic."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=8, choices=Frequency, default=Frequency.WEEKLY
    )
    # The consent given: when, to which wording, in which language, on which page.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=32, blank=True)
    consent_language = models.CharField(_("consent language"), max_length=8, blank=True)
    consent_source = models.CharField(_("consent given on"), max_length=200, blank=True)
    # Single-use confirmation: the link carries this nonce, which is cleared once used.
    confirm_nonce = models.CharField(
        _("confirmation nonce"), max_length=32, blank=True, editable=False
    )
    confirmation_sent_at = models.DateTimeField(
        _("confirmation sent at"), null=True, blank=True, editable=False
    )
    # Links to the preference page carry this key; erasing changes it.
    manage_key = models.CharField(
        _("preference link key"), max_length=32, default=new_key, editable=False
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    suppressed_at = models.DateTimeField(_("suppressed at"), null=True, blank=True)
    suppressed_reason = models.CharField(_("why suppressed"), max_length=300, blank=True)
    temporary_failures = models.PositiveSmallIntegerField(
        _("temporary failures in a row"), default=0
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        permissions = [
            ("manage_subscribers", _("Can see, export and erase subscribers' personal data"))
        ]
        indexes = [models.Index(fields=["state", "frequency"], name="subscriber_state_freq")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="erased", email__isnull=True)
                | (~Q(state="erased") & Q(email__isnull=False)),
                name="subscriber_address_unless_erased",
            ),
        ]

    def __str__(self):
        # Never the address: this text is what the admin's change log and the audit trail
        # keep, and an erased subscriber's address must not stay behind in them.
        if self.state == self.State.ERASED:
            return _("erased subscriber #%(pk)s") % {"pk": self.pk}
        return _("subscriber #%(pk)s") % {"pk": self.pk}

    @property
    def mail_language(self):
        """The language mails to this subscriber are written in."""
        if self.language in (self.Language.EN, self.Language.RU):
            return self.language
        return self.consent_language if self.consent_language in ("en", "ru") else "en"

    @property
    def languages(self):
        return ["en", "ru"] if self.language == self.Language.BOTH else [self.language]

    @property
    def mailable(self):
        return self.state == self.State.CONFIRMED and bool(self.email)


class Issue(models.Model):
    """A newsletter an editor writes: an introduction in each language and chosen publications."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued for sending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    subject = models.CharField(_("subject"), max_length=200)
    subject_ru = models.CharField(_("subject (Russian)"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    body = ProseEditorField(
        _("introduction"),
        blank=True,
        extensions={
            "Bold": True,
            "Italic": True,
            "Heading": {"levels": [2, 3]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
            "History": True,
        },
        sanitize=sanitize_html,
    )
    body_ru = ProseEditorField(
        _("introduction (Russian)"),
        blank=True,
        extensions={
            "Bold": True,
            "Italic": True,
            "Heading": {"levels": [2, 3]},
            "BulletList": True,
            "OrderedList": True,
            "ListItem": True,
            "Blockquote": True,
            "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
            "History": True,
        },
        sanitize=sanitize_html,
    )
    publications = models.ManyToManyField(
        Publication, blank=True, related_name="+", verbose_name=_("publications")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    sent_count = models.PositiveIntegerField(_("sent"), default=0, editable=False)
    failed_count = models.PositiveIntegerField(_("failed"), default=0, editable=False)
    suppressed_count = models.PositiveIntegerField(_("suppressed"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    display_subject = Translated("subject")
    display_body = Translated("body")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        permissions = [("send_issue", _("Can send an issue to every subscriber"))]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        self.body_ru = sanitize_html(self.body_ru)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("newsletter:issue", args=[self.slug])

    @property
    def delivery_key(self):
        return f"issue:{self.pk}"

    def queue(self):
        """Hand the issue to the sender (``manage.py send_newsletter``); True if it was a draft."""
        return bool(
            Issue.objects.filter(pk=self.pk, status=self.Status.DRAFT).update(
                status=self.Status.QUEUED, queued_at=timezone.now()
            )
        )


class Delivery(models.Model):
    """One mail to one subscriber: an issue, a publication or a weekly digest.

    ``key`` names what was sent (``issue:12``, ``publication:345``, ``digest:2026-W47``);
    the unique constraint on (subscriber, key) is what makes a second run send nothing
    twice, even when two runs overlap: the row is claimed before the mail goes out.
    """

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        RETRY = "retry", _("To try again")
        FAILED = "failed", _("Refused")

    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscriber"),
    )
    key = models.CharField(_("what"), max_length=64)
    issue = models.ForeignKey(
        Issue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("newsletter issue"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status)
    claim = models.CharField(_("claimed by run"), max_length=16, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "key"], name="delivery_once_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["key", "status"], name="delivery_key_status")]

    def __str__(self):
        return f"{self.key} → {self.subscriber_id}"


class ConfirmationMail(models.Model):
    """A confirmation (or "already subscribed") mail the site sent: what the hourly caps
    count. Rows older than a day are removed as new ones are written."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="confirmation_mails"
    )
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("confirmation mail")
        verbose_name_plural = _("confirmation mails")
        indexes = [models.Index(fields=["subscriber", "sent_at"], name="confirmation_per_address")]

    def __str__(self):
        return f"{self.subscriber_id} {self.sent_at:%Y-%m-%d %H:%M}"


class SubscribeRequest(models.Model):
    """What one subscribe form asked for, waiting for the task worker. The task that
    carries it names only this row, so the address never sits in the task queue's own
    records; the worker deletes the row once it has acted on it."""

    email = models.EmailField(max_length=254)
    language = models.CharField(max_length=4)
    frequency = models.CharField(max_length=8)
    topics = models.JSONField(default=list)
    consent_language = models.CharField(max_length=8)
    source = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("subscribe request")
        verbose_name_plural = _("subscribe requests")

    def __str__(self):
        return f"#{self.pk}"

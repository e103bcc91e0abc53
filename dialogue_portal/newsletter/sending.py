"""The sender behind ``manage.py send_newsletter``: queued issues, each new publication to
the subscribers who asked for every one, and last week's digest to those who asked for
a weekly one. It runs from cron, never in a web request.

Each mail is claimed first: a Delivery row unique per (subscriber, what), created before
the mail goes out, so a second run, or two runs at once, send nothing twice. Subscribers
are read in batches (keyset pagination); memory stays flat whatever the list's length.

SMTP answers:
- a permanent refusal (5xx) of the address suppresses it at once;
- a temporary one (4xx) leaves the delivery to be tried on the next run, and the third in
  a row suppresses the address;
- a server that is down or drops the connection changes no subscriber: the run stops,
  the deliveries not made are tried again on the next run.
"""

import contextlib
import datetime as dt
import secrets
import smtplib
from dataclasses import dataclass, field

from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, OuterRef, Prefetch, Subquery
from django.utils import timezone

from dialogue_portal.audit.services import Action, record
from dialogue_portal.core.freshness import content_changed
from dialogue_portal.newsletter import mail
from dialogue_portal.newsletter.models import (
    TEMPORARY_FAILURE_LIMIT,
    Delivery,
    Issue,
    Subscriber,
)
from publications.models import Publication, Topic

# "Each new publication" covers what was published in this window and after the
# subscriber confirmed; anything older is never announced on its own.
EACH_LOOKBACK = dt.timedelta(days=7)
BATCH_SIZE = 500


class ServerUnavailable(Exception):
    """The SMTP server cannot be reached or dropped the connection."""


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    suppressed: int = 0
    notes: list = field(default_factory=list)

    def add(self, other):
        self.sent += other.sent
        self.failed += other.failed
        self.suppressed += other.suppressed


def week_before(now):
    """(start, end, label) of the last whole ISO week (Monday to Monday, local time)."""
    local = timezone.localtime(now)
    this_monday = (local - dt.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - dt.timedelta(days=7)
    year, week, _day = start.isocalendar()
    return start, this_monday, f"{year}-W{week:02d}"


def _code_of(error):
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [answer[0] for answer in error.recipients.values()]
        code = codes[0] if codes else None
    return code


def _reason_of(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
        if answers:
            code, text = answers[0]
            text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
            return f"{code} {text}"[:300]
    text = getattr(error, "smtp_error", b"")
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text or error)
    return f"{getattr(error, 'smtp_code', '')} {text}".strip()[:300]


class Sender:
    def __init__(self, *, now=None, batch_size=BATCH_SIZE, using="default", log=None):
        self.now = now or timezone.now()
        self.batch_size = batch_size
        self.using = using
        self.log = log or (lambda text: None)
        self.connection = None
        self.opened = False
        self.run_id = secrets.token_hex(8)  # marks the deliveries this run claims
        self.memo = {}  # publication lists rendered once per language and selection

    # --- the three kinds of mail ------------------------------------------------------

    def run(self):
        """Send everything due. Returns a Tally; raises ServerUnavailable when the SMTP
        server is down (nothing was lost: the next run carries on)."""
        total = Tally()
        self.connection = mailers[self.using]
        try:
            for issue in Issue.objects.filter(
                status__in=[Issue.Status.QUEUED, Issue.Status.SENDING]
            ).order_by("queued_at", "pk"):
                total.add(self.send_issue(issue))
            total.add(self.send_new_publications())
            total.add(self.send_digests())
        finally:
            self._close()
        return total

    def send_issue(self, issue):
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.QUEUED).update(
            status=Issue.Status.SENDING
        )
        publications = list(issue.publications.published().order_by("-published_at"))
        subscribers = Subscriber.objects.confirmed().filter(confirmed_at__lte=issue.queued_at)
        tally = self._send_to(
            subscribers,
            key=issue.delivery_key,
            issue=issue,
            build=lambda subscriber, _chosen: mail.issue(
                subscriber, issue, publications, memo=self.memo
            ),
        )
        # Sent once nobody is owed a retry. (A row left "sending" by a run that crashed
        # mid-mail is not tried again: better one mail missing than one sent twice.)
        if not Delivery.objects.filter(
            key=issue.delivery_key, status=Delivery.Status.RETRY
        ).exists():
            done = Issue.objects.filter(pk=issue.pk).exclude(status=Issue.Status.SENT)
            if done.update(status=Issue.Status.SENT, sent_at=self.now):
                record(
                    Action.SENT_TO_ALL,
                    target=issue,
                    detail=f"sent by the sender: {tally.sent} sent, {tally.failed} failed",
                )
            content_changed()  # the archive lists it now (an update sends no post_save)
        self.log(f"issue {issue.slug}: {tally.sent} sent, {tally.failed} failed")
        return tally

    def send_new_publications(self):
        total = Tally()
        publications = (
            Publication.objects.published()
            .filter(published_at__gt=self.now - EACH_LOOKBACK)
            .defer("body", "search_vector")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk")))
            .order_by("published_at", "pk")
        )
        for publication in publications:
            topic_ids = [topic.pk for topic in publication.topics.all()]
            subscribers = (
                Subscriber.objects.confirmed()
                .filter(
                    frequency=Subscriber.Frequency.EACH,
                    confirmed_at__lte=publication.published_at,
                )
                .reading(publication.language)
                .interested_in(topic_ids)
            )
            tally = self._send_to(
                subscribers,
                key=f"publication:{publication.pk}",
                build=lambda subscriber, _chosen, p=publication: mail.new_publication(
                    subscriber, p, memo=self.memo
                ),
            )
            if tally.sent or tally.failed:
                self.log(f"publication {publication.slug}: {tally.sent} sent")
            total.add(tally)
        return total

    def send_digests(self):
        start, end, label = week_before(self.now)
        publications = list(
            Publication.objects.published()
            .filter(published_at__gte=start, published_at__lt=end)
            .defer("body", "search_vector")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk")))
            .order_by("-published_at", "-pk")
        )
        if not publications:
            self.log(f"digest {label}: nothing was published, nothing to send")
            return Tally()
        for publication in publications:
            publication.topic_ids = {topic.pk for topic in publication.topics.all()}
        subscribers = (
            Subscriber.objects.confirmed()
            .filter(frequency=Subscriber.Frequency.WEEKLY, confirmed_at__lt=end)
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("pk")))
        )

        def matching(subscriber):
            wanted = {topic.pk for topic in subscriber.topics.all()}
            languages = subscriber.languages
            return [
                publication
                for publication in publications
                if publication.language in languages
                and (not wanted or wanted & publication.topic_ids)
            ]

        def build(subscriber, chosen):
            return mail.digest(
                subscriber, chosen, start=start, end=end - dt.timedelta(days=1), memo=self.memo
            )

        tally = self._send_to(subscribers, key=f"digest:{label}", select=matching, build=build)
        self.log(f"digest {label}: {tally.sent} sent, {tally.failed} failed")
        return tally

    # --- one list of subscribers -----------------------------------------------------

    def _send_to(self, subscribers, *, key, build, select=None, issue=None):
        """Mail every subscriber in ``subscribers`` not yet sent ``key``, batch by batch.

        ``select(subscriber)`` says what the subscriber gets (None or empty: nothing, and
        no row); ``build(subscriber, selected)`` makes the message, just before it goes.
        Each batch is claimed in one transaction, then sent one message at a time."""
        tally = Tally()
        retry = Delivery.objects.filter(
            subscriber=OuterRef("pk"), key=key, status=Delivery.Status.RETRY
        ).values("pk")[:1]
        queryset = subscribers.without_delivery(key).annotate(retry_delivery=Subquery(retry))
        for batch in self._batches(queryset):
            chosen = {}
            for subscriber in batch:
                if subscriber.email:
                    selected = select(subscriber) if select else True
                    if selected:
                        chosen[subscriber.pk] = (subscriber, selected)
            if not chosen:
                continue
            if not self.opened:  # connect once, and only when there is something to send
                self._open()
            claimed = self._claim([subscriber for subscriber, _ in chosen.values()], key, issue)
            sent_ids, reset_ids = [], []
            attempted = 0
            try:
                for subscriber_pk, delivery_id in claimed:
                    attempted += 1
                    subscriber, selected = chosen[subscriber_pk]
                    outcome = self._deliver(subscriber, delivery_id, build(subscriber, selected))
                    if outcome == "sent":
                        tally.sent += 1
                        sent_ids.append(delivery_id)
                        if subscriber.temporary_failures:
                            reset_ids.append(subscriber.pk)
                    else:
                        tally.failed += 1
                        tally.suppressed += outcome == "suppressed"
            except BaseException:
                # Stopped midway (server gone, or interrupted): what this run claimed and
                # did not try goes back, to be sent by the next run.
                untried = [delivery_id for _pk, delivery_id in claimed[attempted:]]
                Delivery.objects.filter(pk__in=untried, status=Delivery.Status.SENDING).update(
                    status=Delivery.Status.RETRY, error="not tried: the run stopped"
                )
                raise
            finally:
                self._record_sent(sent_ids, reset_ids, issue)
        return tally

    def _batches(self, queryset):
        """``queryset`` in lists of ``batch_size`` rows in order of pk (keyset pagination:
        each batch is one query, plus its prefetches, and no cursor stays open while the
        sender writes)."""
        last = 0
        while True:
            batch = list(queryset.filter(pk__gt=last).order_by("pk")[: self.batch_size])
            if batch:
                yield batch
            if len(batch) < self.batch_size:
                return
            last = batch[-1].pk

    @transaction.atomic
    def _claim(self, subscribers, key, issue):
        """Claim the deliveries of ``key`` for ``subscribers`` in one transaction: [(subscriber
        id, delivery id)] of the rows this run holds. A row another run created meanwhile
        is left to it (the unique constraint refuses ours)."""
        if not subscribers:
            return []
        retry_ids = [s.retry_delivery for s in subscribers if s.retry_delivery]
        Delivery.objects.bulk_create(
            [
                Delivery(
                    subscriber_id=subscriber.pk,
                    key=key,
                    issue=issue,
                    status=Delivery.Status.SENDING,
                    claim=self.run_id,
                )
                for subscriber in subscribers
                if not subscriber.retry_delivery
            ],
            ignore_conflicts=True,
        )
        if retry_ids:
            Delivery.objects.filter(pk__in=retry_ids, status=Delivery.Status.RETRY).update(
                status=Delivery.Status.SENDING, claim=self.run_id, attempts=F("attempts") + 1
            )
        return list(
            Delivery.objects.filter(
                key=key,
                claim=self.run_id,
                status=Delivery.Status.SENDING,
                subscriber_id__in=[subscriber.pk for subscriber in subscribers],
            )
            .order_by("subscriber_id")
            .values_list("subscriber_id", "pk")
        )

    def _deliver(self, subscriber, delivery_id, message):
        """Send one message; returns "sent", "retry", "failed" or "suppressed"."""
        try:
            sent = self.connection.send_messages([message])
        except smtplib.SMTPSenderRefused as error:
            # The server refuses us, not the address: stop, change no subscriber.
            self._give_back(delivery_id, error)
            raise ServerUnavailable(_reason_of(error)) from error
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            return self._refused(subscriber, delivery_id, error)
        except (smtplib.SMTPException, OSError) as error:
            # Down, timed out, or the connection dropped: try once more on a new one.
            self._give_back(delivery_id, error)
            self._reopen()
            return self._deliver_again(subscriber, delivery_id, message)
        if not sent:
            self._give_back(delivery_id, "not sent")
            return "retry"
        return "sent"

    def _deliver_again(self, subscriber, delivery_id, message):
        claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.RETRY).update(
            status=Delivery.Status.SENDING
        )
        if not claimed:
            return "retry"
        try:
            self.connection.send_messages([message])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            return self._refused(subscriber, delivery_id, error)
        except (smtplib.SMTPException, OSError) as error:
            self._give_back(delivery_id, error)
            raise ServerUnavailable(str(error)) from error
        return "sent"

    def _give_back(self, delivery_id, error):
        """Not sent because of the server: tried again next run, the address not blamed."""
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.RETRY, error=str(error)[:300]
        )

    def _refused(self, subscriber, delivery_id, error):
        code = _code_of(error) or 0
        reason = _reason_of(error)
        if code >= 500:
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.FAILED, error=reason
            )
            self._suppress(subscriber, reason)
            return "suppressed"
        # Temporary: tried again on the next run; the third in a row suppresses.
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.RETRY, error=reason)
        Subscriber.objects.filter(pk=subscriber.pk).update(
            temporary_failures=F("temporary_failures") + 1
        )
        failures = subscriber.temporary_failures + 1
        if failures >= TEMPORARY_FAILURE_LIMIT:
            Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.FAILED)
            self._suppress(subscriber, f"{TEMPORARY_FAILURE_LIMIT} temporary failures: {reason}")
            return "suppressed"
        return "retry"

    def _suppress(self, subscriber, reason):
        Subscriber.objects.filter(pk=subscriber.pk).exclude(state=Subscriber.State.ERASED).update(
            state=Subscriber.State.SUPPRESSED,
            suppressed_at=self.now,
            suppressed_reason=reason[:300],
        )
        # Nothing more for this address, whatever else was waiting for it.
        Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.RETRY).update(
            status=Delivery.Status.FAILED
        )

    def _record_sent(self, sent_ids, reset_ids, issue):
        if sent_ids:
            Delivery.objects.filter(pk__in=sent_ids).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), error=""
            )
        if reset_ids:
            Subscriber.objects.filter(pk__in=reset_ids).update(temporary_failures=0)
        if issue is not None:
            # Progress as it goes: the admin shows these counts while the issue is sending.
            deliveries = Delivery.objects.filter(key=issue.delivery_key)
            Issue.objects.filter(pk=issue.pk).update(
                sent_count=deliveries.filter(status=Delivery.Status.SENT).count(),
                failed_count=deliveries.filter(
                    status__in=[Delivery.Status.FAILED, Delivery.Status.RETRY]
                ).count(),
                suppressed_count=deliveries.filter(
                    status=Delivery.Status.FAILED,
                    subscriber__state=Subscriber.State.SUPPRESSED,
                ).count(),
            )

    # --- the connection ---------------------------------------------------------------

    def _open(self):
        try:
            self.connection.open()
        except (smtplib.SMTPException, OSError) as error:
            raise ServerUnavailable(str(error)) from error
        self.opened = True

    def _reopen(self):
        self._close()
        self._open()

    def _close(self):
        if self.opened:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
        self.opened = False

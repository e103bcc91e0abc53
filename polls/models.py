from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from dialogue_portal.core.translation import Translated


class PollQuerySet(models.QuerySet):
    def public(self):
        """Polls readers may see: those that have opened."""
        return self.filter(is_published=True, opens_at__lte=timezone.now())

    def open_now(self):
        return self.public().filter(Q(closes_at__isnull=True) | Q(closes_at__gt=timezone.now()))

    def featured_on(self, placement):
        return self.open_now().filter(placement__in=[placement, Poll.Placement.EVERYWHERE])

    def featured(self, placement):
        """The poll shown on ``placement`` (the newest open one featured there) with its
        answers, in one query; None when there is none, or when it has no answers yet
        (there is nothing to show or vote for)."""
        if self.model is not Poll or self.query.where:
            raise TypeError("featured() is asked of all polls: Poll.objects.featured(...)")
        newest = Poll.objects.featured_on(placement).order_by(*Poll._meta.ordering)
        answers = list(
            Choice.objects.filter(poll__in=newest.values("pk")[:1]).select_related("poll")
        )
        if not answers:
            return None
        poll = answers[0].poll
        poll.answers = answers
        return poll

    def with_choices(self):
        return self.prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk"))
        )


@dataclass(frozen=True)
class ChoiceResult:
    choice: "Choice"
    votes: int
    percent: int


@dataclass(frozen=True)
class PollResults:
    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)


def largest_remainder_percentages(counts):
    """Whole percentages for ``counts`` that sum to exactly 100 (all zeros when nobody voted).

    Each share is rounded down, then the points still missing go to the largest remainders
    (ties: the earlier answer), so 33, 30, 24, 21 votes give 31, 28, 22, 19.
    """
    total = sum(counts)
    if not total:
        return [0 for _ in counts]
    floors = [count * 100 // total for count in counts]
    remainders = [count * 100 % total for count in counts]
    missing = 100 - sum(floors)
    for index in sorted(range(len(counts)), key=lambda i: (-remainders[i], i))[:missing]:
        floors[index] += 1
    return floors


class Poll(models.Model):
    # What the site's search reads of a poll (textsearch.words_match).
    SEARCH_FIELDS = ("question", "question_ru")

    class ResultsVisibility(models.TextChoices):
        ALWAYS = "always", _("Always")
        AFTER_VOTE = "after-vote", _("After the reader votes")
        AFTER_CLOSE = "after-close", _("After the poll closes")

    class Placement(models.TextChoices):
        NONE = "none", _("Only in the poll archive")
        HOME = "home", _("Home page")
        PUBLICATIONS = "publications", _("Beside publications")
        EVERYWHERE = "everywhere", _("Home page and beside publications")

    question = models.CharField(_("question"), max_length=300)
    question_ru = models.CharField(_("question (Russian)"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    results_visibility = models.CharField(
        _("show results"),
        max_length=16,
        choices=ResultsVisibility,
        default=ResultsVisibility.ALWAYS,
    )
    placement = models.CharField(
        _("featured"), max_length=16, choices=Placement, default=Placement.HOME
    )
    publications = models.ManyToManyField(
        "publications.Publication", blank=True, related_name="polls", verbose_name=_("publications")
    )
    total_votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PollQuerySet.as_manager()

    display_question = Translated("question")
    display_description = Translated("description")

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="poll_closes_after_opening",
                violation_error_message=_("A poll must close after it opens."),
            ),
        ]

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("polls:detail", kwargs={"slug": self.slug})

    @property
    def is_open(self):
        now = timezone.now()
        return self.opens_at <= now and (self.closes_at is None or self.closes_at > now)

    @property
    def is_closed(self):
        return self.closes_at is not None and self.closes_at <= timezone.now()

    def results_visible(self, *, has_voted=False):
        """Whether a reader may see the results: by the poll's rule, and always once closed."""
        if self.results_visibility == self.ResultsVisibility.ALWAYS or self.is_closed:
            return True
        if self.results_visibility == self.ResultsVisibility.AFTER_VOTE:
            return has_voted
        return False

    @property
    def results_public(self):
        """Results everyone may see, so a page shared by all readers may show them."""
        return self.results_visible(has_voted=False)

    @cached_property
    def answers(self):
        """The answers in order (already at hand when the poll came with them)."""
        return list(self.choices.all())

    def results(self):
        """Each answer (in order) with its votes and a percentage; percentages sum to 100."""
        choices = self.answers
        counts = [choice.vote_count for choice in choices]
        percents = largest_remainder_percentages(counts)
        rows = [
            ChoiceResult(choice=choice, votes=votes, percent=percent)
            for choice, votes, percent in zip(choices, counts, percents, strict=True)
        ]
        return PollResults(rows=rows, total=sum(counts))


class Choice(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="choices", verbose_name=_("poll")
    )
    text = models.CharField(_("answer"), max_length=300)
    text_ru = models.CharField(_("answer (Russian)"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    vote_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)

    display_text = Translated("text")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return self.text


class VoteQuerySet(models.QuerySet):
    def counted(self):
        """The votes the totals count: all but those a reviewer voided."""
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class Vote(models.Model):
    """One reader's vote in one poll; the database allows one row per reader per poll.

    ``address_hash`` is a keyed hash of the address the vote came from
    (``clientip.hashed_client_ip``), never the address: enough to see a burst from one
    network, not to tell who voted. A voided vote (a burst a reviewer judged to be
    stuffing) stays stored, with who voided it and when, and no total counts it.
    """

    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="votes", verbose_name=_("poll")
    )
    choice = models.ForeignKey(
        Choice, on_delete=models.CASCADE, related_name="votes", verbose_name=_("answer")
    )
    reader = models.CharField(_("reader"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("cast"), auto_now_add=True, db_index=True)
    address_hash = models.CharField(_("address hash"), max_length=32, blank=True, default="")
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )

    objects = VoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["poll", "reader"], name="vote_one_per_reader"),
        ]
        indexes = [models.Index(fields=["poll", "created_at"], name="vote_poll_time")]
        permissions = [("void_vote", _("Can void bursts of votes"))]

    def __str__(self):
        return f"{self.poll}: {self.choice}"

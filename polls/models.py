from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dialogue_portal.translation import Translated


class PollQuerySet(models.QuerySet):
    def public(self):
        """Polls readers may see: those that have opened."""
        return self.filter(is_published=True, opens_at__lte=timezone.now())

    def open_now(self):
        now = timezone.now()
        return self.public().filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))

    def featured_on(self, placement):
        return self.open_now().filter(placement__in=[placement, Poll.Placement.EVERYWHERE])


class Poll(models.Model):
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
    created_at = models.DateTimeField(auto_now_add=True)

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


class Vote(models.Model):
    """One reader's vote in one poll; the database allows one row per reader per poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="votes")
    reader = models.CharField(_("reader"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["poll", "reader"], name="vote_one_per_reader"),
        ]

    def __str__(self):
        return f"{self.poll}: {self.choice}"

"""What readers did, counted: ratings, their totals for the top-rated order, daily
counts, and the stored facet counts a cold cache starts from."""

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _


def ranked_average(publication=None):
    """The average the top-rated order sorts by (0 for none): of ``publication``'s
    totals, or as an expression over the columns."""
    if publication is not None:
        count = publication.rating_count
        return publication.rating_sum / count if count else 0.0
    return Case(
        When(rating_count=0, then=Value(0.0)),
        default=Cast(F("rating_sum"), models.FloatField())
        / Cast(F("rating_count"), models.FloatField()),
        output_field=models.FloatField(),
    )


class StoredCounts(models.Model):
    """The last unfiltered facet counts of an archive too large to count in a reader's
    request (``publications.facets``), kept so that a new or emptied cache starts from
    them: served as stale while the refresher counts again, instead of every first reader
    counting the whole archive (most of a minute at a million publications)."""

    name = models.CharField(primary_key=True, max_length=32)
    counts = models.JSONField()
    version = models.BigIntegerField()  # the content version they were counted under
    as_of = models.FloatField()  # the clock (epoch seconds) when counting began
    seconds = models.FloatField()  # how long counting took

    class Meta:
        verbose_name = _("stored counts")
        verbose_name_plural = _("stored counts")

    def __str__(self):
        return self.name


class RankingDue(models.Model):
    """A publication rated since the top-rated order last read its totals: the rating
    statement adds it, ``services.sync_ranking`` (``flush_counts``) copies its totals into
    ``ranked_*`` and removes it."""

    publication = models.OneToOneField(
        "Publication", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ranking due")
        verbose_name_plural = _("rankings due")

    def __str__(self):
        return str(self.publication_id)


class RatingQuerySet(models.QuerySet):
    def counted(self):
        """The ratings the totals count: all but those a reviewer voided."""
        return self.filter(voided_at__isnull=True)

    def voided(self):
        return self.filter(voided_at__isnull=False)


class Rating(models.Model):
    """One reader's stars for one publication; the database allows one row per reader.

    ``address_hash`` is a keyed hash of the address it came from, never the address. A
    voided rating (a burst a reviewer judged to be stuffing) stays stored, flagged, and no
    total counts it.
    """

    publication = models.ForeignKey(
        "Publication",
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("publication"),
    )
    reader = models.CharField(_("reader"), max_length=64, help_text=_("user:ID or anon:TOKEN"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
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

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [
            models.Index(fields=["publication", "created_at"], name="rating_publication_time")
        ]
        permissions = [("void_rating", _("Can void bursts of ratings"))]
        constraints = [
            models.UniqueConstraint(fields=["publication", "reader"], name="rating_one_per_reader"),
            models.CheckConstraint(
                condition=Q(stars__gte=1) & Q(stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.publication} – {self.stars}"


class DailyCount(models.Model):
    """What readers did with one publication on one day (in the site's time zone): views
    and downloads as they were flushed, first ratings, and votes in the polls linked to it
    (publications.daily writes them in the transaction that raises the totals)."""

    publication = models.ForeignKey(
        "Publication",
        on_delete=models.CASCADE,
        related_name="daily_counts",
        verbose_name=_("publication"),
        db_index=False,  # the unique constraint's index and another start with it
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0, db_default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0, db_default=0)
    ratings = models.PositiveIntegerField(_("ratings"), default=0, db_default=0)
    votes = models.PositiveIntegerField(_("votes"), default=0, db_default=0)

    class Meta:
        ordering = ["day", "publication"]
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        # No index holds a count: adding to a day's row then changes no indexed column, so
        # PostgreSQL updates it in place (a HOT update, with room left on each page by the
        # table's fillfactor, migration 0013). A busy publication's row takes a rating
        # every few milliseconds; were the counts in an index, each would add index
        # entries for the same key, and the upsert's conflict check would wade through the
        # dead ones until a vacuum. The figures view reads the range's rows from the table.
        constraints = [
            models.UniqueConstraint(fields=["publication", "day"], name="daily_count_one_per_day"),
        ]
        indexes = [models.Index(fields=["day", "publication"], name="daily_count_day")]

    def __str__(self):
        return f"{self.publication_id} {self.day}"

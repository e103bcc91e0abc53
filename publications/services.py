"""Ratings: one per reader per publication, with the stored totals changed alongside each row."""

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogue_portal.core.bursts import burst_key, burst_rows, busiest_minutes, void_rows
from dialogue_portal.core.freshness import content_changed
from dialogue_portal.core.readers import Reader, relaxed_commit
from publications import daily
from publications.models import (
    Publication,
    RankingDue,
    Rating,
    RatingQuerySet,
    ranked_average,
)

MIN_STARS = 1
MAX_STARS = 5


def parse_stars(raw: str | None) -> int:
    """Whole stars from 1 to 5 out of form input, or ValidationError."""
    text = (raw or "").strip()
    if text not in {str(stars) for stars in range(MIN_STARS, MAX_STARS + 1)}:
        raise ValidationError(_("Choose from 1 to 5 stars."), code="invalid_stars")
    return int(text)


class Rated(NamedTuple):
    """What ``rate_publication`` did: the reader's rating, and whether it is their first."""

    rating: Rating
    created: bool


def rate_publication(
    *, publication: Publication, reader: Reader, stars: int, address_hash: str = ""
) -> Rated:
    """Record or change ``reader``'s rating; returns ``(rating, created)``, and leaves
    ``publication``'s stored count and sum as they now are.

    A first rating inserts the row and raises the stored count and sum in one
    transaction. When the reader already has a row (or two requests of one reader race),
    the unique constraint refuses the insert, that transaction rolls back whole, and a
    second one changes the existing row under a lock, moving only the sum. The common
    case is one transaction with no savepoint.
    """
    if not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationError(_("Choose from 1 to 5 stars."), code="invalid_stars")
    totals = Publication.objects.filter(pk=publication.pk)
    if connection.vendor == "postgresql":
        rating = _first_rating_in_one_statement(publication, reader, stars, address_hash)
        if rating is not None:
            return Rated(rating, True)
    try:
        with transaction.atomic():
            relaxed_commit()
            rating = Rating.objects.create(
                publication=publication,
                reader=reader.key,
                user=reader.user,
                stars=stars,
                address_hash=address_hash,
            )
            totals.update(rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars)
            daily.add(publication.pk, "ratings")
            _ranking_due(publication.pk)
        publication.refresh_from_db(fields=["rating_count", "rating_sum"])
        return Rated(rating, True)
    except IntegrityError:
        pass
    with transaction.atomic():
        rating = (
            Rating.objects.select_for_update()
            .filter(publication=publication, reader=reader.key)
            .first()
        )
        if rating is None:  # not a second rating: the insert failed for another reason
            raise IntegrityError("the rating could not be stored")
        change = stars - rating.stars
        if change and rating.voided_at is None:  # a voided rating stays as it was voided
            Rating.objects.filter(pk=rating.pk).update(stars=stars, updated_at=timezone.now())
            totals.update(rating_sum=F("rating_sum") + change)
            _ranking_due(publication.pk)
            rating.stars = stars
    publication.refresh_from_db(fields=["rating_count", "rating_sum"])
    return Rated(rating, False)


def _ranking_due(publication_id: int) -> None:
    RankingDue.objects.bulk_create(
        [RankingDue(publication_id=publication_id)], ignore_conflicts=True
    )


def sync_ranking() -> int:
    """Copy the rating totals of the publications rated since the last call into the
    columns the top-rated order sorts by (``flush_counts``, with cron). Returns how many.

    The due rows are taken and deleted first, then the totals read: a rating committed
    meanwhile is either read here or leaves a new due row for the next call."""
    with transaction.atomic():
        due = list(RankingDue.objects.select_for_update().values_list("publication_id", flat=True))
        if not due:
            return 0
        RankingDue.objects.filter(publication_id__in=due).delete()
        Publication.objects.filter(pk__in=due).update(
            ranked_count=F("rating_count"), ranked_average=ranked_average()
        )
    return len(due)


def _rating_sql() -> str:
    quote = connection.ops.quote_name
    ratings, publications = quote(Rating._meta.db_table), quote(Publication._meta.db_table)
    due = quote(RankingDue._meta.db_table)
    daily_ratings = daily.upsert_sql(
        "ratings", "SELECT %s, %s, 1 WHERE EXISTS (SELECT 1 FROM rating)"
    )
    return f"""
        SET LOCAL synchronous_commit TO OFF;
        WITH rating AS (
            INSERT INTO {ratings}
                (publication_id, reader, user_id, stars, created_at, updated_at, address_hash)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (publication_id, reader) DO NOTHING
            RETURNING id
        ), totals AS (
            UPDATE {publications}
            SET rating_count = rating_count + 1, rating_sum = rating_sum + %s
            WHERE id = %s AND EXISTS (SELECT 1 FROM rating)
            RETURNING rating_count, rating_sum
        ), due AS (
            INSERT INTO {due} (publication_id) SELECT %s WHERE EXISTS (SELECT 1 FROM rating)
            ON CONFLICT DO NOTHING RETURNING 1
        ), day AS ({daily_ratings} RETURNING 1)
        SELECT rating.id, totals.rating_count, totals.rating_sum FROM rating, totals
    """  # noqa: S608 — table names from the models, values as parameters


def _first_rating_in_one_statement(
    publication: Publication, reader: Reader, stars: int, address_hash: str
) -> Rating | None:
    """A reader's first rating on PostgreSQL in one statement (one round trip): the row,
    the stored count and sum and the day's count together, committed without waiting
    for the disk. None when the reader has rated already (the caller changes that row)."""
    now = timezone.now()
    params = [
        *(publication.pk, reader.key, getattr(reader.user, "pk", None), stars, now, now),
        address_hash,
        *(stars, publication.pk),
        publication.pk,
        *(publication.pk, timezone.localdate()),
    ]
    block = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with block, connection.cursor() as cursor:
        cursor.execute(_rating_sql(), params)
        cursor.nextset()
        row = cursor.fetchone()
    if row is None:
        return None
    publication.rating_count, publication.rating_sum = row[1], row[2]
    rating = Rating(
        pk=row[0],
        publication=publication,
        reader=reader.key,
        user=reader.user,
        stars=stars,
        created_at=now,
        updated_at=now,
        address_hash=address_hash,
    )
    rating._state.adding = False
    rating._state.db = connection.alias
    return rating


def reader_rating(*, publication: Publication, reader: Reader | None) -> Rating | None:
    """The reader's rating of ``publication``, or None."""
    if reader is None:
        return None
    return Rating.objects.filter(publication=publication, reader=reader.key).first()


class RatingTotals(NamedTuple):
    """A publication's number of counted ratings and their sum of stars, as correlated
    subqueries."""

    ratings: Coalesce
    stars: Coalesce


def _rating_totals() -> RatingTotals:
    rows = (
        Rating.objects.counted().filter(publication=OuterRef("pk")).order_by().values("publication")
    )
    count = Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)
    total = Coalesce(Subquery(rows.annotate(s=Sum("stars")).values("s")[:1]), 0)
    return RatingTotals(count, total)


def rating_mismatches(publications: QuerySet[Publication] | None = None) -> list[Publication]:
    """Publications whose stored rating count or sum differs from their rating rows."""
    publications = Publication.objects.all() if publications is None else publications
    count, total = _rating_totals()
    return list(
        publications.annotate(actual_count=count, actual_sum=total)
        .exclude(rating_count=F("actual_count"), rating_sum=F("actual_sum"))
        .only("pk", "slug", "rating_count", "rating_sum")
    )


@transaction.atomic
def recount_ratings(publications: QuerySet[Publication] | None = None) -> int:
    """Set the stored totals from the rating rows; returns how many publications it corrected."""
    wrong = rating_mismatches(publications)
    count, total = _rating_totals()
    for publication in wrong:
        Publication.objects.filter(pk=publication.pk).update(rating_count=count, rating_sum=total)
        _ranking_due(publication.pk)
    sync_ranking()  # an editor's correction reorders at once
    return len(wrong)


@transaction.atomic
def delete_ratings(*, ratings: QuerySet[Rating]) -> int:
    """Delete rating rows (an editor removing abuse) and take them out of the totals."""
    publication_ids = set(ratings.values_list("publication_id", flat=True))
    ratings.delete()
    return recount_ratings(Publication.objects.filter(pk__in=publication_ids))


@transaction.atomic
def void_ratings(
    *, ratings: RatingQuerySet, user: AbstractBaseUser | None, now: dt.datetime | None = None
) -> int:
    """Void ``ratings``: they stay stored, flagged with ``user`` and the time, and leave the
    totals. Returns how many it voided.

    The publications' rows are locked first (``dialogue_portal.core.bursts.void_rows``), so a
    rating arriving meanwhile is counted after the recount. The stored count and sum are
    then set from the ratings still counted, the days' figures lose the voided first
    ratings, and the top-rated order is brought up to date.
    """
    voided = void_rows(ratings, target=Publication, user=user, now=now)
    if not voided.target_ids:
        return 0
    count, total = _rating_totals()
    Publication.objects.filter(pk__in=voided.target_ids).update(
        rating_count=count, rating_sum=total
    )
    for publication_id, day, rated in voided.per_day:
        daily.take_away([publication_id], "ratings", rated, day=day)
    for publication_id in voided.target_ids:
        _ranking_due(publication_id)
    sync_ranking()
    content_changed()  # a bulk update sends no post_save
    return voided.count


@dataclass(frozen=True)
class RatingBurst:
    """A minute in which one publication (or one address) took many counted ratings."""

    publication_id: int
    title: str
    start: dt.datetime
    ratings: int
    address_hash: str = ""

    @property
    def key(self) -> str:
        """What the bursts form posts to name this burst (``burst_ratings`` reads it)."""
        return burst_key(self.publication_id, self.start, self.address_hash)


def rating_bursts(
    *, since: dt.datetime, min_ratings: int, by_address: bool, limit: int = 200
) -> list[RatingBurst]:
    """The minutes since ``since`` in which a publication took at least ``min_ratings``
    counted ratings (``by_address``: from one address hash), the biggest first. One query."""
    rows = busiest_minutes(
        Rating.objects.all(),
        target=Publication,
        label="publication__title",
        since=since,
        least=min_ratings,
        by_address=by_address,
        limit=limit,
    )
    return [
        RatingBurst(
            publication_id=row["publication_id"],
            title=row["publication__title"],
            start=row["minute"],
            ratings=row["count"],
            address_hash=row["address_hash"],
        )
        for row in rows
    ]


def burst_ratings(key: str) -> QuerySet[Rating]:
    """The counted ratings of the burst ``key`` names (``RatingBurst.key``)."""
    return burst_rows(Rating.objects.all(), target=Publication, key=key)

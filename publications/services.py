"""Ratings: one per reader per publication, with the stored totals changed alongside each row."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dialogue_portal.readers import relaxed_commit
from publications import daily
from publications.models import Publication, Rating

MIN_STARS = 1
MAX_STARS = 5


def parse_stars(raw):
    """Whole stars from 1 to 5 out of form input, or ValidationError."""
    text = (raw or "").strip()
    if text not in {str(stars) for stars in range(MIN_STARS, MAX_STARS + 1)}:
        raise ValidationError(_("Choose from 1 to 5 stars."), code="invalid_stars")
    return int(text)


def rate_publication(*, publication, reader, stars):
    """Record or change ``reader``'s rating; returns ``(rating, created)``.

    A first rating inserts the row and raises the stored count and sum in one
    transaction. When the reader already has a row (or two requests of one reader race),
    the unique constraint refuses the insert, that transaction rolls back whole, and a
    second one changes the existing row under a lock, moving only the sum. The common
    case is one transaction with no savepoint.
    """
    if not MIN_STARS <= stars <= MAX_STARS:
        raise ValidationError(_("Choose from 1 to 5 stars."), code="invalid_stars")
    totals = Publication.objects.filter(pk=publication.pk)
    try:
        with transaction.atomic():
            relaxed_commit()
            rating = Rating.objects.create(
                publication=publication, reader=reader.key, user=reader.user, stars=stars
            )
            totals.update(rating_count=F("rating_count") + 1, rating_sum=F("rating_sum") + stars)
            daily.add(publication.pk, "ratings")
        return rating, True
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
        if change:
            Rating.objects.filter(pk=rating.pk).update(stars=stars, updated_at=timezone.now())
            totals.update(rating_sum=F("rating_sum") + change)
            rating.stars = stars
    return rating, False


def reader_rating(*, publication, reader):
    """The reader's rating of ``publication``, or None."""
    if reader is None:
        return None
    return Rating.objects.filter(publication=publication, reader=reader.key).first()


def _rating_totals():
    rows = Rating.objects.filter(publication=OuterRef("pk")).order_by().values("publication")
    count = Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)
    total = Coalesce(Subquery(rows.annotate(s=Sum("stars")).values("s")[:1]), 0)
    return count, total


def rating_mismatches(publications=None):
    """Publications whose stored rating count or sum differs from their rating rows."""
    publications = Publication.objects.all() if publications is None else publications
    count, total = _rating_totals()
    return list(
        publications.annotate(actual_count=count, actual_sum=total)
        .exclude(rating_count=F("actual_count"), rating_sum=F("actual_sum"))
        .only("pk", "slug", "rating_count", "rating_sum")
    )


@transaction.atomic
def recount_ratings(publications=None):
    """Set the stored totals from the rating rows; returns how many publications it corrected."""
    wrong = rating_mismatches(publications)
    count, total = _rating_totals()
    for publication in wrong:
        Publication.objects.filter(pk=publication.pk).update(rating_count=count, rating_sum=total)
    return len(wrong)


@transaction.atomic
def delete_ratings(*, ratings):
    """Delete rating rows (an editor removing abuse) and take them out of the totals."""
    publication_ids = set(ratings.values_list("publication_id", flat=True))
    ratings.delete()
    return recount_ratings(Publication.objects.filter(pk__in=publication_ids))

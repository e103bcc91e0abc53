"""Votes: one per reader per poll, with the stored counts changed in the same transaction."""

from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from dialogue_portal.pagecache import bump_content_version
from dialogue_portal.readers import relaxed_commit
from polls.models import Choice, Poll, Vote
from publications import daily


class VoteRejected(Exception):
    """A vote the poll does not accept; ``message`` says why, for the reader."""


class PollClosed(VoteRejected):
    pass


class PollNotOpen(VoteRejected):
    pass


class NotAChoice(VoteRejected):
    pass


def cast_vote(*, poll, choice, reader):
    """Record ``reader``'s vote; returns ``(vote, created)``. A second vote changes nothing.

    The vote row and both counts are written in one transaction. When two requests of
    one reader insert at once, the database's unique constraint stops the second, whose
    transaction rolls back whole; it then returns the first vote. The poll's total is
    raised only while the poll is open, in the same UPDATE that checks it, so a vote
    racing with “Close now” is rolled back instead of counted.
    """
    if choice.poll_id != poll.pk:
        raise NotAChoice
    if poll.is_closed:
        raise PollClosed
    if not poll.is_open:
        raise PollNotOpen
    try:
        with transaction.atomic():
            relaxed_commit()
            vote = Vote.objects.create(
                poll=poll, choice=choice, reader=reader.key, user=reader.user
            )
            counted = (
                Poll.objects.open_now().filter(pk=poll.pk).update(total_votes=F("total_votes") + 1)
            )
            if not counted:
                raise PollClosed  # closed meanwhile: leaving the block rolls the vote back
            Choice.objects.filter(pk=choice.pk).update(vote_count=F("vote_count") + 1)
            count_vote_for_publications(poll)
        return vote, True
    except IntegrityError:
        earlier = Vote.objects.select_related("choice").filter(poll=poll, reader=reader.key).first()
        if earlier is None:  # not a second vote: the insert failed for another reason
            raise
        return earlier, False


def count_vote_for_publications(poll):
    """Add the vote to today's figures of every publication the poll links to (one INSERT …
    SELECT, however many). The poll's own votes per day come from the vote rows."""
    links = Poll.publications.through.objects.filter(poll_id=poll.pk).values("publication_id")
    daily.add_for_each(links, "votes")


def reader_vote(*, poll, reader):
    """The reader's vote in ``poll``, or None."""
    if reader is None:
        return None
    return Vote.objects.filter(poll=poll, reader=reader.key).select_related("choice").first()


@transaction.atomic
def close_polls(*, polls, now):
    """Close the open polls among ``polls`` at ``now``; returns how many closed."""
    closed = polls.filter(opens_at__lt=now).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    count = closed.update(closes_at=now)
    if count:
        transaction.on_commit(bump_content_version)
    return count


def _counted_votes(field):
    """The number of vote rows whose ``field`` is the outer row (a correlated subquery)."""
    rows = Vote.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def vote_count_mismatches(polls=None):
    """Answers and polls whose stored counts differ from their vote rows."""
    polls = Poll.objects.all() if polls is None else polls
    choices = (
        Choice.objects.filter(poll__in=polls)
        .annotate(actual=_counted_votes("choice"))
        .exclude(vote_count=F("actual"))
    )
    poll_rows = polls.annotate(actual=_counted_votes("poll")).exclude(total_votes=F("actual"))
    return list(choices), list(poll_rows)


@transaction.atomic
def recount_votes(polls=None):
    """Set every stored count from the vote rows; returns how many rows it corrected."""
    wrong_choices, wrong_polls = vote_count_mismatches(polls)
    for choice in wrong_choices:
        Choice.objects.filter(pk=choice.pk).update(vote_count=_counted_votes("choice"))
    for poll in wrong_polls:
        Poll.objects.filter(pk=poll.pk).update(total_votes=_counted_votes("poll"))
    return len(wrong_choices) + len(wrong_polls)


@transaction.atomic
def delete_votes(*, votes):
    """Delete vote rows (an editor removing abuse) and take them out of the counts."""
    poll_ids = set(votes.values_list("poll_id", flat=True))
    votes.delete()
    return recount_votes(Poll.objects.filter(pk__in=poll_ids))

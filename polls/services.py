"""Votes: one per reader per poll, with the stored counts changed in the same transaction."""

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from dialogue_portal.core.bursts import burst_key, burst_rows, busiest_minutes, void_rows
from dialogue_portal.core.freshness import content_changed
from dialogue_portal.core.pagecache import forget_recent, recent
from dialogue_portal.core.readers import Reader, relaxed_commit
from polls.models import Choice, Poll, Vote, VoteQuerySet
from publications import daily


class VoteRejected(Exception):
    """A vote the poll does not accept; ``message`` says why, for the reader."""


class PollClosed(VoteRejected):
    pass


class PollNotOpen(VoteRejected):
    pass


class NotAChoice(VoteRejected):
    pass


def featured_poll(placement: str) -> Poll | None:
    """``Poll.objects.featured(placement)``, shared for a few seconds (its counts are that
    old at most: ``pagecache.recent``); a vote makes the next reader fetch it again."""
    return recent(f"featured_poll:{placement}", lambda: Poll.objects.featured(placement))


def forget_featured_polls() -> None:
    forget_recent(*(f"featured_poll:{placement}" for placement in Poll.Placement.values))


def check_votable(*, poll: Poll, choice: Choice | None) -> Choice:
    """Raise the ``VoteRejected`` that ``poll`` has for ``choice``, if any (from the poll as
    loaded; ``cast_vote`` checks again on the row as it is when it writes); returns the
    choice, then known to be one."""
    if choice is None or choice.poll_id != poll.pk:
        raise NotAChoice
    if poll.is_closed:
        raise PollClosed
    if not poll.is_open:
        raise PollNotOpen
    return choice


class CastVote(NamedTuple):
    """What ``cast_vote`` did: the reader's vote, and whether this call recorded it."""

    vote: Vote
    created: bool


def cast_vote(
    *, poll: Poll, choice: Choice | None, reader: Reader, address_hash: str = ""
) -> CastVote:
    """Record ``reader``'s vote; returns ``(vote, created)``. A second vote changes nothing.
    ``address_hash`` is the keyed hash of the client address (``hashed_client_ip``), kept
    with the vote so reviewers can see bursts from one network.

    The vote row and both counts are written in one transaction. When two requests of
    one reader insert at once, the database's unique constraint stops the second, whose
    transaction rolls back whole; it then returns the first vote. The poll's total is
    raised only while the poll is open, in the same UPDATE that checks it, so a vote
    racing with “Close now” is rolled back instead of counted.
    """
    choice = check_votable(poll=poll, choice=choice)
    if connection.vendor == "postgresql":
        return _cast_vote_in_one_statement(poll, choice, reader, address_hash)
    try:
        with transaction.atomic():
            relaxed_commit()
            vote = Vote.objects.create(
                poll=poll,
                choice=choice,
                reader=reader.key,
                user=reader.user,
                address_hash=address_hash,
            )
            counted = (
                Poll.objects.open_now().filter(pk=poll.pk).update(total_votes=F("total_votes") + 1)
            )
            if not counted:
                raise PollClosed  # closed meanwhile: leaving the block rolls the vote back
            Choice.objects.filter(pk=choice.pk).update(vote_count=F("vote_count") + 1)
            count_vote_for_publications(poll)
        return CastVote(vote, True)
    except IntegrityError:
        earlier = Vote.objects.select_related("choice").filter(poll=poll, reader=reader.key).first()
        if earlier is None:  # not a second vote: the insert failed for another reason
            raise
        return CastVote(earlier, False)


def _vote_sql() -> str:
    quote = connection.ops.quote_name
    votes, polls, choices = (quote(m._meta.db_table) for m in (Vote, Poll, Choice))
    links = quote(Poll.publications.through._meta.db_table)
    daily_votes = daily.upsert_sql(
        "votes",
        f"SELECT link.publication_id, %s, 1 FROM {links} link "  # noqa: S608
        "WHERE link.poll_id = %s AND EXISTS (SELECT 1 FROM counted)",
    )
    # The vote, then the poll's total only if the vote went in and the poll is still open
    # (checked again on the row as it is now), the answer's count, the linked
    # publications' day. A vote that went in while the poll closed divides by zero, which
    # undoes the whole statement.
    return f"""
        SET LOCAL synchronous_commit TO OFF;
        WITH vote AS (
            INSERT INTO {votes} (poll_id, choice_id, reader, user_id, created_at, address_hash)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (poll_id, reader) DO NOTHING
            RETURNING id
        ), counted AS (
            UPDATE {polls} SET total_votes = total_votes + 1
            WHERE id = %s AND is_published AND opens_at <= %s
              AND (closes_at IS NULL OR closes_at > %s) AND EXISTS (SELECT 1 FROM vote)
            RETURNING id
        ), answer AS (
            UPDATE {choices} SET vote_count = vote_count + 1
            WHERE id = %s AND EXISTS (SELECT 1 FROM counted)
            RETURNING id
        ), day AS ({daily_votes} RETURNING 1)
        SELECT vote.id, 1 / (SELECT count(*) FROM counted) FROM vote
    """  # noqa: S608 — table names from the models, values as parameters


def _cast_vote_in_one_statement(
    poll: Poll, choice: Choice, reader: Reader, address_hash: str
) -> CastVote:
    """``cast_vote`` on PostgreSQL: one statement, one round trip (a vote storm spends a
    worker's time waiting on round trips). It keeps the ORM path's guarantees: the row
    and every count together or nothing, one vote per reader, never counted in a poll
    that has closed, committed without waiting for the disk."""
    now = timezone.now()
    params = [
        *(poll.pk, choice.pk, reader.key, getattr(reader.user, "pk", None), now, address_hash),
        *(poll.pk, now, now),
        choice.pk,
        *(timezone.localdate(), poll.pk),
    ]
    # Inside a transaction (tests), a savepoint keeps a refused statement from aborting it.
    block = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with block, connection.cursor() as cursor:
            cursor.execute(_vote_sql(), params)
            cursor.nextset()
            row = cursor.fetchone()
    except DataError:
        raise PollClosed from None
    if row is None:  # this reader's vote is in already
        return CastVote(
            Vote.objects.select_related("choice").get(poll=poll, reader=reader.key), False
        )
    vote = Vote(
        pk=row[0],
        poll=poll,
        choice=choice,
        reader=reader.key,
        user=reader.user,
        created_at=now,
        address_hash=address_hash,
    )
    vote._state.adding = False
    vote._state.db = connection.alias
    return CastVote(vote, True)


def count_vote_for_publications(poll: Poll) -> None:
    """Add the vote to today's figures of every publication the poll links to (one INSERT …
    SELECT, however many). The poll's own votes per day come from the vote rows."""
    links = Poll.publications.through.objects.filter(poll_id=poll.pk).values("publication_id")
    daily.add_for_each(links, "votes")


def reader_vote(*, poll: Poll, reader: Reader | None) -> Vote | None:
    """The reader's vote in ``poll``, or None."""
    if reader is None:
        return None
    return Vote.objects.filter(poll=poll, reader=reader.key).select_related("choice").first()


@transaction.atomic
def close_polls(*, polls: QuerySet[Poll], now: dt.datetime) -> int:
    """Close the open polls among ``polls`` at ``now``; returns how many closed."""
    closed = polls.filter(opens_at__lt=now).filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
    count = closed.update(closes_at=now)
    if count:
        content_changed()  # a bulk update sends no post_save
    return count


def _counted_votes(field: str) -> Coalesce:
    """The number of counted (not voided) vote rows whose ``field`` is the outer row (a
    correlated subquery)."""
    rows = Vote.objects.counted().filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def vote_count_mismatches(
    polls: QuerySet[Poll] | None = None,
) -> tuple[list[Choice], list[Poll]]:
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
def recount_votes(polls: QuerySet[Poll] | None = None) -> int:
    """Set every stored count from the vote rows; returns how many rows it corrected."""
    wrong_choices, wrong_polls = vote_count_mismatches(polls)
    for choice in wrong_choices:
        Choice.objects.filter(pk=choice.pk).update(vote_count=_counted_votes("choice"))
    for poll in wrong_polls:
        Poll.objects.filter(pk=poll.pk).update(total_votes=_counted_votes("poll"))
    return len(wrong_choices) + len(wrong_polls)


@transaction.atomic
def delete_votes(*, votes: QuerySet[Vote]) -> int:
    """Delete vote rows (an editor removing abuse) and take them out of the counts."""
    poll_ids = set(votes.values_list("poll_id", flat=True))
    votes.delete()
    return recount_votes(Poll.objects.filter(pk__in=poll_ids))


@dataclass(frozen=True)
class Burst:
    """A minute in which one poll (or one address in it) took many counted votes."""

    poll_id: int
    question: str
    start: dt.datetime
    votes: int
    address_hash: str = ""

    @property
    def key(self) -> str:
        """What the bursts form posts to name this burst (``burst_votes`` reads it)."""
        return burst_key(self.poll_id, self.start, self.address_hash)


def bursts(
    *, since: dt.datetime, min_votes: int, by_address: bool, limit: int = 200
) -> list[Burst]:
    """The minutes since ``since`` in which a poll took at least ``min_votes`` counted votes
    (``by_address``: from one address hash), the biggest first. One query."""
    rows = busiest_minutes(
        Vote.objects.all(),
        target=Poll,
        label="poll__question",
        since=since,
        least=min_votes,
        by_address=by_address,
        limit=limit,
    )
    return [
        Burst(
            poll_id=row["poll_id"],
            question=row["poll__question"],
            start=row["minute"],
            votes=row["count"],
            address_hash=row["address_hash"],
        )
        for row in rows
    ]


def burst_votes(key: str) -> QuerySet[Vote]:
    """The counted votes of the burst ``key`` names (``Burst.key``): its poll's votes in that
    minute, from its address hash when the key has one (NotABurst for junk)."""
    return burst_rows(Vote.objects.all(), target=Poll, key=key)


@transaction.atomic
def void_votes(
    *, votes: VoteQuerySet, user: AbstractBaseUser | None, now: dt.datetime | None = None
) -> int:
    """Void ``votes``: they stay stored, flagged with ``user`` and the time, and leave every
    total. Returns how many it voided.

    The polls' rows are locked first (``dialogue_portal.core.bursts.void_rows``), so a vote arriving
    meanwhile is counted after the recount, not lost in it. The answers' counts and the
    polls' totals are then set from the votes still counted, and the linked publications'
    figures lose the voided votes of their day.
    """
    voided = void_rows(votes, target=Poll, user=user, now=now)
    if not voided.target_ids:
        return 0
    Choice.objects.filter(poll_id__in=voided.target_ids).update(vote_count=_counted_votes("choice"))
    Poll.objects.filter(pk__in=voided.target_ids).update(total_votes=_counted_votes("poll"))
    for poll_id, day, count in voided.per_day:
        links = Poll.publications.through.objects.filter(poll_id=poll_id)
        daily.take_away(links.values("publication_id"), "votes", count, day=day)
    content_changed()  # a bulk update sends no post_save
    transaction.on_commit(forget_featured_polls)
    return voided.count

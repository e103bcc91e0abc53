"""Bursts of anonymous writes: the minutes in which one poll or publication (or one address
in it) took many counted votes or ratings, the rows of such a minute, and voiding them.

The same for votes and ratings, given their rows (a model with ``created_at``,
``address_hash``, ``voided_at``, ``voided_by``, a QuerySet with ``counted()`` and a foreign
key named after the model of what they count) and that model (``Poll``, ``Publication``).
What a vote or a rating then recounts is the caller's (``polls.services.void_votes``,
``publications.services.void_ratings``).
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Model, QuerySet
from django.db.models.functions import TruncDate, TruncMinute
from django.utils import timezone


class Writes(Protocol):
    """Votes or ratings: their QuerySet (``VoteQuerySet``, ``RatingQuerySet``)."""

    @property
    def model(self) -> type[Model]: ...  # read only, so a QuerySet of any model fits

    def counted(self) -> QuerySet: ...


HASH = re.compile(r"[0-9a-f]{0,32}")


class NotABurst(ValueError):
    """A burst key that names no minute of no publication or poll (junk from a form)."""


def burst_key(target_id: int, start: dt.datetime, address_hash: str) -> str:
    """What the bursts form posts to name a burst: ``id:epoch-minute:hash``."""
    return f"{target_id}:{int(start.timestamp())}:{address_hash}"


def burst_window(key: str) -> tuple[int, dt.datetime, str]:
    """``(row id, start, address hash)`` from a burst key ``id:epoch-minute:hash``, or
    NotABurst."""
    try:
        pk, start, address_hash = key.split(":")
        target_id = int(pk)
        minute = dt.datetime.fromtimestamp(int(start), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise NotABurst(key) from None
    if minute.second or minute.microsecond or not HASH.fullmatch(address_hash):
        raise NotABurst(key)
    return target_id, minute, address_hash


def busiest_minutes(
    rows: Writes,
    *,
    target: type[Model],
    label: str,
    since: dt.datetime,
    least: int,
    by_address: bool,
    limit: int,
) -> list[dict]:
    """The minutes since ``since`` in which one ``target`` took at least ``least`` counted
    ``rows`` (``by_address``: from one address hash), the biggest first, as dicts of
    ``poll_id`` (for ``Poll``), ``label`` (such as ``poll__question``), ``minute``, ``count``
    and ``address_hash`` (empty without ``by_address``). One query."""
    column = f"{target._meta.model_name}_id"
    fields = [column, label, "minute", *(["address_hash"] if by_address else [])]
    found = (
        rows.counted()
        .filter(created_at__gte=since)
        .annotate(minute=TruncMinute("created_at"))
        .values(*fields)
        .annotate(count=Count("pk"))
        .filter(count__gte=least)
        .order_by("-count", "-minute", column)[:limit]
    )
    return [{"address_hash": "", **row} for row in found]


def burst_rows(rows: Writes, *, target: type[Model], key: str) -> QuerySet:
    """The counted ``rows`` of the burst ``key`` names: its target's rows in that minute,
    from its address hash when the key has one (NotABurst for junk)."""
    target_id, start, address_hash = burst_window(key)
    found = rows.counted().filter(
        **{f"{target._meta.model_name}_id": target_id},
        created_at__gte=start,
        created_at__lt=start + dt.timedelta(minutes=1),
    )
    return found.filter(address_hash=address_hash) if address_hash else found


@dataclass(frozen=True)
class Voided:
    """What ``void_rows`` flagged: how many rows, of which targets, and how many a day each."""

    count: int
    target_ids: list[int]
    per_day: list[tuple[int, dt.date, int]]  # (target id, day, rows)


def void_rows(
    rows: Writes,
    *,
    target: type[Model],
    user: AbstractBaseUser | None,
    now: dt.datetime | None = None,
) -> Voided:
    """Flag the counted ones among ``rows`` voided, with ``user`` and the time; they stay
    stored. Run inside the transaction that then recounts the targets' totals.

    The targets' rows are locked first, so a write arriving meanwhile waits (its statement
    raises the totals under that lock) and is counted after the recount, not lost in it;
    the rows to void are read again under the lock.
    """
    now = now or timezone.now()
    column = f"{target._meta.model_name}_id"
    target_ids = sorted(set(rows.counted().values_list(column, flat=True)))
    if not target_ids:
        return Voided(0, [], [])
    list(
        target._default_manager.select_for_update()
        .filter(pk__in=target_ids)
        .order_by("pk")
        .values("pk")
    )
    ids = list(rows.counted().values_list("pk", flat=True))
    every = rows.model._default_manager.filter(pk__in=ids)
    per_day = [
        (row[column], row["day"], row["n"])
        for row in every.annotate(day=TruncDate("created_at"))
        .values(column, "day")
        .annotate(n=Count("pk"))
        .order_by()
    ]
    every.update(voided_at=now, voided_by=user)
    return Voided(len(ids), target_ids, per_day)

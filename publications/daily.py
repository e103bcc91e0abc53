"""Counts per publication per day, kept beside the stored totals.

Each event that raises a total (views and downloads as they are flushed from the cache,
a first rating, a vote in a poll linked to the publication) adds to that day's row in the
same transaction. The row is written with one ``INSERT … ON CONFLICT DO UPDATE SET n =
n + excluded.n`` (the same SQL on PostgreSQL and SQLite): the increment happens in the
database like an F() update, and the first count of a day needs no read, no savepoint
and no retry when two requests race to create the row.
"""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from publications.models import DailyCount

FIELDS = ("views", "downloads", "ratings", "votes")


def upsert_sql(field, source_sql):
    table = connection.ops.quote_name(DailyCount._meta.db_table)
    column = connection.ops.quote_name(field)
    return (
        f"INSERT INTO {table} (publication_id, day, {column}) {source_sql} "
        f"ON CONFLICT (publication_id, day) DO UPDATE "
        f"SET {column} = {table}.{column} + excluded.{column}"
    )


def add(publication_id, field, amount=1, day=None):
    """Add ``amount`` to ``field`` of the publication's row for ``day`` (today by default)."""
    if field not in FIELDS:
        raise ValueError(f"not a daily count: {field}")
    if amount <= 0:
        return
    day = day or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(upsert_sql(field, "VALUES (%s, %s, %s)"), [publication_id, day, amount])


def add_for_each(publication_ids, field, amount=1, day=None):
    """Add ``amount`` to ``field`` for every publication in ``publication_ids``, a queryset
    of ``values("publication_id")`` (one statement: e.g. every publication a poll links to)."""
    if field not in FIELDS:
        raise ValueError(f"not a daily count: {field}")
    day = day or timezone.localdate()
    sql, params = publication_ids.query.sql_with_params()
    # The inner SELECT is the ORM's, with its values as parameters. "WHERE true" keeps
    # SQLite from reading ON CONFLICT as the ON of a join.
    source = f"SELECT ids.publication_id, %s, %s FROM ({sql}) ids WHERE true"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(upsert_sql(field, source), [day, amount, *params])


def take_away(publication_ids, field, amount, day):
    """Take ``amount`` from ``field`` of the rows for ``day`` of the publications in
    ``publication_ids`` (ids, or a queryset of ``values("publication_id")``): voided votes
    or ratings. Never below 0: the figures may have begun after the rows were written."""
    if field not in FIELDS:
        raise ValueError(f"not a daily count: {field}")
    DailyCount.objects.filter(publication_id__in=publication_ids, day=day).update(
        **{field: Greatest(F(field) - amount, 0)}
    )

"""PostgreSQL's view of in-place (HOT) updates, for tests of the rows readers' writes touch
most: a row is updated in place only when no index reads a column the update changes."""

from django.db import connection


def indexes_reading(table, columns):
    """Names of ``table``'s indexes that read any of ``columns``: as a key, an INCLUDE
    column, in an expression or in a condition."""
    pattern = "|".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text FROM pg_index i
            WHERE i.indrelid = %s::regclass AND (
                EXISTS (
                    SELECT 1 FROM unnest(i.indkey) AS k
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k
                    WHERE a.attname = ANY(%s))
                OR coalesce(pg_get_expr(i.indexprs, i.indrelid), '') ~ %s
                OR coalesce(pg_get_expr(i.indpred, i.indrelid), '') ~ %s)
            """,
            [table, list(columns), pattern, pattern],
        )
        return [row[0] for row in cursor.fetchall()]


def updates(table):
    """(updates, of which HOT) of ``table`` in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()

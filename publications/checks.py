"""Start-up checks: which full-text search index PostgreSQL serves search with.

Imported by publications.apps, so it imports nothing of the project."""

from django.conf import settings
from django.core.checks import Info, Warning, register
from django.db import DatabaseError, connection

RUM_INDEX = "pub_search_vector_rum"


def rum_index_exists():
    """Whether migration search_rum_index created the RUM index in this database. Asked on the
    driver's own cursor: a catalogue look-up, not one of a page's queries."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [RUM_INDEX])
        return cursor.fetchone() is not None


@register()
def search_index_check(app_configs, **kwargs):
    """publications.I001 when search reads the RUM index; publications.W001 when it falls
    back on GIN (RUM not installed, or SEARCH_INDEX=gin)."""
    if connection.vendor != "postgresql":
        return []
    try:
        rum = settings.SEARCH_INDEX != "gin" and rum_index_exists()
    except DatabaseError:
        return []  # no database yet: nothing to say
    if rum:
        return [
            Info(
                "Full-text search uses the RUM index: matches come in rank order.",
                id="publications.I001",
            )
        ]
    return [
        Warning(
            "Full-text search uses the GIN index: common words rank every match.",
            hint=(
                "Install the RUM extension (Debian: apt-get install postgresql-15-rum) and "
                "migrate publications back to the migration before search_rum_index, then "
                "`manage.py migrate`; or "
                "unset SEARCH_INDEX=gin."
            ),
            id="publications.W001",
        )
    ]

"""SQLite's full-text index of publications: the FTS5 table ``publications_searchtext``
(migration 0014; ``SearchText``), one row per publication, rowid its id, holding the
stemmed, case-folded words (dialogue_portal.core.textsearch) of its title and subtitle, its
authors' names, summary and body. PostgreSQL stores a search vector instead and has no
such table.

``index_for_sqlite`` writes rows (``publications.search.refresh_search_vector`` calls it
wherever PostgreSQL's vector is stored: admin save, desk, demo loaders, archive import;
``generate_content`` for each batch); ``forget_search_text`` deletes a publication's row
with it (a post_delete receiver, connected in apps.py: keeping an index in step is
infrastructure, not domain logic). A row left behind by a delete that sends no signal is
never found, as search joins the table to the publications. Raw SQL, no models: apps.py
and migrations import it."""

from django.db import DEFAULT_DB_ALIAS, connections

from dialogue_portal.core.textsearch import document, html_stems

BATCH = 2000

# Each publication's parts, its authors' names in both languages, read in one query.
SOURCE = """
    SELECT p.id, p.title, p.subtitle, p.summary, p.body,
           (SELECT group_concat(pe.given_name || ' ' || pe.family_name || ' '
                                || pe.given_name_ru || ' ' || pe.family_name_ru, ' ')
            FROM publications_authorship a JOIN people_person pe ON pe.id = a.person_id
            WHERE a.publication_id = p.id)
    FROM publications_publication p
    WHERE {where}
"""


def index_for_sqlite(where="1 = 1", params=(), using=DEFAULT_DB_ALIAS):
    """Write the rows of the publications ``where`` selects (SQL on
    ``publications_publication p``, with ``params``), in batches: one publication after an
    edit, a range after a bulk insert, or all of them (migration 0014). Returns how many
    were written."""
    connection = connections[using]
    written = 0
    with connection.cursor() as reader, connection.cursor() as writer:
        reader.execute(SOURCE.format(where=where), params)
        while batch := reader.fetchmany(BATCH):
            rows = [
                (
                    pk,
                    document(f"{title} {subtitle}"),
                    document(names or ""),
                    document(summary),
                    " ".join(html_stems(body)),
                )
                for pk, title, subtitle, summary, body, names in batch
            ]
            writer.executemany(
                "DELETE FROM publications_searchtext WHERE rowid = %s", [(row[0],) for row in rows]
            )
            writer.executemany(
                "INSERT INTO publications_searchtext (rowid, title, authors, summary, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
            written += len(rows)
    return written


def forget_search_text(sender, instance, using, **kwargs):
    """post_delete of a publication: its row goes too (SQLite; nothing to do elsewhere)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM publications_searchtext WHERE rowid = %s", [instance.pk])

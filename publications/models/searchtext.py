"""SQLite's full-text table of publications (PostgreSQL searches
``Publication.search_vector`` instead)."""

from django.db import models


class FullTextTable(models.TextField):
    """An FTS5 table's hidden column of its own name: what ``MATCH`` and ``bm25()`` take."""


@FullTextTable.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", (*lhs_params, *rhs_params)


class SearchText(models.Model):
    """SQLite only: a publication's words as search finds them, in the FTS5 table that
    migration 0014 creates there (``publications_searchtext``, rowid the publication's id):
    title and subtitle, author names, summary and body, each stemmed and case-folded
    (publications.words). ``publications.search`` keeps it in step with every edit,
    import and delete; PostgreSQL searches ``Publication.search_vector`` instead, and has
    no such table. Never created by Django (unmanaged), nor written through the ORM."""

    publication = models.OneToOneField(
        "Publication",
        on_delete=models.DO_NOTHING,  # the row goes with post_delete (publications.search)
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        related_name="search_text",
    )
    title = models.TextField()
    authors = models.TextField()
    summary = models.TextField()
    body = models.TextField()
    document = FullTextTable(db_column="publications_searchtext")

    class Meta:
        managed = False
        db_table = "publications_searchtext"

    def __str__(self):
        return str(self.publication_id)

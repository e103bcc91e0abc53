"""Search on SQLite: an FTS5 table of each publication's stemmed, case-folded words
(``SearchText``, publications.search), filled for the publications already there.
PostgreSQL keeps its search vector and has no such table: ``SearchText`` is unmanaged,
and the table is created on SQLite only."""

import django.db.models.deletion
from django.db import migrations, models

import publications.models
from publications.fulltext import index_for_sqlite

CREATE = """
    CREATE VIRTUAL TABLE IF NOT EXISTS publications_searchtext
    USING fts5(title, authors, summary, body, tokenize = 'unicode61')
"""


def create_table(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(CREATE)
    index_for_sqlite(using=schema_editor.connection.alias)


def drop_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS publications_searchtext")


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0013_daily_count_hot_updates'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchText',
            fields=[
                ('publication', models.OneToOneField(db_column='rowid', db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='search_text', serialize=False, to='publications.publication')),
                ('title', models.TextField()),
                ('authors', models.TextField()),
                ('summary', models.TextField()),
                ('body', models.TextField()),
                ('document', publications.models.FullTextTable(db_column='publications_searchtext')),
            ],
            options={
                'db_table': 'publications_searchtext',
                'managed': False,
            },
        ),
        migrations.RunPython(create_table, drop_table),
    ]

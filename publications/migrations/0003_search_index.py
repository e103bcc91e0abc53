"""A GIN index on the stored search vector, on PostgreSQL only (SQLite has no such index)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS pub_search_vector_gin "
            "ON publications_publication USING gin (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS pub_search_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("publications", "0002_editors_group")]

    operations = [migrations.RunPython(create_index, drop_index)]

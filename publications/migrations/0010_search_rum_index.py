"""Search in rank order: the RUM extension and a RUM index on the stored search vector,
where PostgreSQL has the extension (Debian: postgresql-15-rum) and this role may create
it. Elsewhere (a managed service without RUM, SQLite) nothing changes: the GIN index of
0003 keeps serving search, and a system check says so (publications.W001)."""

from django.db import DatabaseError, migrations, transaction


def create_rum_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
        if cursor.fetchone() is None:
            return
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: failure keeps GIN
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS pub_search_vector_rum "
                "ON publications_publication USING rum (search_vector rum_tsvector_ops)"
            )
    except DatabaseError:
        pass  # e.g. not allowed to create extensions: search stays on GIN


def drop_rum_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS pub_search_vector_rum")


class Migration(migrations.Migration):
    dependencies = [("publications", "0009_publication_work")]

    operations = [migrations.RunPython(create_rum_index, drop_rum_index)]

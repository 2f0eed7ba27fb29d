"""Trigram indexes for the Users list search, on PostgreSQL only.

Django compiles ``icontains`` to ``UPPER(col::text) LIKE UPPER('%term%')``, so each index is
on ``UPPER(col)`` with ``gin_trgm_ops``; without them a search over a million users is a
sequential scan (~700 ms instead of ~1 ms). SQLite has no such index type: there the migration
does nothing.
"""

from django.db import migrations

SEARCHED_COLUMNS = ("first_name", "surname", "email")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS user_{column}_upper_trgm "
            f'ON accounts_user USING gin (UPPER("{column}") gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS user_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

"""Trigram indexes for the searches of employer groups, positions and organisations (PostgreSQL).

``icontains`` compiles to ``UPPER(col::text) LIKE UPPER('%term%')``; a GIN index on ``UPPER(col)``
with ``gin_trgm_ops`` serves it instead of a scan of every group of a tenant of 100,000. SQLite
has no such index: there this migration does nothing.
"""

from django.db import migrations

INDEXES = {
    "employers_employergroup": ("path",),
    "employers_position": ("title",),
    "employers_organisation": ("name", "town", "postcode", "reference"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, columns in INDEXES.items():
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_{column}_upper_trgm "
                f'ON {table} USING gin (UPPER("{column}") gin_trgm_ops)'
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in INDEXES.items():
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("employers", "0002_employer_profile")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

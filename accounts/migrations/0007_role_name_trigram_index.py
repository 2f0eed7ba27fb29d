"""A trigram index for the role search of Add Employer (PostgreSQL; nothing on SQLite)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS accounts_role_name_upper_trgm "
        'ON accounts_role USING gin (UPPER("name") gin_trgm_ops)'
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS accounts_role_name_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_tenant_invited_idx")]

    operations = [migrations.RunPython(create_index, drop_index)]

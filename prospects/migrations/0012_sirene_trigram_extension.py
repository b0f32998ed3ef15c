"""The trigram extension for the register's name search (PostgreSQL only: SQLite has no such thing and
searches by a plain LIKE). pg_trgm is a trusted extension: the database owner may create it."""

from django.db import migrations


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("prospects", "0011_sirene_register")]

    # Not dropped on the way back: other databases objects may use it.
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop)]

"""Trigram indexes for the prospect list's search (issue #16): `organisation__name__icontains` and
`organisation__town__icontains` are `UPPER(col::text) LIKE UPPER('%…%')`, which no b-tree serves; a GIN
trigram index on the same expression does (PostgreSQL only, pg_trgm from 0012; SQLite keeps its scan).

The columns are the organisation's (programme app), but the search that needs them is this app's list:
the indexes live with it, created and dropped here, by name."""

from django.db import migrations

INDEXES = {
    "prospects_org_name_upper_trgm": "name",
    "prospects_org_town_upper_trgm": "town",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON programme_organisation "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0016_importfile_progress"),
        ("prospects", "0012_sirene_trigram_extension"),
        ("programme", "0010_territories_core"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

"""The prospect list's search now reads the structure's folded name and town (`search_text`, programme 0014:
accents and case aside), with a plain `LIKE '%…%'`: one GIN trigram index on that column serves it on
PostgreSQL, in place of the two on `UPPER(name)` and `UPPER(town)` of 0017, which no query reads any more.
SQLite keeps its scan. As in 0017, the index is this app's (its list's search), on the programme's table."""

from django.db import migrations

NEW = "prospects_org_search_trgm"
OLD = {"prospects_org_name_upper_trgm": "name", "prospects_org_town_upper_trgm": "town"}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in OLD:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEW} ON programme_organisation USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")
    for index, column in OLD.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON programme_organisation "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0019_sirene_name_words_index"),
        ("programme", "0014_search_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

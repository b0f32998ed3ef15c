"""The register's name search by words (issue #21): a full-text GIN index on the words of the name replaces
the trigram index on UPPER(name). Imports build it on each new table (`loader.PG_NAME_WORDS_INDEX`); this
migration gives it to the table already loaded, so the radar does not scan it until the next import, and
drops that table's trigram index, which nothing reads any more (PostgreSQL only: SQLite has neither)."""

from django.db import migrations

TABLE = "prospects_registerunit"
# The expression of prospects.sirene.columns.NAME_WORDS, as of this migration.
WORDS = (
    "to_tsvector('simple'::regconfig, translate(lower(name::text), "
    "'àâäáãåçéèêëíîïìñóôöòõúûüùýÿ', 'aaaaaaceeeeiiiinooooouuuuyy'))"
)


def _indexes(schema_editor, like: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s", [TABLE, like]
        )
        return [name for (name,) in cursor.fetchall()]


def words_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if not _indexes(schema_editor, "%to_tsvector%"):
        schema_editor.execute(f"CREATE INDEX sirene_unit_words ON {TABLE} USING gin (({WORDS}))")
    for name in _indexes(schema_editor, "%gin_trgm_ops%"):
        schema_editor.execute(f'DROP INDEX "{name}"')


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    if not _indexes(schema_editor, "%gin_trgm_ops%"):
        schema_editor.execute(
            f"CREATE INDEX sirene_unit_trgm ON {TABLE} USING gin ((UPPER(name::text)) gin_trgm_ops)"
        )
    for name in _indexes(schema_editor, "%to_tsvector%"):
        schema_editor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):
    dependencies = [("prospects", "0018_application_channel")]

    operations = [migrations.RunPython(words_index, trigram_index)]

"""Data: the starter indicators' texts with typographic apostrophes (’), as evaluation/library.py now writes
them (the starter library was created with straight ones by 0003). Reversible."""

from importlib import import_module

from django.db import migrations

FIELDS = ("name", "unit", "verification", "description")
STARTER_CODES = [row[0] for row in import_module("evaluation.migrations.0003_starter_indicator_library").STARTER]


def _convert(apps, old: str, new: str) -> None:
    Indicator = apps.get_model("evaluation", "Indicator")
    for indicator in Indicator.objects.filter(code__in=STARTER_CODES):
        changed = [name for name in FIELDS if old in (getattr(indicator, name) or "")]
        for name in changed:
            setattr(indicator, name, getattr(indicator, name).replace(old, new))
        if changed:
            indicator.save(update_fields=changed)


def forwards(apps, schema_editor):
    _convert(apps, "'", "\u2019")


def backwards(apps, schema_editor):
    _convert(apps, "\u2019", "'")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0008_typographic_apostrophes_in_labels")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Fill the singular of the starter library's units ("1 emploi", not "1 emplois"); reversible."""

from django.db import migrations

#: plural unit → singular, for the units the starter library and the demo use
SINGULARS = {
    "personnes": "personne",
    "emplois": "emploi",
    "structures": "structure",
    "participations": "participation",
    "participants": "participant",
    "sites": "site",
    "tonnes": "tonne",
    "ateliers": "atelier",
    "partenaires": "partenaire",
    "actions": "action",
    "heures": "heure",
    "jours": "jour",
    "bénévoles": "bénévole",
    "logements": "logement",
    "ménages": "ménage",
    "publications": "publication",
}


def fill(apps, schema_editor):
    Indicator = apps.get_model("evaluation", "Indicator")
    for plural, singular in SINGULARS.items():
        Indicator.objects.filter(unit=plural, unit_singular="").update(unit_singular=singular)


def clear(apps, schema_editor):
    Indicator = apps.get_model("evaluation", "Indicator")
    for plural, singular in SINGULARS.items():
        Indicator.objects.filter(unit=plural, unit_singular=singular).update(unit_singular="")


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_indicator_semantics")]

    operations = [migrations.RunPython(fill, clear)]

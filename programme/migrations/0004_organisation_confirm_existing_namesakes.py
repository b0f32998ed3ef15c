"""Structures already saved with the same normalised name and town were saved on purpose (« Enregistrer
quand même »): all but the oldest of each group are marked as confirmed, so the unique key can be added."""

from django.db import migrations
from django.db.models import Count


def confirm_namesakes(apps, schema_editor):
    Organisation = apps.get_model("programme", "Organisation")
    groups = (
        Organisation.objects.exclude(normalised_name="")
        .values("normalised_name", "normalised_town")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for group in groups:
        namesakes = Organisation.objects.filter(
            normalised_name=group["normalised_name"], normalised_town=group["normalised_town"]
        ).order_by("created_at", "id")
        Organisation.objects.filter(pk__in=[o.pk for o in namesakes[1:]]).update(distinct_confirmed=True)


def forget_confirmations(apps, schema_editor):
    apps.get_model("programme", "Organisation").objects.update(distinct_confirmed=False)


class Migration(migrations.Migration):
    dependencies = [("programme", "0003_organisation_distinct_confirmed")]

    operations = [migrations.RunPython(confirm_namesakes, forget_confirmations)]

"""Data: every former prospect interaction gets its prospect's structure, and its prospect's follow-up
person as the owner of its next action. Reversible: going back empties what 0006 added (the older schema
has no place for an exchange without a prospect, so such exchanges — created after #15 — are removed)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Exchange = apps.get_model("prospects", "Exchange")
    Prospect = apps.get_model("prospects", "Prospect")
    prospects = Prospect.objects.filter(pk=OuterRef("prospect_id"))
    Exchange.objects.filter(organisation__isnull=True).update(
        organisation_id=Subquery(prospects.values("organisation_id")[:1])
    )
    Exchange.objects.filter(owner__isnull=True).exclude(next_action="", next_action_date=None).update(
        owner_id=Subquery(prospects.values("owner_id")[:1])
    )


def empty(apps, schema_editor):
    Exchange = apps.get_model("prospects", "Exchange")
    Exchange.objects.filter(prospect__isnull=True).delete()
    Exchange.objects.update(organisation=None, owner=None)


class Migration(migrations.Migration):
    dependencies = [("prospects", "0006_exchange")]

    operations = [migrations.RunPython(fill, empty)]

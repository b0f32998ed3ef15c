"""Before a structure (as such, or through a person) may hold only one open membership per collective
(0007): one added twice keeps its first membership open; the later copies are closed on the day they
started (or today)."""

from django.db import migrations
from django.utils import timezone


def close_duplicates(apps, schema_editor):
    Membership = apps.get_model("projects", "Membership")
    seen = set()
    for membership in Membership.objects.filter(left_on__isnull=True).order_by(
        "project_id", "organisation_id", "person_id", "joined_on", "pk"
    ):
        key = (membership.project_id, membership.organisation_id, membership.person_id)
        if key in seen:
            membership.left_on = membership.joined_on or timezone.localdate()
            membership.save(update_fields=["left_on"])
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_funding_running_total_indexes")]

    operations = [migrations.RunPython(close_duplicates, migrations.RunPython.noop)]

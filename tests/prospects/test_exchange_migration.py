"""The prospect interactions of before #15 become exchanges without loss, and the migration goes back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("prospects", "0005_typographic_apostrophes_in_labels")
AFTER = ("prospects", "0008_exchange_organisation_required")


def _migrate(target):
    """Move prospects to `target`, the core (programme) staying at its latest state."""
    executor = MigrationExecutor(connection)
    core = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "programme"]
    executor.migrate([target, *core])
    return executor.loader.project_state([target, *core]).apps


@pytest.mark.django_db(transaction=True)
def test_interactions_become_exchanges_of_the_prospects_structure_and_back():
    old = _migrate(BEFORE)
    Programme = old.get_model("programme", "Programme")
    Organisation = old.get_model("programme", "Organisation")
    Prospect = old.get_model("prospects", "Prospect")
    Interaction = old.get_model("prospects", "Interaction")
    User = old.get_model("programme", "User")
    lead = User.objects.create(email="lead@example.org", role="staff")
    programme = Programme.objects.create(name="Programme migré")
    cantine = Organisation.objects.create(name="La Cantine solidaire", kind="association", family="ess")
    prospect = Prospect.objects.create(programme=programme, organisation=cantine, owner=lead)
    Interaction.objects.create(
        prospect=prospect,
        kind="call",
        date=datetime.date(2026, 3, 2),
        summary="Premier appel",
        next_action="Envoyer la plaquette",
        next_action_date=datetime.date(2026, 3, 9),
    )
    Interaction.objects.create(
        prospect=prospect, kind="meeting", date=datetime.date(2026, 3, 12), summary="RDV"
    )

    new = _migrate(AFTER)
    Exchange = new.get_model("prospects", "Exchange")
    rows = list(
        Exchange.objects.order_by("date").values("organisation_id", "prospect_id", "summary", "owner_id")
    )
    assert rows == [
        {
            "organisation_id": cantine.pk,
            "prospect_id": prospect.pk,
            "summary": "Premier appel",
            "owner_id": lead.pk,
        },
        {"organisation_id": cantine.pk, "prospect_id": prospect.pk, "summary": "RDV", "owner_id": None},
    ]
    assert Exchange.objects.get(summary="Premier appel").next_action == "Envoyer la plaquette"

    back = _migrate(BEFORE)
    Interaction = back.get_model("prospects", "Interaction")
    assert sorted(Interaction.objects.values_list("summary", flat=True)) == ["Premier appel", "RDV"]
    assert Interaction.objects.get(summary="Premier appel").next_action_date == datetime.date(2026, 3, 9)

    # Leave the database at the latest state for the tests that follow.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

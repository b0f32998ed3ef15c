"""The areas, structures and contacts of before the accent-blind search get their search text from the migration
that adds it, so that a search typed without accents finds them too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("programme", "0013_organisation_name_town_indexes")
AFTER = ("programme", "0014_search_text")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_existing_structures_and_contacts_are_found_without_accents_after_the_migration():
    old = _migrate(BEFORE)
    Organisation = old.get_model("programme", "Organisation")
    Person = old.get_model("programme", "Person")
    cafe = Organisation.objects.create(name="Café Associatif Gérland", town="Lyon", kind="association")
    Person.objects.create(first_name="Éloïse", last_name="Lefèvre", email="eloise@cafe.fr", organisation=cafe)
    Area = old.get_model("programme", "Area")
    Area.objects.create(kind="commune", code="42218", name="Saint-Étienne")

    new = _migrate(AFTER)
    Organisation = new.get_model("programme", "Organisation")
    Person = new.get_model("programme", "Person")
    assert Organisation.objects.get(search_text__contains="cafe associatif gerland").pk == cafe.pk
    assert Person.objects.filter(search_text__contains="eloise lefevre").count() == 1
    assert Person.objects.filter(search_text__contains="eloise@cafe.fr").count() == 1
    assert new.get_model("programme", "Area").objects.get(search_text="saint etienne").code == "42218"

import pytest
from django.urls import reverse

from programme.models import AuditEntry, Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

VALID = {"name": "Les Jardins Partagés", "kind": "association", "town": "Lyon", "siren": "732 829 320"}


def test_staff_creates_an_organisation_and_it_is_audited(staff_client, world):
    response = staff_client.post(reverse("programme:organisation.create"), VALID)
    organisation = Organisation.objects.get(name="Les Jardins Partagés")
    assert response.status_code == 302
    assert response["Location"] == organisation.get_absolute_url()
    assert organisation.siren == "732829320"  # stored as digits only
    assert organisation.family == "ess"
    entry = AuditEntry.objects.get(action="organisation.created")
    assert entry.actor == world.staff
    page = staff_client.get(organisation.get_absolute_url())
    assert "Création" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "732829321", "clé de contrôle incorrecte"),
        ("siren", "1234", "exactement 9 chiffres"),
        ("siret", "73282932000075", "clé de contrôle incorrecte"),
        ("rna", "691234567", "W suivi de 9 chiffres"),
        ("name", "", "Ce champ est obligatoire"),
    ],
)
def test_bad_identifiers_are_refused_in_french_and_nothing_is_saved(
    staff_client, world, field, value, message
):
    count = Organisation.objects.count()
    response = staff_client.post(reverse("programme:organisation.create"), {**VALID, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.count() == count
    # What was typed is kept in the form.
    assert 'value="Lyon"' in response.content.decode()


def test_siret_must_belong_to_the_siren(staff_client, world):
    response = staff_client.post(
        reverse("programme:organisation.create"), {**VALID, "siret": "55210055400013"}
    )
    assert "doit commencer par le SIREN" in response.content.decode()


def test_same_siren_is_refused_with_a_link_to_the_existing_record(staff_client, world):
    existing = OrganisationFactory(name="Déjà là", siren="732829320")
    response = staff_client.post(reverse("programme:organisation.create"), {**VALID, "name": "Autre nom"})
    body = response.content.decode()
    assert "porte déjà ce SIREN" in body
    assert existing.get_absolute_url() in body
    assert Organisation.objects.filter(siren="732829320").count() == 1


def test_same_name_and_town_is_flagged_and_needs_confirmation(staff_client, world):
    existing = OrganisationFactory(name="Les Jardins Partagés", town="Lyon")
    data = {**VALID, "name": "LES JARDINS PARTAGES", "siren": ""}
    response = staff_client.post(reverse("programme:organisation.create"), data)
    body = response.content.decode()
    assert "existe déjà dans cette commune" in body
    assert existing.get_absolute_url() in body
    assert Organisation.objects.filter(normalised_name="les jardins partages").count() == 1
    response = staff_client.post(
        reverse("programme:organisation.create"), {**data, "confirm_duplicate": "on"}
    )
    assert response.status_code == 302
    assert Organisation.objects.filter(normalised_name="les jardins partages").count() == 2


def test_edit_records_changed_fields(staff_client, world):
    org = world.org_a
    response = staff_client.post(
        reverse("programme:organisation.edit", args=[org.pk]),
        {"name": org.name, "kind": "scop", "town": "Villeurbanne"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="organisation.updated", object_id=str(org.pk))
    assert entry.changes["kind"] == ["association", "scop"]
    assert entry.changes["town"] == ["Lyon", "Villeurbanne"]


def test_list_filters_and_search(staff_client, world):
    OrganisationFactory(name="Coopérative Lumière", kind="scic", town="Vénissieux")
    response = staff_client.get(reverse("programme:organisation.list"), {"q": "lumi"})
    body = response.content.decode()
    assert "Coopérative Lumière" in body and "Structure A" not in body
    assert "1 structure" in body
    # Accents and case aside, in the name or the town: what a team member types on a phone.
    for typed in ("cooperative lumiere", "LUMIÈRE", "venissieux", "Vénissieux"):
        body = staff_client.get(reverse("programme:organisation.list"), {"q": typed}).content.decode()
        assert "Coopérative Lumière" in body and "1 structure" in body, typed
    response = staff_client.get(reverse("programme:organisation.list"), {"kind": "scic"})
    assert "Coopérative Lumière" in response.content.decode()
    # The active filter is shown and removable.
    assert "Retirer le filtre" in response.content.decode()


def test_list_htmx_request_gets_only_the_table(staff_client, world):
    response = staff_client.get(reverse("programme:organisation.list"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_list_query_count_is_constant(staff_client, world, django_assert_num_queries):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            staff_client.get(reverse("programme:organisation.list"))
        return len(ctx.captured_queries)

    OrganisationFactory.create_batch(10)
    first = count_queries()
    OrganisationFactory.create_batch(20)
    assert count_queries() == first
    # session, user, count, page of organisations (territory joined), filter choices (territory, theme)
    with django_assert_num_queries(first):
        staff_client.get(reverse("programme:organisation.list"))


def test_identifiers_are_printed_the_french_way(staff_client, world):
    org = OrganisationFactory(name="Coop", siren="732829320", siret="73282932000074")
    body = staff_client.get(org.get_absolute_url()).content.decode()
    assert "732 829 320" in body and "732 829 320 00074" in body

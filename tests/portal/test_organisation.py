"""The partner's own structure, contacts, preferences and personal data."""

import json

from django.urls import reverse

from programme.models import AuditEntry, Person
from tests.factories import PersonFactory


def test_partner_edits_public_details_and_the_team_sees_it_in_the_audit_trail(
    world, partner_a_client, staff_client
):
    org = world.org_a
    response = partner_a_client.post(
        reverse("portal:organisation.edit"),
        {
            "address": "3 place des Tanneurs",
            "postcode": "69100",
            "town": "Villeurbanne",
            "website": "https://epicerie.example",
            "description": "Épicerie en SCIC",
            # Not a partner's to change: ignored.
            "name": "Renommée",
            "siren": "732829320",
            "kind": "company",
            "esus": "on",
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.town, org.website, org.description) == (
        "Villeurbanne",
        "https://epicerie.example",
        "Épicerie en SCIC",
    )
    assert (org.name, org.siren, org.kind, org.esus) == ("Structure A", "", "association", False)
    entry = AuditEntry.objects.get(action="organisation.updated", object_id=str(org.pk))
    assert entry.actor == world.partner_a
    assert entry.changes["town"] == ["Lyon", "Villeurbanne"]
    staff_page = staff_client.get(reverse("programme:organisation.detail", args=[org.pk])).content.decode()
    assert "Modification" in staff_page and str(world.partner_a) in staff_page


def test_bad_organisation_details_are_refused_and_nothing_saved(world, partner_a_client):
    response = partner_a_client.post(
        reverse("portal:organisation.edit"), {"website": "pas une adresse", "town": "Bron"}
    )
    assert response.status_code == 400
    assert 'id="id_website_error"' in response.content.decode()
    world.org_a.refresh_from_db()
    assert world.org_a.town == "Lyon"


def test_partner_adds_and_edits_contacts_of_their_own_structure_only(world, partner_a_client):
    response = partner_a_client.post(
        reverse("portal:contact.create"),
        {
            "first_name": "Zoé",
            "last_name": "Martin",
            "email": "zoe@a.fr",
            "job_title": "Coordinatrice",
            "organisation": world.org_b.pk,
            "consent_basis": "consent",
        },
    )
    assert response.status_code == 302
    zoe = Person.objects.get(email="zoe@a.fr")
    assert zoe.organisation == world.org_a
    assert zoe.consent_basis == "contract" and zoe.consent_date is not None

    partner_a_client.post(
        reverse("portal:contact.edit", args=[zoe.pk]),
        {
            "first_name": "Zoé",
            "last_name": "Martin-Roux",
            "email": "zoe@a.fr",
            "organisation": world.org_b.pk,
        },
    )
    zoe.refresh_from_db()
    assert zoe.last_name == "Martin-Roux" and zoe.organisation == world.org_a

    other = PersonFactory(organisation=world.org_b, last_name="Secret")
    url = reverse("portal:contact.edit", args=[other.pk])
    assert partner_a_client.get(url).status_code == 404
    assert partner_a_client.post(url, {"first_name": "X", "last_name": "Y"}).status_code == 404
    other.refresh_from_db()
    assert other.last_name == "Secret"
    page = partner_a_client.get(reverse("portal:organisation")).content.decode()
    assert "Martin-Roux" in page and "Secret" not in page and "Bruno" not in page


def test_contact_without_a_name_is_refused(world, partner_a_client):
    before = Person.objects.count()
    response = partner_a_client.post(reverse("portal:contact.create"), {"email": "x@a.fr"})
    assert response.status_code == 400
    assert 'id="id_last_name_error"' in response.content.decode()
    assert Person.objects.count() == before


def test_organisation_page_links_preferences_and_data_export(world, partner_a_client):
    page = partner_a_client.get(reverse("portal:organisation")).content.decode()
    assert reverse("programme:preferences") in page and reverse("portal:my_data") in page


def test_partner_exports_their_own_personal_data(sides, partner_a_client, world):
    response = partner_a_client.get(reverse("portal:my_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["compte"]["e-mail"] == world.partner_a.email
    assert data["contact"]["nom"] == "Alpha"
    assert [a["action"] for a in data["actions"]] == [sides["A"].action.title]
    assert any(e["action"] == "measurement.created" for e in data["journal"])
    assert "SECRET-B" not in response.content.decode() and "Bravo" not in response.content.decode()

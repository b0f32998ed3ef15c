import json

import pytest
from django.urls import reverse

from programme.models import AuditEntry, Person

pytestmark = pytest.mark.django_db


def test_create_contact_requires_a_legal_basis_when_an_email_is_kept(staff_client, world):
    data = {
        "first_name": "Lina",
        "last_name": "Roux",
        "email": "lina@exemple.fr",
        "organisation": world.org_a.pk,
    }
    response = staff_client.post(reverse("programme:person.create"), data)
    assert "base légale" in response.content.decode()
    assert not Person.objects.filter(email="lina@exemple.fr").exists()
    response = staff_client.post(reverse("programme:person.create"), {**data, "consent_basis": "consent"})
    assert response.status_code == 302
    assert Person.objects.filter(email="lina@exemple.fr").exists()


def test_bad_email_and_date_are_refused(staff_client, world):
    data = {"first_name": "Lina", "last_name": "Roux", "email": "pas-un-email", "consent_date": "31/02/2026"}
    response = staff_client.post(reverse("programme:person.create"), data)
    body = response.content.decode()
    assert "Saisissez une adresse de courriel valide" in body
    assert "Saisissez une date valide" in body
    assert not Person.objects.filter(last_name="Roux").exists()


def test_export_gives_the_contacts_data(staff_client, world):
    response = staff_client.get(reverse("programme:person.export", args=[world.person_a.pk]))
    data = json.loads(response.content)
    assert data["e-mail"] == world.person_a.email
    assert data["structure"] == "Structure A"


def test_anonymise_erases_personal_data_and_keeps_no_trace_of_it(staff_client, world):
    person = world.person_a
    email = person.email
    staff_client.post(
        reverse("programme:person.edit", args=[person.pk]),
        {
            "first_name": "Alice",
            "last_name": "Alpha",
            "email": "new@exemple.fr",
            "consent_basis": "consent",
        },
    )
    response = staff_client.post(reverse("programme:person.anonymise", args=[person.pk]))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "" and person.first_name == "Contact" and person.anonymised_at
    # Nor can the erased name or address still be found by a search.
    assert "alpha" not in person.search_text and "exemple" not in person.search_text
    listed = staff_client.get(reverse("programme:person.list"), {"q": "alpha"}).content.decode()
    assert "0 contact" in listed
    # The partner account linked to that contact is closed too.
    world.partner_a.refresh_from_db()
    assert not world.partner_a.is_active
    trail = json.dumps(list(AuditEntry.objects.values("changes", "object_repr")))
    assert email not in trail and "new@exemple.fr" not in trail and "Alpha" not in trail


def test_the_contacts_search_reads_names_and_emails_accents_and_case_aside(staff_client, world):
    from tests.factories import PersonFactory

    PersonFactory(
        first_name="Éloïse", last_name="Lefèvre", email="eloise@coop-velo.fr", organisation=world.org_a
    )
    for typed in ("lefevre", "LEFÈVRE", "eloise lefevre", "coop-velo"):
        listed = staff_client.get(reverse("programme:person.list"), {"q": typed}).content.decode()
        assert "Lefèvre" in listed and "1 contact" in listed and "Alpha" not in listed, typed


def test_anonymise_takes_the_contact_out_of_other_records_history(staff_client, world):
    """An event's registration names its contact in the event's history (« contact : Julien Lefèvre »):
    after anonymisation that entry says what happened, not to whom."""
    from prospects.events.services import registration_register
    from tests.prospects.events.factories import OpenEventFactory

    person = world.person_a
    person.first_name, person.last_name = "Julien", "Lefèvre"
    person.save()
    event = OpenEventFactory(programme=world.programme, name="Rencontre régionale")
    registration_register(actor=world.staff, event=event, person=person)
    named = AuditEntry.objects.get(action="event.registered")
    assert named.changes == {"contact": [None, "Julien Lefèvre"]}

    staff_client.post(reverse("programme:person.anonymise", args=[person.pk]))

    named.refresh_from_db()
    assert named.changes == {"contact": [None, "[anonymisé]"]} and named.object_repr == "Rencontre régionale"
    trail = json.dumps(list(AuditEntry.objects.values("changes", "object_repr")), ensure_ascii=False)
    assert "Lefèvre" not in trail and "Julien" not in trail

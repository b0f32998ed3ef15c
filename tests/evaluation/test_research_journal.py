"""The action-research journal (#22, item 3): a versioned framework of conditions and sub-conditions the team
defines (a new version copies the previous one; observations keep the version they were coded against),
observations coding conditions as présente / émergente / absente with a justification, sources attached."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.research.models import Coding, Condition, FrameworkVersion, Observation, ObservationSource
from tests.evaluation.research_helpers import framework, observe, pilot_territory
from tests.projects.factories import pdf_file

pytestmark = pytest.mark.django_db


def _coding_data(territory, conditions: dict, **extra) -> dict:
    data = {
        "territory": territory.pk,
        "observed_on": "2026-04-02",
        "text": "Le COPIL s’est ouvert aux habitants.",
    }
    for condition, (status, why) in conditions.items():
        data[f"status_{condition.pk}"] = status
        data[f"justification_{condition.pk}"] = why
    return {**data, **extra}


def test_staff_records_an_observation_coded_against_two_conditions(world, staff_client):
    version, governance, _seats, mobilisation = framework(world)
    territory = pilot_territory(world)
    url = reverse("evaluation:research.observation.create")
    page = staff_client.get(url).content.decode()
    assert "Gouvernance partagée" in page and "Mobilisation des habitants" in page
    data = _coding_data(
        territory,
        {
            governance: ("present", "Trois habitants siègent au COPIL."),
            mobilisation: ("emerging", "Une réunion a réuni 40 personnes."),
        },
        source_label="Compte rendu du COPIL",
        source_file=pdf_file("cr-copil.pdf"),
    )
    response = staff_client.post(url, data)
    observation = Observation.objects.get()
    assert response.status_code == 302 and response["Location"] == observation.get_absolute_url()
    assert observation.version == version and observation.author == world.staff
    assert {(c.condition.name, c.status) for c in observation.codings.all()} == {
        ("Gouvernance partagée", "present"),
        ("Mobilisation des habitants", "emerging"),
    }
    source = ObservationSource.objects.get()
    assert source.original_name == "cr-copil.pdf" and source.content_type == "application/pdf"
    detail = staff_client.get(observation.get_absolute_url()).content.decode()
    assert "Trois habitants siègent au COPIL." in detail and "Présente" in detail and "Émergente" in detail
    download = staff_client.get(reverse("evaluation:research.source.download", args=[source.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    journal = staff_client.get(
        reverse("evaluation:research.journal"), {"territory": territory.pk}
    ).content.decode()
    assert "Le COPIL s’est ouvert aux habitants." in journal


@pytest.mark.parametrize(
    ("codings", "message"),
    [
        ({}, "Codez au moins une condition"),
        ({"governance": ("present", "")}, "Justifiez ce codage."),
        ({"governance": ("", "Une raison sans constat")}, "Choisissez présente, émergente ou absente."),
        ({"governance": ("peut-être", "Une raison")}, "Sélectionnez un choix valide"),
    ],
)
def test_a_coding_without_status_or_justification_is_refused(world, staff_client, codings, message):
    _version, governance, _seats, _mobilisation = framework(world)
    territory = pilot_territory(world)
    data = _coding_data(territory, {governance: v for k, v in codings.items()})
    response = staff_client.post(reverse("evaluation:research.observation.create"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Observation.objects.exists()


def test_a_source_file_of_the_wrong_type_is_refused(world, staff_client):
    _version, governance, _seats, _mobilisation = framework(world)
    data = _coding_data(
        pilot_territory(world),
        {governance: ("absent", "Aucun habitant")},
        source_label="Script",
        source_file=SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /\n"),
    )
    response = staff_client.post(reverse("evaluation:research.observation.create"), data)
    assert response.status_code == 200 and "Type de fichier non accepté" in response.content.decode()
    assert not Observation.objects.exists() and not ObservationSource.objects.exists()


def test_a_new_version_copies_the_framework_and_old_observations_keep_theirs(world, staff_client):
    v1, governance, seats, _mobilisation = framework(world)
    territory = pilot_territory(world)
    old = observe(world, territory, v1, (governance, "absent"))
    response = staff_client.post(
        reverse("evaluation:research.version.create"), {"note": "Ajout de la coopération"}
    )
    assert response.status_code == 302
    v2 = FrameworkVersion.objects.get(number=2)
    copies = {c.name: c for c in v2.conditions.all()}
    assert set(copies) == {
        "Gouvernance partagée",
        "Place des habitants au COPIL",
        "Mobilisation des habitants",
    }
    assert copies["Place des habitants au COPIL"].parent == copies["Gouvernance partagée"]
    assert copies["Gouvernance partagée"].key == governance.key  # followed across versions
    # v1 no longer changes; v2 does.
    edit_old = staff_client.post(
        reverse("evaluation:research.condition.edit", args=[seats.pk]), {"name": "Autre nom", "position": 2}
    )
    assert "n’est plus la version en cours" in edit_old.content.decode()
    staff_client.post(
        reverse("evaluation:research.condition.create"),
        {"name": "Coopération entre structures", "position": 4, "description": ""},
    )
    assert v2.conditions.filter(name="Coopération entre structures").exists()
    assert not v1.conditions.filter(name="Coopération entre structures").exists()
    old.refresh_from_db()
    assert old.version == v1 and old.codings.get().condition == governance
    # New observations are coded against v2.
    page = staff_client.get(reverse("evaluation:research.observation.create")).content.decode()
    assert "Coopération entre structures" in page and "v2" in page


def test_an_observation_cannot_be_coded_against_an_old_version(world):
    from django.core.exceptions import ValidationError

    from evaluation.research import services

    v1, governance, _seats, _mobilisation = framework(world)
    services.framework_version_create(actor=world.staff, programme=world.programme)
    with pytest.raises(ValidationError, match="a changé entre-temps"):
        observe(world, pilot_territory(world), v1, (governance, "present"))
    assert not Coding.objects.exists()


def test_the_same_condition_name_twice_is_refused(world, staff_client):
    framework(world)
    response = staff_client.post(
        reverse("evaluation:research.condition.create"), {"name": "gouvernance partagée", "position": 9}
    )
    assert "porte déjà ce nom" in response.content.decode()
    assert Condition.objects.filter(name__iexact="gouvernance partagée").count() == 1


def test_partners_never_see_the_journal(world, partner_a_client):
    version, governance, _s, _m = framework(world)
    observation = observe(
        world, pilot_territory(world), version, (governance, "present"), on=date(2026, 1, 5)
    )
    assert partner_a_client.get(reverse("evaluation:research.journal")).status_code == 404
    assert partner_a_client.get(observation.get_absolute_url()).status_code == 404

"""The evaluation part of the gate dossier (a partial the gate dossier page loads by URL): indicator values
so far and the collective's maturity."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Dimension
from projects.models import PhasePeriod
from tests.conftest import client_for
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, assess, even_scores, record

pytestmark = pytest.mark.django_db


def test_dossier_shows_indicator_values_and_maturity(world):
    pi = ProjectIndicatorFactory(
        project=world.project_a, indicator=IndicatorFactory(name="Repas solidaires servis"), baseline_value=10
    )
    record(world.staff, pi, value=30)
    assess(world.staff, world.project_a, even_scores(2))
    body = (
        client_for(world.director)
        .get(reverse("evaluation:gate_dossier.section", args=[world.project_a.pk]))
        .content.decode()
    )
    assert "Indicateurs à ce jour" in body and "Repas solidaires servis" in body
    assert "Maturité coopérative du collectif" in body
    assert str(Dimension(Dimension.values[0]).label) in body
    # The validated value (entered by staff) is shown against the baseline.
    assert "30" in body


def test_dossier_evaluation_part_is_empty_but_says_so(world):
    body = (
        client_for(world.director)
        .get(reverse("evaluation:gate_dossier.section", args=[world.project_b.pk]))
        .content.decode()
    )
    assert "Aucun indicateur dans le protocole de ce projet." in body
    assert "Aucune auto-évaluation de maturité coopérative" in body


def test_staff_opens_the_self_assessment_to_the_partners_from_the_protocol(world):
    from evaluation.models import MaturityAssessment

    world.project_a.phase = "emergence"
    world.project_a.save()
    staff = client_for(world.staff)
    page = staff.get(reverse("evaluation:protocol", args=[world.project_a.pk])).content.decode()
    open_url = reverse("portal:maturity.open", args=[world.project_a.pk])
    assert f'action="{open_url}"' in page
    staff.post(open_url, {"moment": "start"})
    assert MaturityAssessment.objects.filter(
        project=world.project_a, phase="emergence", moment="start"
    ).exists()


def _in_emergence_since(project, days):
    start = timezone.localdate() - timedelta(days=days)
    project.phase = "emergence"
    project.save(update_fields=["phase"])
    return PhasePeriod.objects.create(
        project=project, phase="emergence", planned_start=start, actual_start=start
    )


def _section(world, project):
    url = reverse("evaluation:gate_dossier.section", args=[project.pk])
    return html.unescape(client_for(world.director).get(url).content.decode())


def test_dossier_warns_while_the_end_of_phase_assessment_is_missing(world):
    _in_emergence_since(world.project_a, 200)
    warning = "L’auto-évaluation de fin de phase « Émergence » n’est pas renseignée"
    assert warning in _section(world, world.project_a)

    assess(world.staff, world.project_a, even_scores(3), moment="end", assessed_on=timezone.localdate())
    assert warning not in _section(world, world.project_a)


def test_a_waived_end_of_phase_assessment_no_longer_warns(world, staff_client):
    _in_emergence_since(world.project_a, 200)
    response = staff_client.post(
        reverse("evaluation:maturity.waive", args=[world.project_a.pk]),
        {"phase": "emergence", "moment": "end", "reason": "Le collectif ne s'est pas réuni avant le comité."},
    )
    assert response.status_code == 302
    assert "n’est pas renseignée" not in _section(world, world.project_a)
    protocol = staff_client.get(reverse("evaluation:protocol", args=[world.project_a.pk])).content.decode()
    assert "Dispensée" in protocol and "Le collectif ne s'est pas réuni avant le comité." in html.unescape(
        protocol
    )

"""Findings and recommendations: the team writes them, links the project's evidence (never another
project's), shares them; the collective reads what is shared and adds its reading from the portal."""

import html

import pytest
from django.urls import reverse

from evaluation.judgement import services
from evaluation.judgement.models import CollectiveReading, CriterionLevel, Evidence, Finding, Recommendation
from tests.conftest import client_for
from tests.evaluation import judgement_helpers as h
from tests.projects.factories import DeliverableFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_staff_writes_a_finding_with_a_level_per_criterion(world):
    question, criterion, _pi, _m = h.protocol(world)
    url = reverse("evaluation:judgement.finding", args=[question.pk])
    response = client_for(world.staff).post(
        url,
        {
            "answer": h.ANSWER,
            f"level_{criterion.pk}": "met",
            f"justification_{criterion.pk}": "Trois quartiers.",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(question=question)
    assert finding.answer == h.ANSWER and not finding.shared_with_collective
    assert CriterionLevel.objects.get(criterion=criterion).level == "met"
    page = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.findings", args=[world.project_a.pk]))
    )
    assert h.ANSWER in page and "Atteint" in page and "Réservé à l’équipe" in page


def test_a_level_without_justification_is_refused_and_nothing_saved(world):
    question, criterion, _pi, _m = h.protocol(world)
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.finding", args=[question.pk]),
        {"answer": h.ANSWER, f"level_{criterion.pk}": "met", f"justification_{criterion.pk}": ""},
    )
    assert response.status_code == 200
    assert "Justifiez le niveau retenu pour ce critère." in _body(response)
    assert not Finding.objects.exists()


def test_an_empty_answer_is_refused(world):
    question, _c, _pi, _m = h.protocol(world)
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.finding", args=[question.pk]), {"answer": "   "}
    )
    assert response.status_code == 200 and not Finding.objects.exists()


def test_evidence_of_the_project_is_linked(world):
    finding = h.finding(world)
    deliverable = DeliverableFactory(project=world.project_a, title="Bilan des ateliers")
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.evidence.add", args=[finding.question_id]),
        {"source": f"deliverable:{deliverable.pk}"},
    )
    assert response.status_code == 302
    assert Evidence.objects.filter(finding=finding, deliverable=deliverable).exists()
    page = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.finding", args=[finding.question_id]))
    )
    assert "Bilan des ateliers" in page and h.INDICATOR in page


def test_an_observation_is_linked(world):
    finding = h.finding(world)
    client_for(world.staff).post(
        reverse("evaluation:judgement.evidence.add", args=[finding.question_id]),
        {"source": "observation", "observation": "Vu à la cantine le 3 mars."},
    )
    assert Evidence.objects.filter(finding=finding, observation="Vu à la cantine le 3 mars.").exists()


@pytest.mark.parametrize("kind", ["measurement", "deliverable"])
def test_evidence_from_another_project_is_refused_with_a_clear_message(world, kind):
    finding = h.finding(world)
    if kind == "measurement":
        _q, _c, _pi, other = h.protocol(world, world.project_b)
    else:
        other = DeliverableFactory(project=world.project_b)
    before = Evidence.objects.count()
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.evidence.add", args=[finding.question_id]),
        {"source": f"{kind}:{other.pk}"},
    )
    assert response.status_code == 200
    assert "appartient à un autre projet" in _body(response)
    assert Evidence.objects.count() == before


def test_an_observation_without_text_is_refused(world):
    finding = h.finding(world)
    response = client_for(world.staff).post(
        reverse("evaluation:judgement.evidence.add", args=[finding.question_id]), {"source": "observation"}
    )
    assert "Écrivez l’observation." in _body(response)
    assert finding.evidence.count() == 1


def test_findings_are_team_only_until_shared_then_the_collective_adds_its_reading(world):
    finding = h.finding(world)
    portal = reverse("portal:judgement.findings", args=[world.project_a.pk])
    partner = client_for(world.partner_a)
    assert h.ANSWER not in _body(partner.get(portal))
    assert (
        partner.post(reverse("portal:judgement.reading", args=[finding.pk]), {"text": "Oui"}).status_code
        == 404
    )

    client_for(world.staff).post(
        reverse("evaluation:judgement.finding.share", args=[finding.pk]), {"shared": "1"}
    )
    page = _body(partner.get(portal))
    assert h.ANSWER in page and "Partiellement atteint" in page
    response = partner.post(
        reverse("portal:judgement.reading", args=[finding.pk]), {"text": "Le collectif confirme."}
    )
    assert response.status_code == 302
    reading = CollectiveReading.objects.get(finding=finding)
    assert reading.organisation == world.org_a
    staff_page = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.findings", args=[world.project_a.pk]))
    )
    assert "Le collectif confirme." in staff_page
    # Partner B sees nothing of project A.
    assert client_for(world.partner_b).get(portal).status_code == 404
    assert (
        client_for(world.partner_b)
        .post(reverse("portal:judgement.reading", args=[finding.pk]), {"text": "x"})
        .status_code
        == 404
    )


def test_an_empty_reading_is_refused(world):
    finding = h.finding(world)
    services.finding_share(actor=world.staff, finding=finding, shared=True)
    client_for(world.partner_a).post(reverse("portal:judgement.reading", args=[finding.pk]), {"text": " "})
    assert not CollectiveReading.objects.exists()


def test_a_recommendation_per_phase_is_written_then_rewritten(world):
    url = reverse("evaluation:judgement.recommendation", args=[world.project_a.pk])
    staff = client_for(world.staff)
    data = {"phase": "emergence", "verdict": "continue", "argument": "Le collectif est prêt."}
    assert staff.post(url, data).status_code == 302
    assert staff.post(url, {**data, "verdict": "evolve"}).status_code == 302
    recommendation = Recommendation.objects.get(project=world.project_a)
    assert recommendation.verdict == "evolve" and not recommendation.shared_with_collective
    page = _body(staff.get(reverse("evaluation:judgement.findings", args=[world.project_a.pk])))
    assert "Émergence\u202f: Faire évoluer" in page
    assert "Faire évoluer" not in _body(
        client_for(world.partner_a).get(reverse("portal:judgement.findings", args=[world.project_a.pk]))
    )


def test_a_recommendation_without_argument_or_unknown_verdict_is_refused(world):
    url = reverse("evaluation:judgement.recommendation", args=[world.project_a.pk])
    staff = client_for(world.staff)
    assert staff.post(url, {"phase": "emergence", "verdict": "continue", "argument": ""}).status_code == 200
    assert staff.post(url, {"phase": "emergence", "verdict": "maybe", "argument": "x"}).status_code == 200
    assert staff.post(url, {"phase": "stopped", "verdict": "stop", "argument": "x"}).status_code == 200
    assert not Recommendation.objects.exists()


def test_the_findings_page_lists_every_question_in_a_constant_number_of_queries(
    world, django_assert_num_queries
):
    h.finding(world)
    url = reverse("evaluation:judgement.findings", args=[world.project_a.pk])
    staff = client_for(world.staff)
    staff.get(url)
    # 1 session, 2 user, 3 project with its open phase period on its row (project_for); 4 kits;
    # 5 questions, 6 their criteria, 7 the criteria's levels, 8 findings, 9 their evidence, 10 the
    # collective's readings (prefetched); 11 recommendations; 12 dossiers; 13 any finding?, 14 an
    # « Essaimer » recommendation? (kit_refusal); 15 deployment sites with their kit.
    with django_assert_num_queries(15):
        staff.get(url)
    for n in range(5):
        h.finding(world, answer=f"Réponse {n}")  # five more questions, each with its finding and evidence
    with django_assert_num_queries(15):
        staff.get(url)

"""The frozen gate dossier: prepared in the background from live data, attached to the decision as it
was (PDF, SHA-256, snapshot); later data changes never change what the decision page shows; a decision
without a dossier needs a reason; a stale dossier is allowed and said; the PDF holds nothing team-only
beyond the team's judgement, and a partner reads it only once shared."""

import hashlib
import html
from datetime import date

import pytest
from django.urls import reverse

from evaluation.judgement import selectors, services
from evaluation.judgement.models import DecisionDossier
from projects.models import GateDecision, Stakeholder
from tests.conftest import client_for
from tests.evaluation import judgement_helpers as h
from tests.evaluation.factories import LessonFactory, record
from tests.projects.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_preparing_renders_the_pdf_with_its_fingerprint_and_figures(
    world, django_capture_on_commit_callbacks
):
    h.finding(world)
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    assert dossier.status == "done"
    with dossier.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == dossier.sha256
    assert dossier.snapshot["indicators"][0]["value"] == "30"
    assert dossier.snapshot["findings"][0]["answer"] == h.ANSWER
    text = h.pdf_text(dossier.file)
    assert h.INDICATOR in text and "Partiellement atteint" in text
    page = _body(client_for(world.staff).get(reverse("evaluation:judgement.dossier", args=[dossier.pk])))
    assert dossier.sha256 in page and h.ANSWER in page


def test_preparing_twice_while_rendering_gives_one_dossier(world):
    first = services.dossier_prepare(actor=world.staff, project=world.project_a)
    second = services.dossier_prepare(actor=world.staff, project=world.project_a)
    assert first.pk == second.pk


def test_the_decision_keeps_what_the_committee_saw_whatever_changes_later(
    world, django_capture_on_commit_callbacks
):
    _q, _c, pi, _m = h.protocol(world)
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    sha = dossier.sha256
    with dossier.file.open("rb") as handle:
        pdf = handle.read()
    response = h.decide(world, world.project_a, dossier=str(dossier.pk))
    assert response.status_code == 302, _body(response)
    decision = GateDecision.objects.get(project=world.project_a)
    seen = DecisionDossier.objects.get(decision=decision)
    assert seen.dossier == dossier and not seen.stale

    record(world.staff, pi, start=date(2026, 4, 1), end=date(2026, 6, 30), value=50)  # 30 → 80
    page = _body(
        client_for(world.director).get(reverse("evaluation:judgement.decision_seen", args=[decision.pk]))
    )
    assert "Ce que le comité a vu" in page and sha in page
    assert ">30<" in page.replace(" ", "") and ">80<" not in page.replace(" ", "")
    dossier.refresh_from_db()
    assert dossier.sha256 == sha
    with dossier.file.open("rb") as handle:
        assert handle.read() == pdf
    assert selectors.dossier_is_stale(user=world.staff, dossier=dossier)
    panel = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.decision_panel", args=[world.project_a.pk]))
    )
    assert "dossier joint" in panel


def test_a_decision_without_dossier_needs_a_reason(world):
    before = GateDecision.objects.count()
    response = h.decide(world, world.project_a, dossier="")
    assert response.status_code == 200
    assert "Aucun dossier n’est joint" in _body(response)
    assert GateDecision.objects.count() == before
    world.project_a.refresh_from_db()
    assert world.project_a.phase == "selection"

    response = h.decide(
        world, world.project_a, dossier="", no_dossier_reason="Comité exceptionnel convoqué en urgence."
    )
    assert response.status_code == 302
    seen = DecisionDossier.objects.get(decision__project=world.project_a)
    assert seen.dossier is None and seen.reason.startswith("Comité exceptionnel")
    page = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.decision_seen", args=[seen.decision_id]))
    )
    assert "Décision prise sans dossier préparé" in page


def test_a_dossier_of_another_project_is_refused(world, django_capture_on_commit_callbacks):
    other = h.dossier(world, django_capture_on_commit_callbacks, project=world.project_b)
    response = h.decide(world, world.project_a, dossier=str(other.pk))
    assert response.status_code == 200
    assert not GateDecision.objects.filter(project=world.project_a).exists()


def test_a_stale_dossier_is_allowed_and_said(world, django_capture_on_commit_callbacks):
    _q, _c, pi, _m = h.protocol(world)
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    record(world.staff, pi, start=date(2026, 4, 1), end=date(2026, 6, 30), value=50)
    panel = _body(
        client_for(world.director).get(
            reverse("evaluation:judgement.decision_panel", args=[world.project_a.pk])
        )
    )
    assert "Les données ont changé depuis la préparation du dossier" in panel
    assert h.decide(world, world.project_a, dossier=str(dossier.pk)).status_code == 302
    seen = DecisionDossier.objects.get(decision__project=world.project_a)
    assert seen.stale
    page = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.decision_seen", args=[seen.decision_id]))
    )
    assert "n’était plus à jour" in page


def test_the_decision_page_loads_the_committee_panel_and_offers_the_dossier(
    world, django_capture_on_commit_callbacks
):
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    page = _body(client_for(world.director).get(reverse("projects:gate.dossier", args=[world.project_a.pk])))
    assert reverse("evaluation:judgement.decision_panel", args=[world.project_a.pk]) in page
    assert f'value="{dossier.pk}"' in page and "Motif d’une décision sans dossier" in page


def test_nothing_team_only_reaches_the_dossier_pdf(world, django_capture_on_commit_callbacks):
    h.finding(world)
    h.finding(world, world.project_b, answer="Réponse secrète du projet B")
    LessonFactory(programme=world.programme, title="Enseignement non partagé").projects.add(world.project_a)
    WorkshopFactory(
        project=world.project_a,
        title="Atelier interne confidentiel",
        shared_with_collective=False,
        minutes="Compte-rendu interne",
    )
    WorkshopFactory(project=world.project_a, title="Atelier ouvert", minutes="Compte-rendu confidentiel")
    Stakeholder.objects.create(project=world.project_a, name="Élu réticent", notes="Note interne sur l’élu")
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    text = " ".join(h.pdf_text(dossier.file).split())
    assert h.ANSWER_IN_PDF in text and "Atelier ouvert" in text and "1 atelier interne à l’équipe" in text
    for secret in (
        "Réponse secrète du projet B",
        "Projet B",
        "Enseignement non partagé",
        "Atelier interne confidentiel",
        "Compte-rendu",
        "Note interne",
        "Élu réticent",
    ):
        assert secret not in text, secret


def test_a_partner_reads_the_dossier_of_their_project_only_once_shared(
    world, django_capture_on_commit_callbacks
):
    dossier = h.dossier(world, django_capture_on_commit_callbacks)
    url = reverse("evaluation:judgement.dossier.download", args=[dossier.pk])
    portal = reverse("portal:judgement.findings", args=[world.project_a.pk])
    assert client_for(world.partner_a).get(url).status_code == 404
    assert url not in _body(client_for(world.partner_a).get(portal))
    client_for(world.staff).post(
        reverse("evaluation:judgement.dossier.share", args=[dossier.pk]), {"shared": "1"}
    )
    assert client_for(world.partner_a).get(url).status_code == 200
    assert url in _body(client_for(world.partner_a).get(portal))
    assert client_for(world.partner_b).get(url).status_code == 404


def test_a_dossier_cannot_be_shared_before_it_is_ready(world):
    dossier = services.dossier_prepare(actor=world.staff, project=world.project_a)
    client_for(world.staff).post(
        reverse("evaluation:judgement.dossier.share", args=[dossier.pk]), {"shared": "1"}
    )
    dossier.refresh_from_db()
    assert not dossier.shared_with_collective


def test_programmatic_decisions_need_no_dossier(world):
    """Demo data and scripts call project_move without the form: the hook leaves them alone."""
    from django.utils import timezone

    from projects import services as project_services

    project_services.project_move(
        actor=world.director,
        project=world.project_a,
        to_phase="emergence",
        outcome="continue",
        decided_on=timezone.localdate(),
        rationale="Script",
        committee="Comité",
    )
    assert not DecisionDossier.objects.exists()

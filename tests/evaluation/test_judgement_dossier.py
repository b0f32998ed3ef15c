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


def test_a_dossier_whose_render_was_abandoned_gives_way_to_a_new_one(world):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation.judgement.models import GateDossier

    stuck = services.dossier_prepare(actor=world.staff, project=world.project_a)
    GateDossier.objects.filter(pk=stuck.pk).update(
        status="running", started_at=timezone.now() - timedelta(hours=1)
    )
    fresh = services.dossier_prepare(actor=world.staff, project=world.project_a)
    stuck.refresh_from_db()
    assert fresh.pk != stuck.pk and stuck.status == "failed" and "interrompu" in stuck.error


def test_asking_again_for_a_queued_dossier_hands_it_to_the_queue_again(
    world, django_capture_on_commit_callbacks
):
    queued = services.dossier_prepare(actor=world.staff, project=world.project_a)  # its message is lost
    with django_capture_on_commit_callbacks(execute=True):
        again = services.dossier_prepare(actor=world.staff, project=world.project_a)
    again.refresh_from_db()
    assert again.pk == queued.pk and again.status == "done"


def test_the_sweeper_fails_renders_left_running_and_hands_over_lost_ones(world, monkeypatch):
    """A worker killed mid-render leaves a dossier or a kit « running »: the beat's sweeper (on the
    reports' rules) shows it failed, and its page offers to prepare it again; one whose message was lost
    is handed to the queue again; a render within its time limit is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from evaluation.judgement import tasks
    from evaluation.judgement.models import EssaimageKit, GateDossier
    from evaluation.reports.services import REQUEUE_AFTER, STALE_AFTER
    from programme.celery import app

    assert "evaluation.judgement.tasks.requeue_stuck_renders" in {
        entry["task"] for entry in app.conf.beat_schedule.values()
    }
    long_ago = timezone.now() - STALE_AFTER - timedelta(minutes=1)
    killed = GateDossier.objects.create(
        project=world.project_a,
        phase="selection",
        as_of=date(2026, 3, 1),
        status="running",
        started_at=long_ago,
    )
    working = GateDossier.objects.create(
        project=world.project_b,
        phase="selection",
        as_of=date(2026, 3, 1),
        status="running",
        started_at=timezone.now(),
    )
    killed_kit = EssaimageKit.objects.create(
        project=world.project_a, version=1, status="running", started_at=long_ago
    )
    lost_kit = EssaimageKit.objects.create(project=world.project_a, version=2)
    EssaimageKit.objects.filter(pk=lost_kit.pk).update(
        created_at=timezone.now() - REQUEUE_AFTER - timedelta(minutes=1)
    )
    sent: list[int] = []
    monkeypatch.setattr(tasks.render_kit, "delay", lambda pk: sent.append(pk))
    tasks.requeue_stuck_renders()
    assert sent == [lost_kit.pk]
    for obj, status in (
        (killed, "failed"),
        (working, "running"),
        (killed_kit, "failed"),
        (lost_kit, "queued"),
    ):
        obj.refresh_from_db()
        assert obj.status == status, obj
    assert "interrompu" in killed.error and "interrompu" in killed_kit.error
    page = _body(client_for(world.staff).get(reverse("evaluation:judgement.dossier", args=[killed.pk])))
    assert "interrompu" in page and "Préparer à nouveau" in page
    findings = _body(
        client_for(world.staff).get(reverse("evaluation:judgement.findings", args=[world.project_a.pk]))
    )
    assert "interrompu" in findings  # the failed kit says why, beside « Générer le kit »


def test_the_page_of_a_dossier_left_running_offers_to_prepare_it_again_before_the_sweep(world):
    from datetime import timedelta

    from django.utils import timezone

    from evaluation.judgement.models import GateDossier
    from evaluation.reports.services import STALE_AFTER

    killed = GateDossier.objects.create(
        project=world.project_a,
        phase="selection",
        as_of=date(2026, 3, 1),
        status="running",
        started_at=timezone.now() - STALE_AFTER - timedelta(seconds=5),
    )
    page = _body(client_for(world.staff).get(reverse("evaluation:judgement.dossier", args=[killed.pk])))
    assert "Préparer à nouveau" in page and "Dossier en préparation" not in page


def test_the_dossier_shows_the_budget_secured_for_the_next_phase(world, django_capture_on_commit_callbacks):
    """At the end of Émergence: what is secured, requested and still to find for Expérimentation, from
    `money_by_project(phase=…)` — the project's money for the whole project or another phase apart."""
    from projects.funding.models import RequestStatus
    from tests.projects.funding import factories as money

    project = h.in_phase(world.project_a, "emergence")
    money.budget_line(world.staff, project, phase="experimentation", amount="60000")
    money.budget_line(world.staff, project, phase="emergence", amount="5000")
    money.request(
        world.staff,
        project,
        title="Région",
        amount="40000",
        status=RequestStatus.GRANTED,
        phase="experimentation",
    )
    money.request(world.staff, project, title="Fondation", amount="7000", phase="experimentation")
    money.request(world.staff, project, title="Tout le projet", amount="9000", status=RequestStatus.GRANTED)
    dossier = h.dossier(world, django_capture_on_commit_callbacks, project)
    from programme.formatting import fr_amount

    assert dossier.snapshot["money_next"] == {
        "phase_label": "Expérimentation",
        "need": fr_amount(60000),
        "secured": fr_amount(40000),
        "requested": fr_amount(7000),
        "to_find": fr_amount(13000),
    }
    assert dossier.snapshot["money"]["secured"] == fr_amount(49000)  # the whole project's
    text = " ".join(h.pdf_text(dossier.file).split())
    assert "Budget de la phase suivante" in text and "Acquis pour cette phase" in text
    # A project with no money record: no money block at all.
    other = h.dossier(world, django_capture_on_commit_callbacks, world.project_b)
    assert other.snapshot["money"] is None and other.snapshot["money_next"] is None

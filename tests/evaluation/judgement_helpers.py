"""Builders shared by the judgement tests (findings, dossiers, kits) and their access cases."""

from datetime import date

from evaluation.judgement import services
from evaluation.judgement.models import Finding, GateDossier
from tests.evaluation.factories import (
    CriterionFactory,
    IndicatorFactory,
    ProjectIndicatorFactory,
    QuestionFactory,
    record,
)

QUESTION = "Le collectif a-t-il élargi son public\u202f?"
CRITERION = "Nouveaux publics touchés"
ANSWER = "Oui\u202f: trois quartiers nouveaux fréquentent la cantine."
#: The answer as a PDF's extracted text reads (narrow spaces come back as other spaces).
ANSWER_IN_PDF = "trois quartiers nouveaux fréquentent la cantine."
INDICATOR = "Repas solidaires servis"


def protocol(world, project=None):
    """A question with one criterion and one indicator measured once (30 meals, validated)."""
    project = project or world.project_a
    question = QuestionFactory(project=project, text=QUESTION)
    criterion = CriterionFactory(question=question, text=CRITERION)
    pi = ProjectIndicatorFactory(
        project=project,
        indicator=IndicatorFactory(name=INDICATOR),
        baseline_value=10,
        target_value=100,
        criterion=criterion,
    )
    measurement = record(world.staff, pi, value=30)
    return question, criterion, pi, measurement


def finding(world, project=None, *, answer: str = ANSWER) -> Finding:
    question, criterion, _pi, measurement = protocol(world, project)
    found = services.finding_save(
        actor=world.staff,
        question=question,
        answer=answer,
        levels={criterion.pk: ("partly", "Deux quartiers sur trois.")},
    )
    services.evidence_add(actor=world.staff, finding=found, kind="measurement", record_id=measurement.pk)
    return found


def dossier(world, capture, project=None) -> GateDossier:
    """A finished dossier: ordered, then rendered by the task run after the commit (inline in tests)."""
    project = project or world.project_a
    with capture(execute=True):
        prepared = services.dossier_prepare(actor=world.staff, project=project)
    prepared.refresh_from_db()
    return prepared


def pdf_text(field) -> str:
    import io

    from pypdf import PdfReader

    with field.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def decide(world, project, **data):
    """The director's decision through the decision form (Sélection → Émergence by default)."""
    from django.urls import reverse
    from django.utils import timezone

    from tests.conftest import client_for

    project.refresh_from_db()
    payload = {
        "outcome": "continue",
        "decided_on": timezone.localdate().isoformat(),
        "committee": "Comité d’engagement",
        "rationale": "Résultats probants.",
        "expected_version": project.phase_version,
        **data,
    }
    return client_for(world.director).post(reverse("projects:gate.decide", args=[project.pk]), payload)


def in_phase(project, phase="emergence", since=date(2026, 1, 1)):
    from projects.models import PhasePeriod

    project.phase = phase
    project.save(update_fields=["phase"])
    PhasePeriod.objects.create(project=project, phase=phase, planned_start=since, actual_start=since)
    return project


def judgement_side(world, staff, project, o: dict, m: str) -> dict:
    """The isolation test's share of a collective's world (tests/portal/helpers.build_side): a finding
    shared with the collective and its evidence, a shared finished dossier attached to a decision, a
    shared finished kit. Everything marked `m`."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from evaluation.judgement.models import DecisionDossier, EssaimageKit
    from projects.models import GateDecision

    found = services.finding_save(actor=staff, question=o["question"], answer=f"Constat {m}", levels={})
    services.finding_share(actor=staff, finding=found, shared=True)
    evidence = services.evidence_add(
        actor=staff, finding=found, kind="observation", observation=f"Observation {m}"
    )
    dossier = GateDossier.objects.create(
        project=project,
        phase=project.phase,
        as_of=timezone.localdate(),
        status="done",
        sha256="0" * 64,
        snapshot={"project": {"title": f"Dossier {m}"}},
        shared_with_collective=True,
        requested_by=staff,
    )
    dossier.file.save("dossier.pdf", ContentFile(b"%PDF-1.4\n% dossier\n"), save=True)
    decision = GateDecision.objects.create(
        project=project,
        from_phase=project.phase,
        to_phase=project.phase,
        outcome="extend",
        new_planned_end=timezone.localdate(),
        decided_by=world.director,
        decided_on=timezone.localdate(),
        committee=f"Comité {m}",
        rationale=f"Motivation {m}",
    )
    DecisionDossier.objects.create(decision=decision, dossier=dossier)
    kit = EssaimageKit.objects.create(
        project=project, version=1, status="done", shared_with_collective=True, requested_by=staff
    )
    kit.file.save("kit.pdf", ContentFile(b"%PDF-1.4\n% kit\n"), save=True)
    return {"finding": found, "evidence": evidence, "dossier": dossier, "gate_decision": decision, "kit": kit}

"""The phase pipeline: every allowed and refused transition, required fields, dates, audit, stale pages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from programme.models import AuditEntry
from projects import services
from projects.dates import add_months
from projects.models import GateDecision, Outcome, Phase, PhasePeriod, Project
from projects.services import TransitionError

from .factories import PhasePeriodFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def at_phase(project: Project, phase: str) -> Project:
    """Put a project in `phase` with an open period started a month ago."""
    Project.objects.filter(pk=project.pk).update(phase=phase)
    project.refresh_from_db()
    if phase in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
        start = TODAY() - timedelta(days=30)
        PhasePeriodFactory(
            project=project,
            phase=phase,
            planned_start=start,
            planned_end=services.planned_end_for(project.programme, phase, start),
            actual_start=start,
        )
    return project


def decide(actor, project, outcome, to_phase=None, **extra):
    params = {
        "actor": actor,
        "project": project,
        "outcome": outcome,
        "to_phase": to_phase if to_phase is not None else services.target_phase(project.phase, outcome),
        "decided_on": TODAY(),
        "rationale": "Le collectif a tenu ses engagements.",
        "committee": "Comité d’engagement",
        **extra,
    }
    return services.project_move(**params)


ALLOWED = [
    (Phase.SELECTION, Outcome.CONTINUE, Phase.EMERGENCE),
    (Phase.SELECTION, Outcome.STOP, Phase.STOPPED),
    (Phase.EMERGENCE, Outcome.CONTINUE, Phase.EXPERIMENTATION),
    (Phase.EMERGENCE, Outcome.STOP, Phase.STOPPED),
    (Phase.EMERGENCE, Outcome.EXTEND, Phase.EMERGENCE),
    (Phase.EXPERIMENTATION, Outcome.CONTINUE, Phase.DEPLOYMENT),
    (Phase.EXPERIMENTATION, Outcome.STOP, Phase.STOPPED),
    (Phase.EXPERIMENTATION, Outcome.EXTEND, Phase.EXPERIMENTATION),
    (Phase.DEPLOYMENT, Outcome.CONTINUE, Phase.COMPLETED),
    (Phase.DEPLOYMENT, Outcome.STOP, Phase.STOPPED),
]


@pytest.mark.parametrize(("start", "outcome", "end"), ALLOWED)
def test_allowed_transitions_record_a_gate_decision(world, start, outcome, end):
    project = at_phase(world.project_a, start)
    extra = {}
    if outcome == Outcome.EXTEND:
        extra["new_planned_end"] = project.phase_periods.get(phase=start).planned_end + timedelta(days=60)
    decision = decide(world.director, project, outcome, **extra)
    project.refresh_from_db()
    assert project.phase == end
    assert project.phase_version == 1
    assert (decision.from_phase, decision.to_phase, decision.outcome) == (start, end, outcome)
    assert decision.decided_by == world.director
    assert AuditEntry.objects.filter(action=f"project.gate.{outcome}", object_id=str(project.pk)).exists()
    if outcome == Outcome.EXTEND:
        assert project.phase_periods.get(phase=start).planned_end == extra["new_planned_end"]
    else:
        if start != Phase.SELECTION:
            assert project.phase_periods.get(phase=start).actual_end == TODAY()
        if end in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
            period = project.phase_periods.get(phase=end)
            assert period.actual_start == TODAY() and period.actual_end is None


REFUSED = [
    (Phase.SELECTION, Outcome.EXTEND, Phase.SELECTION, "prolongation n’est possible"),
    (Phase.DEPLOYMENT, Outcome.EXTEND, Phase.DEPLOYMENT, "prolongation n’est possible"),
    (Phase.SELECTION, Outcome.CONTINUE, Phase.EXPERIMENTATION, "Passage refusé"),
    (Phase.EMERGENCE, Outcome.CONTINUE, Phase.DEPLOYMENT, "Passage refusé"),
    (Phase.EMERGENCE, Outcome.CONTINUE, Phase.SELECTION, "Passage refusé"),
    (Phase.EXPERIMENTATION, Outcome.STOP, Phase.COMPLETED, "Passage refusé"),
    (Phase.DEPLOYMENT, Outcome.CONTINUE, Phase.STOPPED, "Passage refusé"),
    (Phase.STOPPED, Outcome.CONTINUE, Phase.EMERGENCE, "aucune décision d’étape n’est plus possible"),
    (Phase.STOPPED, Outcome.STOP, Phase.STOPPED, "aucune décision d’étape n’est plus possible"),
    (Phase.COMPLETED, Outcome.CONTINUE, Phase.DEPLOYMENT, "aucune décision d’étape n’est plus possible"),
    (Phase.COMPLETED, Outcome.STOP, Phase.STOPPED, "aucune décision d’étape n’est plus possible"),
]


@pytest.mark.parametrize(("start", "outcome", "to_phase", "message"), REFUSED)
def test_refused_transitions_say_why_and_change_nothing(world, start, outcome, to_phase, message):
    project = at_phase(world.project_a, start)
    with pytest.raises(TransitionError) as error:
        decide(
            world.director, project, outcome, to_phase=to_phase, new_planned_end=TODAY() + timedelta(days=400)
        )
    assert message in " ".join(error.value.messages)
    project.refresh_from_db()
    assert project.phase == start and project.phase_version == 0
    assert not GateDecision.objects.exists()


def test_only_a_director_decides(world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    for user in (world.staff, world.partner_a):
        with pytest.raises(TransitionError, match="Seule la direction"):
            decide(user, project, Outcome.CONTINUE)
    assert Project.objects.get(pk=project.pk).phase == Phase.EMERGENCE


@pytest.mark.parametrize(
    ("field", "extra", "message"),
    [
        ("rationale", {"rationale": "   "}, "motivation de la décision est obligatoire"),
        ("committee", {"committee": ""}, "l’instance qui a pris la décision"),
        ("decided_on", {"decided_on": None}, "date de la décision est obligatoire"),
        ("decided_on", {"decided_on": date.today() + timedelta(days=3)}, "ne peut pas être dans le futur"),
        ("decided_on", {"decided_on": date(2000, 1, 1)}, "ne peut pas précéder le début de la phase"),
    ],
)
def test_gate_decision_required_fields(world, field, extra, message):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    with pytest.raises(TransitionError) as error:
        decide(world.director, project, Outcome.STOP, **extra)
    assert message in " ".join(error.value.message_dict[field])
    assert Project.objects.get(pk=project.pk).phase == Phase.EMERGENCE
    assert not GateDecision.objects.exists()


def test_extension_needs_a_later_planned_end(world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    current_end = project.phase_periods.get().planned_end
    with pytest.raises(TransitionError) as error:
        decide(world.director, project, Outcome.EXTEND)
    assert "nouvelle date de fin prévue" in str(error.value.message_dict["new_planned_end"])
    with pytest.raises(TransitionError) as error:
        decide(world.director, project, Outcome.EXTEND, new_planned_end=current_end)
    assert "postérieure à la fin prévue actuelle" in str(error.value.message_dict["new_planned_end"])
    assert project.phase_periods.get().planned_end == current_end


def test_a_decision_from_a_stale_page_is_refused(world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    stale = Project.objects.get(pk=project.pk)
    decide(world.director, project, Outcome.EXTEND, new_planned_end=TODAY() + timedelta(days=600))
    with pytest.raises(TransitionError, match="Une autre décision vient d’être enregistrée"):
        decide(world.director, stale, Outcome.CONTINUE)
    assert GateDecision.objects.count() == 1


def test_the_whole_path_uses_the_programme_durations(world):
    project = world.project_a
    assert project.phase == Phase.SELECTION
    start = TODAY() - timedelta(days=1)
    decide(world.director, project, Outcome.CONTINUE, decided_on=start)
    emergence = PhasePeriod.objects.get(project=project, phase=Phase.EMERGENCE)
    assert emergence.planned_end == add_months(start, world.programme.emergence_months)
    project.refresh_from_db()
    assert project.start_date == start
    decide(world.director, project, Outcome.CONTINUE)
    experimentation = PhasePeriod.objects.get(project=project, phase=Phase.EXPERIMENTATION)
    assert experimentation.planned_end == add_months(TODAY(), world.programme.experimentation_months)
    decide(world.director, project, Outcome.CONTINUE)
    assert PhasePeriod.objects.get(project=project, phase=Phase.DEPLOYMENT).planned_end is None
    decide(world.director, project, Outcome.CONTINUE)
    project.refresh_from_db()
    assert project.phase == Phase.COMPLETED
    assert project.gate_decisions.count() == 4
    assert not project.phase_periods.filter(actual_end__isnull=True).exists()


def test_late_flag_when_the_phase_passed_its_planned_end(world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    period = project.phase_periods.get()
    assert not period.is_late()
    period.planned_end = TODAY() - timedelta(days=1)
    period.save()
    assert period.is_late()
    from projects.selectors import projects_with_status

    annotated = projects_with_status(world.staff).get(pk=project.pk)
    assert annotated.decision_late is True
    assert annotated.phase_planned_end == period.planned_end

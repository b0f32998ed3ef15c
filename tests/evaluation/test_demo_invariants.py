"""The demo tells a history that could have happened (issue #11): `seed_demo` is run once and its data
checked against the rules the services enforce — each check uses the service's own rule where one exists
(`target_phase`, `assessed_on_refusal`, the prospects' `CLOSED_STAGES`, the deadlines' source)."""

from datetime import date

from django.core.management import call_command
from django.utils import timezone

from evaluation.models import MaturityAssessment, Measurement, Moment, assessed_on_refusal
from programme.models import User
from projects.models import ACTIVE_PHASES, Outcome, Phase, Project
from projects.selectors import deadlines_for, deadlines_panel
from projects.services import target_phase
from prospects.models import Decision, Interview, Prospect, SelectionDecision
from prospects.services import CLOSED_STAGES


def test_the_demo_tells_a_history_that_could_have_happened(db, settings):
    """One run of `seed_demo` (the slow part), every invariant checked on it."""
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    for check in (
        every_project_has_the_decisions_that_brought_it_to_its_phase,
        dates_follow_the_phases,
        measurements_start_after_the_project_and_cover_finished_periods_only,
        measurements_were_sent_after_their_period_not_on_the_demo_day,
        retained_and_closed_prospects_have_nothing_left_to_chase,
        interviews_sit_before_their_selection_committee,
        maturity_moments_sit_inside_their_phase,
        the_directors_home_starts_with_the_late_gate_decision,
    ):
        check(today)


def _day(moment) -> date:
    return timezone.localtime(moment).date()


def measurements_were_sent_after_their_period_not_on_the_demo_day(demo: date) -> None:
    """A structure's timeline dates a measurement by its submission: each was sent after its period ended
    (not every quarter on the day the demo was built), and validated after it was sent."""
    sent = Measurement.objects.filter(submitted_at__isnull=False)
    assert sent.exists()
    for m in sent:
        assert m.period_end < _day(m.submitted_at) <= demo, m
        if m.validated_at is not None:
            assert m.validated_at >= m.submitted_at, m
    assert sent.exclude(submitted_at__date=demo).exists()


def every_project_has_the_decisions_that_brought_it_to_its_phase(demo: date) -> None:
    projects = list(
        Project.objects.select_related("selection_decision__prospect", "cohort").prefetch_related(
            "phase_periods", "gate_decisions"
        )
    )
    assert len(projects) == 6 and {p.phase for p in projects} >= {*ACTIVE_PHASES, Phase.STOPPED}
    for project in projects:
        selection = project.selection_decision
        assert selection is not None, project
        assert selection.decision == Decision.RETAINED and selection.cohort == project.cohort, project
        assert selection.prospect.organisation_id == project.lead_organisation_id, project
        # The gate decisions, oldest first, lead from Sélection to the current phase, each by the rule of
        # the service that records them.
        moves = [
            d
            for d in sorted(project.gate_decisions.all(), key=lambda d: d.decided_on)
            if d.outcome != Outcome.EXTEND
        ]
        phase = Phase.SELECTION
        for decision in moves:
            assert decision.from_phase == phase, (project, decision)
            assert target_phase(decision.from_phase, decision.outcome) == decision.to_phase, (
                project,
                decision,
            )
            phase = decision.to_phase
        assert phase == project.phase, project


def dates_follow_the_phases(demo: date) -> None:
    for project in Project.objects.select_related("selection_decision").prefetch_related(
        "phase_periods", "gate_decisions"
    ):
        periods = sorted(project.phase_periods.all(), key=lambda p: p.actual_start)
        # Sélection starts the day of the selection decision, each phase the day the previous one ends.
        assert periods[0].phase == Phase.SELECTION, project
        assert periods[0].actual_start == _day(project.selection_decision.decided_at), project
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.actual_end == after.actual_start, (project, before, after)
        # Only the current phase is open (none for a stopped project), and nothing happened after today.
        open_periods = [p.phase for p in periods if p.actual_end is None]
        assert open_periods == ([project.phase] if project.phase in ACTIVE_PHASES else []), project
        assert all(p.actual_start <= demo and (p.actual_end or demo) <= demo for p in periods), project
        decided = {d.decided_on for d in project.gate_decisions.all()}
        assert {p.actual_start for p in periods[1:]} <= decided, project
        emergence = next((p for p in periods if p.phase == Phase.EMERGENCE), None)
        assert project.start_date == (emergence.actual_start if emergence else None), project


def measurements_start_after_the_project_and_cover_finished_periods_only(demo: date) -> None:
    measured = Measurement.objects.select_related("project_indicator__project")
    assert measured.exists()
    for m in measured:
        project = m.project_indicator.project
        assert project.start_date is not None, (project, m.period_start)
        assert m.period_start >= project.start_date, (project, m.period_start)
        assert m.period_end < demo, (project, m.period_end)


def retained_and_closed_prospects_have_nothing_left_to_chase(demo: date) -> None:
    closed = Prospect.objects.filter(stage__in=CLOSED_STAGES)
    assert closed.filter(stage="retained").count() == 6
    assert not closed.exclude(next_action_date=None).exists()
    # And the deadlines' source (home panel, deadlines page, calendar) never lists them.
    for user in User.objects.filter(role__in=["staff", "director"]):
        titles = {d.project_title for d in deadlines_for(user, start=None, end=demo) if d.kind == "prospect"}
        assert not titles & set(closed.values_list("organisation__name", flat=True)), user


def interviews_sit_before_their_selection_committee(demo: date) -> None:
    decisions = SelectionDecision.objects.select_related("prospect", "cohort")
    assert decisions.count() == 10
    for decision in decisions:
        for interview in Interview.objects.filter(prospect=decision.prospect):
            assert interview.scheduled_at < decision.decided_at, (decision, interview.scheduled_at)
            assert _day(interview.scheduled_at) < decision.cohort.start_date, (
                decision,
                interview.scheduled_at,
            )


def maturity_moments_sit_inside_their_phase(demo: date) -> None:
    assessments = MaturityAssessment.objects.select_related("project").prefetch_related(
        "project__phase_periods", "scores"
    )
    scored = [a for a in assessments if a.scores.all()]
    assert {a.moment for a in scored} == {Moment.START, Moment.END}
    for a in scored:
        period = next((p for p in a.project.phase_periods.all() if p.phase == a.phase), None)
        assert period is not None, (a.project, a.phase)  # only phases the project entered
        assert assessed_on_refusal(period=period, moment=a.moment, assessed_on=a.assessed_on) is None, a
        if a.moment == Moment.END:
            assert period.actual_end is not None and a.assessed_on <= period.actual_end, a
    # One end-of-phase assessment is still owed after its gate, one was waived with its reason.
    waived = [a for a in assessments if a.waived_at]
    assert len(waived) == 1 and waived[0].waiver_reason


def the_directors_home_starts_with_the_late_gate_decision(demo: date) -> None:
    director = User.objects.get(email="director@demo.parcours.fr")
    panel = deadlines_panel(director, today=demo)
    assert panel["overdue"][0].kind == "phase_end"
    assert panel["overdue"][0].project_title == "Vélos-cargos pour les commerces de quartier"

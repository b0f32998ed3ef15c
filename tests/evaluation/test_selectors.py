"""Programme figures against a small world counted by hand."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from evaluation import selectors
from evaluation.forms import ProjectIndicatorForm
from evaluation.models import Indicator, ProjectIndicator
from evaluation.selectors import Filters
from programme.models import Territory, Theme
from projects.models import Attendance, GateDecision, PhasePeriod, Workshop
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, assess, even_scores, record
from tests.factories import (
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
)
from tests.projects.funding import factories as money

PARIS = ZoneInfo("Europe/Paris")
TODAY = timezone.localdate()


def at(y, m, d):
    return datetime(y, m, d, 14, 0, tzinfo=PARIS)


@dataclass
class Figures:
    world: object
    c2: object
    t1: object
    th1: object
    project_c: object
    project_d: object
    count_indicator: object
    rate_indicator: object
    scale_indicator: object


@pytest.fixture
def fig(world) -> Figures:
    w = world
    t1, t2 = Territory.objects.create(name="Lyon"), Territory.objects.create(name="Villeurbanne")
    th1 = Theme.objects.create(name="Alimentation durable")
    c2 = CohortFactory(programme=w.programme, name="Promotion 2", year=2027)
    a, b = w.project_a, w.project_b
    a.phase, a.territory = "emergence", t1
    a.save()
    a.themes.add(th1)
    b.phase, b.territory = "experimentation", t2
    b.save()
    c = ProjectFactory(
        programme=w.programme,
        cohort=c2,
        title="Projet C",
        phase="emergence",
        territory=t1,
        lead_organisation=w.org_a,
    )
    c.themes.add(th1)
    d = ProjectFactory(
        programme=w.programme, cohort=c2, title="Projet D", phase="stopped", lead_organisation=w.org_b
    )
    # Collectives: world gives A ← org_a and B ← org_b (joined 15/01/2026).
    public = OrganisationFactory(name="Ville", kind="collectivite")
    company = OrganisationFactory(name="Entreprise", kind="company")
    MembershipFactory(project=a, organisation=public, joined_on=date(2025, 6, 1), left_on=date(2025, 12, 31))
    MembershipFactory(project=b, organisation=company, joined_on=date(2026, 3, 1))
    MembershipFactory(project=c, organisation=w.org_a, joined_on=date(2026, 1, 15))
    # Phases: A late by 10 days, B due in 30 days, C far away, D stopped (never late).
    PhasePeriod.objects.create(
        project=a,
        phase="emergence",
        planned_start=TODAY - timedelta(days=300),
        planned_end=TODAY - timedelta(days=10),
    )
    PhasePeriod.objects.create(
        project=b,
        phase="experimentation",
        planned_start=TODAY - timedelta(days=100),
        planned_end=TODAY + timedelta(days=30),
    )
    PhasePeriod.objects.create(
        project=c, phase="emergence", planned_start=TODAY, planned_end=TODAY + timedelta(days=200)
    )
    PhasePeriod.objects.create(
        project=d,
        phase="emergence",
        planned_start=TODAY - timedelta(days=400),
        planned_end=TODAY - timedelta(days=50),
    )
    # Gate decisions: one of each outcome.
    for project, to_phase, outcome, decided_on, new_planned_end in [
        (b, "experimentation", "continue", date(2026, 1, 10), None),
        (d, "stopped", "stop", date(2026, 2, 1), None),
        (a, "emergence", "extend", date(2025, 12, 1), TODAY - timedelta(days=10)),
    ]:
        GateDecision.objects.create(
            project=project,
            from_phase="emergence",
            to_phase=to_phase,
            outcome=outcome,
            decided_on=decided_on,
            new_planned_end=new_planned_end,
            decided_by=w.director,
            committee="Comité",
            rationale="Vu le bilan",
        )
    # Workshops: Q4 2025 (C), two in Q1 2026 (A), Q2 2026 (B), and one still to come.
    x, y = PersonFactory(organisation=w.org_a), PersonFactory(organisation=w.org_a)
    ws = {"step": "needs"}
    c_q4 = Workshop.objects.create(project=c, title="Besoins", starts_at=at(2025, 11, 5), **ws)
    a_jan = Workshop.objects.create(project=a, title="Idéation 1", starts_at=at(2026, 1, 20), **ws)
    a_feb = Workshop.objects.create(project=a, title="Idéation 2", starts_at=at(2026, 2, 20), **ws)
    b_may = Workshop.objects.create(project=b, title="COPIL élargi", starts_at=at(2026, 5, 12), **ws)
    future = Workshop.objects.create(
        project=a, title="À venir", starts_at=timezone.now() + timedelta(days=30), **ws
    )
    for workshop, person, present in [
        (c_q4, w.person_a, True),
        (a_jan, w.person_a, True),
        (a_jan, x, True),
        (a_jan, y, False),
        (a_feb, w.person_a, True),
        (b_may, w.person_b, True),
        (future, y, True),
    ]:
        Attendance.objects.create(workshop=workshop, person=person, invited=True, present=present)
    # Indicators.
    staff = w.staff
    count = IndicatorFactory(name="Personnes touchées", type="count", aggregation="sum")
    a_count = ProjectIndicatorFactory(project=a, indicator=count, baseline_value=10, target_value=50)
    a_count.targets.create(period_end=date(2026, 12, 31), value=30)
    b_count = ProjectIndicatorFactory(
        project=b, indicator=count, baseline_value=0, target_value=30, reporter="partner"
    )
    record(staff, a_count, date(2025, 10, 1), date(2025, 12, 31), value=D(4))
    record(staff, a_count, date(2026, 1, 1), date(2026, 3, 31), value=D(12))
    record(staff, a_count, date(2026, 4, 1), date(2026, 6, 30), value=D(8))
    record(staff, b_count, date(2026, 1, 1), date(2026, 3, 31), value=D(5))
    record(w.partner_b, b_count, date(2026, 4, 1), date(2026, 6, 30), value=D(100))  # submitted: not counted
    rate = IndicatorFactory(name="Taux de satisfaction", type="percentage", aggregation="latest")
    a_rate = ProjectIndicatorFactory(project=a, indicator=rate, baseline_value=60, target_value=80)
    b_rate = ProjectIndicatorFactory(project=b, indicator=rate, baseline_value=70, target_value=90)
    record(staff, a_rate, date(2026, 1, 1), date(2026, 3, 31), numerator=D(3), denominator=D(4))
    record(staff, a_rate, date(2026, 4, 1), date(2026, 6, 30), numerator=D(1), denominator=D(2))
    record(staff, b_rate, date(2026, 1, 1), date(2026, 3, 31), numerator=D(0), denominator=D(0))
    scale = IndicatorFactory(
        name="Satisfaction ateliers", type="scale", aggregation="average", scale_min=1, scale_max=5
    )
    a_scale = ProjectIndicatorFactory(project=a, indicator=scale, baseline_value=2, target_value=4)
    b_scale = ProjectIndicatorFactory(project=b, indicator=scale, baseline_value=3, target_value=5)
    record(staff, a_scale, date(2026, 1, 1), date(2026, 3, 31), value=D(4))
    record(staff, a_scale, date(2026, 4, 1), date(2026, 6, 30), value=D(2))
    record(staff, b_scale, date(2026, 1, 1), date(2026, 3, 31), value=D(3))
    # Maturity: A start (1, governance 2) → end (3); C start (2).
    start_a = even_scores(1) | {"governance": 2}
    for project, moment, scores in [
        (a, "start", start_a),
        (a, "end", even_scores(3)),
        (c, "start", even_scores(2)),
    ]:
        assess(staff, project, scores, moment=moment, assessed_on=date(2026, 3, 1))
    return Figures(w, c2, t1, th1, c, d, count, rate, scale)


def base(fig, **extra) -> Filters:
    return Filters(programme_id=fig.world.programme.pk, **extra)


def by(rows, key, value):
    return next(r for r in rows if r[key] == value)


def test_projects_per_phase_and_filters(fig):
    staff = fig.world.staff
    counts = {r["phase"]: r["count"] for r in selectors.projects_by_phase(user=staff, filters=base(fig))}
    assert counts == {
        "selection": 0,
        "emergence": 2,
        "experimentation": 1,
        "deployment": 0,
        "stopped": 1,
        "completed": 0,
    }
    by_cohort = {
        r["phase"]: r["count"]
        for r in selectors.projects_by_phase(user=staff, filters=base(fig, cohort_id=fig.c2.pk))
    }
    assert (by_cohort["emergence"], by_cohort["stopped"], by_cohort["experimentation"]) == (1, 1, 0)
    assert selectors.scoped_projects(user=staff, filters=base(fig, territory_id=fig.t1.pk)).count() == 2
    assert set(
        selectors.scoped_projects(user=staff, filters=base(fig, theme_id=fig.th1.pk)).values_list(
            "title", flat=True
        )
    ) == {"Projet A", "Projet C"}


def test_gate_outcomes_per_period(fig):
    staff = fig.world.staff
    assert {r["outcome"]: r["count"] for r in selectors.gate_outcomes(user=staff, filters=base(fig))} == {
        "continue": 1,
        "stop": 1,
        "extend": 1,
    }
    assert {
        r["outcome"]: r["count"] for r in selectors.gate_outcomes(user=staff, filters=base(fig, year=2026))
    } == {"continue": 1, "stop": 1, "extend": 0}


def test_late_decisions_and_upcoming_gates(fig):
    staff = fig.world.staff
    late = selectors.late_decisions(user=staff, filters=base(fig))
    assert [(r["project"], r["days"]) for r in late] == [("Projet A", 10)]
    upcoming = selectors.upcoming_gates(user=staff, filters=base(fig))
    assert [(r["project"], r["days"]) for r in upcoming] == [("Projet B", 30)]


def test_indicator_figures_all_years(fig):
    rows = selectors.indicator_progress(user=fig.world.staff, filters=base(fig))
    count = by(rows, "name", "Personnes touchées")
    # 4 + 12 + 8 (A) + 5 (B) validated; B's submitted 100 does not count.
    assert (count["value"], count["baseline"], count["target"], count["projects"]) == (D(29), D(10), D(80), 2)
    # A flow with a cumulative target: the cumul since the start against the target (a cumul starts at
    # zero: the baseline, a per-quarter level, does not apply, nor a change from it).
    assert count["nature"] == "flow" and count["compared"] == D(29)
    assert count["progress"] == D("36.3")  # 29 / 80
    assert count["change"] is None and "cumul" in count["change_note"]
    rate = by(rows, "name", "Taux de satisfaction")
    # Latest of each project: A 1/2, B 0/0 → 1 / 2.
    assert rate["value"] == D("50.00")
    assert (rate["baseline"], rate["target"]) == (D("65.00"), D("85.00"))
    scale = by(rows, "name", "Satisfaction ateliers")
    assert scale["value"] == D("3.00")  # (4 + 2 + 3) / 3


def test_indicator_figures_for_one_year_use_targets_due_that_year(fig):
    rows = selectors.indicator_progress(user=fig.world.staff, filters=base(fig, year=2026))
    count = by(rows, "name", "Personnes touchées")
    # 2026 only: 12 + 8 + 5; A's target due end 2026 is 30, B has none so its final target 30.
    assert (count["value"], count["target"]) == (D(25), D(60))
    assert by(
        selectors.indicator_progress(user=fig.world.staff, filters=base(fig, year=2025)),
        "name",
        "Personnes touchées",
    )["value"] == D(4)
    empty_year = by(
        selectors.indicator_progress(user=fig.world.staff, filters=base(fig, year=2024)),
        "name",
        "Personnes touchées",
    )
    assert empty_year["value"] is None and empty_year["progress"] is None


def test_indicator_figures_follow_the_project_filters(fig):
    rows = selectors.indicator_progress(user=fig.world.staff, filters=base(fig, territory_id=fig.t1.pk))
    count = by(rows, "name", "Personnes touchées")
    assert (count["value"], count["projects"]) == (D(24), 1)


def test_activity_people_and_organisations(fig):
    staff = fig.world.staff
    activity = selectors.activity_over_time(user=staff, filters=base(fig))
    assert [(r["label"], r["workshops"], r["participants"], r["people"]) for r in activity] == [
        ("T4 2025", 1, 1, 1),
        ("T1 2026", 2, 3, 2),
        ("T2 2026", 1, 1, 1),
    ]
    assert selectors.people_mobilised(user=staff, filters=base(fig)) == 3
    assert selectors.people_mobilised(user=staff, filters=base(fig, year=2025)) == 1
    per_year = {
        r["year"]: r["organisations"] for r in selectors.organisations_per_year(user=staff, filters=base(fig))
    }
    assert per_year[2025] == 1 and per_year[2026] == 3
    partners = {r["family"]: r["count"] for r in selectors.partners_by_kind(user=staff, filters=base(fig))}
    assert partners == {"ess": 2, "company": 1, "public": 0}


def test_maturity_evolution(fig):
    data = selectors.maturity_evolution(user=fig.world.staff, filters=base(fig))
    vision = by(data["by_phase"], "dimension", "shared_vision")
    # Means over the projects assessed at each moment (A 1 and C 2 at the start, A 3 at the end); the
    # evolution only pairs the projects assessed at both moments (A: 1 → 3), never 3 − 1,5.
    assert (vision["start"], vision["end"], vision["delta"]) == (D("1.50"), D("3.00"), D("2.00"))
    assert (vision["phase"], vision["projects"], vision["paired"]) == ("emergence", 2, 1)
    governance = by(data["by_phase"], "dimension", "governance")
    assert (governance["start"], governance["delta"]) == (D("2.00"), D("1.00"))
    project = selectors.project_maturity(user=fig.world.staff, project_id=fig.world.project_a.pk)
    assert by(project, "dimension", "governance") | {} == {
        "phase": "emergence",
        "phase_label": "Émergence",
        "dimension": "governance",
        "label": "Gouvernance",
        "start": 2,
        "end": 3,
        "delta": 1,
    }


def test_headline_figures(fig):
    figures = selectors.programme_figures(user=fig.world.staff, filters=base(fig))
    headline = figures["headline"]
    assert headline["projects"] == 4
    assert (headline["workshops"], headline["attendances"], headline["people"]) == (4, 5, 3)
    assert headline["member_organisations"] == 3
    assert headline["funding_raised"] == 0  # no convention signed
    # The funnel is the prospects' only: projects are not a step (a project may gather several
    # retained prospects, or none), so "Prospects retenus 4 → Projets accompagnés 6" cannot happen.
    assert [s["key"] for s in figures["funnel"]["steps"]][-1] == "retained"


def test_funding_raised_comes_from_conventions_not_from_the_funding_indicator(fig):
    funding = Indicator.objects.get(code="fonds-leves")  # shipped by the starter library migration
    pi = ProjectIndicatorFactory(
        project=fig.world.project_a, indicator=funding, baseline_value=0, target_value=100000
    )
    record(fig.world.staff, pi, date(2026, 1, 1), date(2026, 3, 31), value=D(12500))
    figures = selectors.programme_figures(user=fig.world.staff, filters=base(fig))
    assert figures["headline"]["funding_raised"] == 0  # the indicator is typed, not a convention
    assert by(figures["indicators"], "name", "Fonds levés")["value"] == D(12500)  # still followed
    req = money.request(fig.world.staff, fig.world.project_a, amount="30000", status="granted")
    money.convention(fig.world.staff, req, reference="CONV-R")
    headline = selectors.programme_figures(user=fig.world.staff, filters=base(fig))["headline"]
    assert headline["funding_raised"] == D(30000)


def test_partners_see_only_their_projects_in_selectors(fig):
    rows = selectors.indicator_progress(user=fig.world.partner_a, filters=base(fig))
    assert by(rows, "name", "Personnes touchées")["value"] == D(24)
    assert selectors.late_decisions(user=fig.world.partner_b, filters=base(fig)) == []


def test_staff_set_the_target_kind_and_the_progress_follows(fig):
    """The protocol form lets staff say a target is per period; the summary then compares the last
    period (from the baseline) instead of the cumul."""
    pi = ProjectIndicator.objects.get(project=fig.world.project_a, indicator__name="Personnes touchées")
    data = {
        "indicator": pi.indicator_id,
        "baseline_value": "10",
        "target_value": "20",
        "reporter": "staff",
        "target_kind": "per_period",
    }
    form = ProjectIndicatorForm(data, instance=pi, project=fig.world.project_a)
    assert form.is_valid(), form.errors
    form.save()
    detail = selectors.project_indicator_detail(user=fig.world.staff, pk=pi.pk, today=date(2026, 12, 31))
    summary = detail["summary"]
    # A's validated quarters: 4 (2025), then 12 and 8 (2026): the last one, 8, from 10 towards the
    # target due at the end of 2026 (30): (8 − 10) / (30 − 10); towards the final target 20: −20 %.
    assert (summary["compared"], summary["progress"]) == (D(8), D("-10.0"))
    assert summary["progress_final"] == D("-20.0")
    assert summary["compared_label"] == "valeur de la dernière période mesurée"
    # Without the field the form keeps the default: cumulative.
    form = ProjectIndicatorForm({**data, "target_kind": ""}, instance=pi, project=fig.world.project_a)
    assert form.is_valid() and form.cleaned_data["target_kind"] == "cumulative"

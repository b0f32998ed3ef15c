"""A world with a season of activity: gate decisions, workshops with presence sheets, committees,
deliverables, an evaluation protocol with validated measurements, maturity and lessons — all created
with plain ORM calls so the reports' figures can be checked against the database."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evaluation.models import (
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    Lesson,
    MaturityAssessment,
    MaturityScore,
    Measurement,
    ProjectIndicator,
)
from evaluation.services import rollup_refresh
from programme.models import FunderKind, Theme
from projects.funding import services as funding_services
from projects.models import (
    Attendance,
    Committee,
    CommitteeDecision,
    Deliverable,
    GateDecision,
    Milestone,
    PhasePeriod,
    Workshop,
)
from tests.factories import PersonFactory
from tests.projects.funding import factories as money
from tests.projects.funding.factories import ADVANCE, BALANCE

PARIS = ZoneInfo("Europe/Paris")

#: User-entered text that must never make the renderer fetch anything.
HOSTILE = (
    '<img src="file:///etc/passwd"> voir http://tracker.example/pixel.png '
    "<link rel=stylesheet href=http://tracker.example/x.css>"
)


@dataclass
class Season:
    world: object
    workshops: list
    indicator: object
    project_indicator: object
    lesson: object


def _at(day: date, hour: int = 14) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.fixture
def season(world) -> Season:
    a, b = world.project_a, world.project_b
    a.phase, a.start_date, a.problem = "emergence", date(2026, 1, 15), "Rompre l'isolement des aidants."
    a.save()
    b.phase, b.start_date = "stopped", date(2026, 1, 15)
    b.save()
    PhasePeriod.objects.create(
        project=a,
        phase="emergence",
        planned_start=date(2026, 2, 1),
        planned_end=date(2026, 12, 1),
        actual_start=date(2026, 2, 1),
    )
    for project, from_phase, to_phase, outcome, decided_on, committee, rationale in [
        (
            a,
            "selection",
            "emergence",
            "continue",
            date(2026, 2, 1),
            "Comité de sélection",
            "Collectif solide et besoin avéré.",
        ),
        (b, "emergence", "stopped", "stop", date(2026, 6, 30), "COPIL", "Le collectif se sépare."),
        # Outside the period of the tests' activity report (2026): never counted in it.
        (b, "selection", "emergence", "continue", date(2025, 12, 15), "Comité de sélection", "Retenu."),
    ]:
        GateDecision.objects.create(
            project=project,
            from_phase=from_phase,
            to_phase=to_phase,
            outcome=outcome,
            decided_by=world.director,
            decided_on=decided_on,
            committee=committee,
            rationale=rationale,
        )
    people = [world.person_a, *PersonFactory.create_batch(3, organisation=world.org_a)]
    workshops = []
    for index, (day, step, present) in enumerate(
        [
            (date(2026, 3, 10), "needs", 3),
            (date(2026, 4, 12), "ideation", 2),
            (date(2026, 5, 20), "design", 4),
        ]
    ):
        workshop = Workshop.objects.create(
            project=a, title=f"Atelier partagé {index + 1}", step=step, starts_at=_at(day), place="Lyon 7e"
        )
        for position, person in enumerate(people):
            Attendance.objects.create(
                workshop=workshop, person=person, invited=True, present=position < present
            )
        workshops.append(workshop)
    internal = Workshop.objects.create(
        project=a,
        title="Atelier interne équipe",
        step="test",
        starts_at=_at(date(2026, 6, 2)),
        shared_with_collective=False,
    )
    Attendance.objects.create(workshop=internal, person=people[0], present=True)
    workshops.append(internal)
    Workshop.objects.create(project=a, title="Atelier 2025", step="needs", starts_at=_at(date(2025, 11, 5)))

    copil = Committee.objects.create(project=a, kind="copil", date=date(2026, 4, 1))
    CommitteeDecision.objects.create(committee=copil, text="Lancer le prototype de permanence.")
    hidden = Committee.objects.create(
        project=a, kind="cotech", date=date(2026, 5, 1), shared_with_collective=False
    )
    CommitteeDecision.objects.create(committee=hidden, text="Décision interne confidentielle.")
    milestone = Milestone.objects.create(project=a, title="Prototype testé", due_date=date(2026, 9, 30))
    Deliverable.objects.create(
        project=a,
        milestone=milestone,
        title="Note de cadrage",
        due_date=date(2026, 3, 31),
        owner_organisation=world.org_a,
    )

    indicator = Indicator.objects.create(code="aidants", name="Aidants accompagnés", unit="personnes")
    question = EvaluationQuestion.objects.create(
        project=a, text="Le collectif touche-t-il de nouveaux aidants ?"
    )
    criterion = EvaluationCriterion.objects.create(question=question, text="Nombre d'aidants accompagnés")
    pi = ProjectIndicator.objects.create(
        project=a,
        indicator=indicator,
        criterion=criterion,
        baseline_value=Decimal(10),
        baseline_date=date(2026, 1, 1),
        target_value=Decimal(100),
        target_date=date(2027, 6, 30),
    )
    for start, end, value in [
        (date(2026, 1, 1), date(2026, 3, 31), 25),
        (date(2026, 4, 1), date(2026, 6, 30), 40),
    ]:
        Measurement.objects.create(
            project_indicator=pi, period_start=start, period_end=end, value=Decimal(value), status="validated"
        )
    Measurement.objects.create(
        project_indicator=pi,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        value=Decimal(999),
        status="submitted",
    )
    rollup_refresh(project_indicator=pi, years=[2026])

    assessment = MaturityAssessment.objects.create(
        project=a, phase="emergence", moment="start", assessed_on=date(2026, 2, 15)
    )
    for dimension in ("shared_vision", "governance", "trust", "shared_resources", "capacity"):
        MaturityScore.objects.create(assessment=assessment, dimension=dimension, score=2)

    theme = Theme.objects.create(name="Santé et bien-vieillir")
    lesson = Lesson.objects.create(
        programme=world.programme,
        title="Aller vers les aidants isolés",
        kind="good_practice",
        body="Les permanences en pharmacie fonctionnent. " + HOSTILE,
        author=world.staff,
    )
    lesson.themes.add(theme)
    lesson.projects.add(a)
    return Season(world=world, workshops=workshops, indicator=indicator, project_indicator=pi, lesson=lesson)


@pytest.fixture
def convention(world):
    """Project A's emergence, funded by the Région (24 000 €, 10 000 € received) and a foundation; the
    budget has a forecast and an actual version, and volunteers' time valued apart."""
    staff, a = world.staff, world.project_a
    region = money.request(
        staff,
        a,
        funder_org=money.funder("Région Auvergne-Rhône-Alpes", FunderKind.REGION),
        title="Émergence",
        amount="24000",
        status="granted",
        phase="emergence",
    )
    conv = money.convention(
        staff,
        region,
        reference="AURA-2026-017",
        schedule=[(ADVANCE, date(2026, 2, 1), "10000"), (BALANCE, date(2026, 12, 1), "14000")],
    )
    funding_services.payment_record(
        actor=staff, convention=conv, received_on=date(2026, 2, 10), amount=Decimal(10000), reference="VIR-1"
    )
    fdn = money.request(
        staff,
        a,
        funder_org=money.funder("Fondation des Aidants", FunderKind.FOUNDATION),
        title="Fondation",
        amount="6000",
        status="granted",
        phase="emergence",
    )
    for version, personnel, travel, grant, volunteers in (
        ("planned", "20000", "2000", "24000", "3000"),
        ("actual", "26000", "1500", "24000", "4500"),
    ):
        money.budget_line(staff, a, version=version, label="Coordinatrice", amount=personnel)
        money.budget_line(staff, a, version=version, label="Déplacements", nature="travel", amount=travel)
        money.budget_line(
            staff,
            a,
            version=version,
            side="resource",
            nature="grant",
            label="Région",
            amount=grant,
            request=region,
        )
        money.budget_line(
            staff,
            a,
            version=version,
            side="resource",
            nature="grant",
            label="Fondation",
            amount="6000",
            request=fdn,
        )
        money.budget_line(
            staff,
            a,
            version=version,
            side="in_kind",
            nature="volunteering",
            label="Bénévoles",
            amount=volunteers,
        )
    return conv

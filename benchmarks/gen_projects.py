"""Benchmark data for project steering: at scale 1, 2,000 projects in 10 cohorts over every phase, with
their collectives, phase periods, 10,000 workshops and 100,000 deadlines (milestones, deliverables,
actions) spread from 30 days ago to 60 days ahead — what the daily reminder scan reads.

Bulk inserts only; re-runnable: the benchmark programme's previous project rows are removed first."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from programme.identity import normalise_name, normalise_town
from programme.models import Cohort, Family, Organisation, Role, User
from projects.dates import add_months
from projects.models import (
    Action,
    Attendance,
    Deliverable,
    GateDecision,
    Membership,
    Milestone,
    Phase,
    PhasePeriod,
    Project,
    ReminderLog,
    Workshop,
    WorkshopItem,
)

PROJECTS = 2000
COHORTS = 10
WORKSHOPS_PER_PROJECT = 5
# 20 + 15 + 15 = 50 deadlines per project: 100,000 at scale 1.
MILESTONES, DELIVERABLES, ACTIONS = 20, 15, 15
STAFF = 20
PHASES = (
    [Phase.EMERGENCE] * 4 + [Phase.EXPERIMENTATION] * 3 + [Phase.DEPLOYMENT, Phase.SELECTION, Phase.STOPPED]
)
BATCH = 5000


def _clear(programme) -> None:
    """Raw deletes for the big tables this generator fills, then the ORM for the projects themselves so
    that rows other apps hang off them (indicators, reports…) go with them."""
    projects = Project.objects.filter(programme=programme)
    for model, lookup in (
        (Attendance, "workshop__project__in"),
        (WorkshopItem, "project__in"),
        (Workshop, "project__in"),
        (Action, "project__in"),
        (Deliverable, "project__in"),
        (Milestone, "project__in"),
        (PhasePeriod, "project__in"),
        (GateDecision, "project__in"),
        (Membership, "project__in"),
        (Project.staff_leads.through, "project__in"),
        (Project.themes.through, "project__in"),
    ):
        model.objects.filter(**{lookup: projects})._raw_delete(model.objects.db)
    ReminderLog.objects.filter(user__email__endswith="@bench-projects.parcours")._raw_delete(
        ReminderLog.objects.db
    )
    projects.delete()


def _staff() -> list[User]:
    users = []
    for i in range(STAFF):
        email = f"staff{i}@bench-projects.parcours"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, role=Role.STAFF, first_name=f"Chargé·e {i}"
        )
        users.append(user)
    return users


def _organisations(n: int) -> list[Organisation]:
    prefix = "Structure porteuse bench "
    existing = {o.name: o for o in Organisation.objects.filter(name__startswith=prefix)}
    missing = [
        Organisation(
            name=f"{prefix}{i:05d}",
            normalised_name=normalise_name(f"{prefix}{i:05d}"),
            kind="association",
            family=Family.ESS,
            town="Lyon",
            normalised_town=normalise_town("Lyon"),
        )
        for i in range(n)
        if f"{prefix}{i:05d}" not in existing
    ]
    Organisation.objects.bulk_create(missing, batch_size=BATCH)
    return list(Organisation.objects.filter(name__startswith=prefix).order_by("name")[:n])


@transaction.atomic
def generate(*, programme, scale: float) -> None:
    rng = random.Random(42)
    today = timezone.localdate()
    n_projects = max(int(PROJECTS * scale), 20)
    _clear(programme)
    staff = _staff()
    orgs = _organisations(n_projects)
    cohorts = [
        Cohort.objects.get_or_create(
            programme=programme,
            name=f"Promotion bench {i + 1}",
            defaults={
                "year": today.year - i % 3,
                "start_date": date(today.year - i % 3, 1, 15),
                "capacity": 500,
            },
        )[0]
        for i in range(COHORTS)
    ]
    projects = Project.objects.bulk_create(
        [
            Project(
                programme=programme,
                cohort=cohorts[i % COHORTS],
                title=f"Projet bench {i:05d}",
                problem="Un besoin social du territoire.",
                lead_organisation=orgs[i],
                phase=PHASES[i % len(PHASES)],
                start_date=today - timedelta(days=rng.randint(30, 700)),
            )
            for i in range(n_projects)
        ],
        batch_size=BATCH,
    )
    Project.staff_leads.through.objects.bulk_create(
        [
            Project.staff_leads.through(project_id=p.pk, user_id=staff[i % STAFF].pk)
            for i, p in enumerate(projects)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(project=p, organisation=p.lead_organisation, role="lead", joined_on=p.start_date)
            for p in projects
        ],
        batch_size=BATCH,
    )
    periods = []
    for p in projects:
        if p.phase in (Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT):
            start = today - timedelta(days=rng.randint(10, 500))
            months = {Phase.EMERGENCE: 10, Phase.EXPERIMENTATION: 18}.get(p.phase)
            periods.append(
                PhasePeriod(
                    project=p,
                    phase=p.phase,
                    planned_start=start,
                    planned_end=add_months(start, months) if months else None,
                    actual_start=start,
                )
            )
    PhasePeriod.objects.bulk_create(periods, batch_size=BATCH)
    workshops = []
    for p in projects:
        for w in range(WORKSHOPS_PER_PROJECT):
            day = today - timedelta(days=rng.randint(-30, 300))
            workshops.append(
                Workshop(
                    project=p,
                    title=f"Atelier {w + 1}",
                    step="needs",
                    starts_at=timezone.make_aware(datetime.combine(day, time(14))),
                )
            )
    Workshop.objects.bulk_create(workshops, batch_size=BATCH)

    def due() -> date:
        return today + timedelta(days=rng.randint(-30, 60))

    Milestone.objects.bulk_create(
        (
            Milestone(project=p, title=f"Jalon {k}", due_date=due(), owner_id=staff[(i + k) % STAFF].pk)
            for i, p in enumerate(projects)
            for k in range(MILESTONES)
        ),
        batch_size=BATCH,
    )
    Deliverable.objects.bulk_create(
        (
            Deliverable(
                project=p,
                title=f"Livrable {k}",
                due_date=due(),
                owner_user_id=staff[(i + k) % STAFF].pk if k % 2 else None,
                owner_organisation_id=None if k % 2 else p.lead_organisation_id,
            )
            for i, p in enumerate(projects)
            for k in range(DELIVERABLES)
        ),
        batch_size=BATCH,
    )
    Action.objects.bulk_create(
        (
            Action(
                project=p, title=f"Action {k}", due_date=due(), owner_user_id=staff[(i + k + 3) % STAFF].pk
            )
            for i, p in enumerate(projects)
            for k in range(ACTIONS)
        ),
        batch_size=BATCH,
    )
    print(
        f"projects: {len(projects)} projects, {len(workshops)} workshops, "
        f"{len(projects) * (MILESTONES + DELIVERABLES + ACTIONS)} deadlines"
    )

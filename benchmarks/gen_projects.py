"""Benchmark data for project steering: at scale 1, 2,000 projects in 10 cohorts over every phase, with
their collectives (3 to 6 member structures, 2 contacts each), phase periods, 10,000 workshops with their
attendances and 100,000 deadlines (milestones, deliverables, actions) spread from 30 days ago to 60 days
ahead — what the daily reminder scan reads. One project, « Projet bench 00000 », has 100 workshops and 100
milestones (the project page's benchmark); the first cohort has 4 projects (an activity report of about 20
pages), the other nine share the rest (about 220 projects each at scale 1: a report of about 400 pages).

Bulk inserts only; re-runnable: the benchmark programme's previous project rows are removed first."""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from programme.models import Cohort, Family, Organisation, Person, Role, User
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
BIG_WORKSHOPS, BIG_MILESTONES = 100, 100
SMALL_COHORT = 4
PERSONS_PER_ORGANISATION = 2
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
    Person.objects.filter(organisation__name__startswith=ORG_PREFIX).delete()


def _staff() -> list[User]:
    users = []
    for i in range(STAFF):
        email = f"staff{i}@bench-projects.parcours"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, None, role=Role.STAFF, first_name=f"Chargé·e {i}"
        )
        users.append(user)
    return users


ORG_PREFIX = "Structure porteuse bench "


def organisations_in_lyon(prefix: str, rows: dict[str, dict[str, Any]]) -> QuerySet[Organisation]:
    """The organisations named `prefix` + a key of `rows` (its other fields), in Lyon: those missing are
    created; all those named `prefix`…, by name."""
    existing = set(Organisation.objects.filter(name__startswith=prefix).values_list("name", flat=True))
    missing = [
        Organisation(name=name, town="Lyon", **fields).fill_derived()
        for name, fields in ((f"{prefix}{key}", fields) for key, fields in rows.items())
        if name not in existing
    ]
    Organisation.objects.bulk_create(missing, batch_size=BATCH)
    return Organisation.objects.filter(name__startswith=prefix).order_by("name")


def _organisations(n: int) -> list[Organisation]:
    ess = {"kind": "association", "family": Family.ESS}
    return list(organisations_in_lyon(ORG_PREFIX, {f"{i:05d}": ess for i in range(n)})[:n])


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
                cohort=cohorts[0 if 1 <= i <= SMALL_COHORT else 1 + i % (COHORTS - 1)],
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
    persons = Person.objects.bulk_create(
        [
            Person(
                first_name=f"Prénom {k}",
                last_name=f"Contact {o.pk}",
                organisation=o,
                email=f"c{k}-{o.pk}@bench.fr",
            ).fill_derived()
            for o in orgs
            for k in range(PERSONS_PER_ORGANISATION)
        ],
        batch_size=BATCH,
    )
    people_of: dict[int, list[int]] = {}
    for person in persons:
        people_of.setdefault(person.organisation_id, []).append(person.pk)
    # A collective of 3 to 6 structures: the lead and 2 to 5 partners taken from the other projects' leads.
    collectives: dict[int, list[int]] = {}
    memberships = []
    for i, p in enumerate(projects):
        members = [orgs[i]] + [orgs[(i + 7 * k) % n_projects] for k in range(1, 3 + i % 4)]
        collectives[p.pk] = [o.pk for o in members]
        memberships += [
            Membership(
                project=p, organisation=o, role="lead" if k == 0 else "partner", joined_on=p.start_date
            )
            for k, o in enumerate(members)
        ]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
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
    for i, p in enumerate(projects):
        for w in range(BIG_WORKSHOPS if i == 0 else WORKSHOPS_PER_PROJECT):
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
    # Invited: the collective's contacts (up to 6); present: most of them.
    attendances = [
        Attendance(workshop_id=w.pk, person_id=person, present=(w.pk + k) % 4 != 0)
        for w in workshops
        for k, person in enumerate(
            [pk for org in collectives[w.project_id][:3] for pk in people_of.get(org, [])][:6]
        )
    ]
    Attendance.objects.bulk_create(attendances, batch_size=BATCH)

    def due() -> date:
        return today + timedelta(days=rng.randint(-30, 60))

    Milestone.objects.bulk_create(
        (
            Milestone(project=p, title=f"Jalon {k}", due_date=due(), owner_id=staff[(i + k) % STAFF].pk)
            for i, p in enumerate(projects)
            for k in range(BIG_MILESTONES if i == 0 else MILESTONES)
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
        f"projects: {len(projects)} projects, {len(memberships)} members, {len(persons)} contacts, "
        f"{len(workshops)} workshops, {len(attendances)} attendances, "
        f"{len(projects) * (MILESTONES + DELIVERABLES + ACTIONS) + BIG_MILESTONES - MILESTONES} deadlines"
    )

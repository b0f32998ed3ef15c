"""Benchmark data for evaluation: 1,000 projects × 10 indicators × 100 monthly measurements
(1,000,000 measurements) at scale 1, with their yearly roll-up, maturity assessments, workshops and
attendance so every block of the dashboard has work to do.

Projects already generated for the benchmark programme (by the projects generator) are reused; the
missing ones are created here. Rows are written with bulk_create in batches; the roll-up is computed
while generating (the same figures the services would keep), not by replaying the services.
"""

import random
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

PROJECTS = 1000
INDICATORS_PER_PROJECT = 10
MONTHS = 100
BATCH = 10_000
PHASES = ["emergence", "experimentation", "deployment", "selection", "stopped", "completed"]


def _month(start: date, offset: int) -> tuple[date, date]:
    month = start.month - 1 + offset
    first = date(start.year + month // 12, month % 12 + 1, 1)
    nxt = date(first.year + (first.month // 12), first.month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def _projects(*, programme, count: int, rng: random.Random) -> list:
    from programme.models import Cohort, Organisation, Person, Territory, Theme
    from projects.models import Membership, PhasePeriod, Project

    existing = list(Project.objects.filter(programme=programme).order_by("pk")[:count])
    missing = count - len(existing)
    if missing <= 0:
        return existing
    cohorts = list(Cohort.objects.filter(programme=programme)) or [
        Cohort.objects.create(
            programme=programme, name=f"Promotion bench {y}", year=y, start_date=date(y, 1, 15)
        )
        for y in (2023, 2024, 2025, 2026)
    ]
    territories = list(Territory.objects.all()) or [
        Territory.objects.create(name=f"Territoire bench {i}") for i in range(6)
    ]
    themes = list(Theme.objects.all()) or [
        Theme.objects.create(name=f"Thématique bench {i}") for i in range(8)
    ]
    kinds = ["association", "scic", "scop", "company", "collectivite", "public_body"]
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Structure bench évaluation {i}", kind=kinds[i % len(kinds)]).fill_derived()
            for i in range(missing * 2)
        ],
        batch_size=BATCH,
    )
    new = Project.objects.bulk_create(
        [
            Project(
                programme=programme,
                cohort=cohorts[i % len(cohorts)],
                title=f"Projet bench évaluation {i}",
                lead_organisation=orgs[2 * i],
                phase=PHASES[i % len(PHASES)],
                territory=territories[i % len(territories)],
                start_date=date(2023, 1, 15),
            )
            for i in range(missing)
        ],
        batch_size=BATCH,
    )
    Project.themes.through.objects.bulk_create(
        [
            Project.themes.through(project_id=p.pk, theme_id=themes[i % len(themes)].pk)
            for i, p in enumerate(new)
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                project=p,
                organisation=orgs[2 * i + k],
                role="lead" if k == 0 else "partner",
                joined_on=date(2023 + i % 3, 3, 1),
            )
            for i, p in enumerate(new)
            for k in (0, 1)
        ],
        batch_size=BATCH,
    )
    today = date.today()
    PhasePeriod.objects.bulk_create(
        [
            PhasePeriod(
                project=p,
                phase=p.phase,
                planned_start=today - timedelta(days=300),
                planned_end=today + timedelta(days=rng.randint(-60, 200)),
            )
            for p in new
        ],
        batch_size=BATCH,
    )
    Person.objects.bulk_create(
        [
            Person(
                first_name="Participant", last_name=f"Bench {i}", organisation=orgs[i % len(orgs)]
            ).fill_derived()
            for i in range(missing * 3)
        ],
        batch_size=BATCH,
    )
    return existing + new


MEASUREMENT_COLUMNS = (
    "project_indicator_id",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "text_value",
    "source",
    "evidence",
    "status",
    "return_comment",
    "locked",
    "created_at",
    "updated_at",
)


def _insert(rows: list[tuple]) -> None:
    """A million rows go in through the cursor (executemany), skipping model instances: ~4× faster."""
    from evaluation.models import Measurement

    # review_flags (NOT NULL, a JSON list): no generated value is flagged.
    columns = ", ".join(MEASUREMENT_COLUMNS) + ", review_flags"
    placeholders = ", ".join(["%s"] * len(MEASUREMENT_COLUMNS)) + ", '[]'"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Measurement._meta.db_table} ({columns}) VALUES ({placeholders})", rows
        )
    rows.clear()


def generate(*, programme, scale: float) -> None:
    from evaluation.library import ensure_starter_library
    from evaluation.models import (
        Indicator,
        MaturityAssessment,
        MaturityScore,
        MeasurementRollup,
        ProjectIndicator,
    )
    from programme.models import Person
    from projects.models import Attendance, Workshop

    started = time.perf_counter()
    rng = random.Random(5)
    n_projects = max(10, int(PROJECTS * scale))
    with transaction.atomic():
        ensure_starter_library(Indicator)
        indicators = list(Indicator.objects.exclude(type="text").order_by("code"))[:INDICATORS_PER_PROJECT]
        projects = _projects(programme=programme, count=n_projects, rng=rng)
        ProjectIndicator.objects.filter(project__in=projects).delete()  # regenerate: start clean
        MaturityAssessment.objects.filter(project__in=projects).delete()
        pis = ProjectIndicator.objects.bulk_create(
            [
                ProjectIndicator(
                    project=p,
                    indicator=ind,
                    baseline_value=Decimal(rng.randint(0, 50)),
                    baseline_date=date(2018, 1, 1),
                    target_value=Decimal(rng.randint(100, 2000)),
                    target_date=date(2027, 12, 31),
                    reporter="partner" if k % 3 == 0 else "staff",
                )
                for p in projects
                for k, ind in enumerate(indicators)
            ],
            batch_size=BATCH,
        )
        first = date(2018, 7, 1)
        buffer: list = []
        day = connection.ops.adapt_datefield_value
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        # The roll-up rows' figures, keyed by MeasurementRollup's own field names.
        rollups: dict[tuple[int, int], dict] = defaultdict(
            lambda: {
                "count": 0,
                "value_sum": Decimal(0),
                "value_count": 0,
                "numerator_sum": Decimal(0),
                "denominator_sum": Decimal(0),
            }
        )
        kinds = {ind.pk: ind.type for ind in indicators}
        for pi in pis:
            kind = kinds[pi.indicator_id]
            for month in range(MONTHS):
                start, end = _month(first, month)
                status = (
                    "validated"
                    if rng.random() < 0.97 or month < MONTHS - 3
                    else rng.choice(["submitted", "returned", "draft"])
                )
                numerator = denominator = None
                if kind == "percentage":
                    denominator = Decimal(rng.randint(0, 40))
                    numerator = Decimal(rng.randint(0, int(denominator)))
                    value = (numerator / denominator * 100).quantize(Decimal("0.01")) if denominator else None
                elif kind == "boolean":
                    value = Decimal(rng.randint(0, 1))
                elif kind == "scale":
                    value = Decimal(rng.randint(1, 5))
                else:
                    value = Decimal(rng.randint(0, 120))
                buffer.append(
                    (
                        pi.pk,
                        day(start),
                        day(end),
                        value,
                        numerator,
                        denominator,
                        "",
                        "",
                        "",
                        status,
                        "À vérifier" if status == "returned" else "",
                        status == "validated" and end.year < 2024,
                        stamp,
                        stamp,
                    )
                )
                if status == "validated":
                    r = rollups[(pi.pk, end.year)]
                    r["count"] += 1
                    if value is not None:
                        r["value_sum"] += value
                        r["value_count"] += 1
                    r["numerator_sum"] += numerator or 0
                    r["denominator_sum"] += denominator or 0
                    r["latest_period_end"], r["latest_value"] = end, value
                    r["latest_numerator"], r["latest_denominator"] = numerator, denominator
                if len(buffer) >= BATCH:
                    _insert(buffer)
        _insert(buffer)
        by_pi = {pi.pk: pi for pi in pis}
        last_year: dict[int, int] = {}
        for pi_id, year in rollups:
            last_year[pi_id] = max(year, last_year.get(pi_id, 0))
        MeasurementRollup.objects.bulk_create(
            [
                MeasurementRollup(
                    project_indicator_id=pi_id,
                    project_id=by_pi[pi_id].project_id,
                    indicator_id=by_pi[pi_id].indicator_id,
                    year=year,
                    is_current=last_year[pi_id] == year,
                    **r,
                )
                for (pi_id, year), r in rollups.items()
            ],
            batch_size=BATCH,
        )
        # Maturity at emergence start and end; a few workshops with attendance per project.
        assessments = MaturityAssessment.objects.bulk_create(
            [
                MaturityAssessment(
                    project=p,
                    phase="emergence",
                    moment=m,
                    assessed_on=date(2025, 3 if m == "start" else 12, 1),
                )
                for p in projects
                for m in ("start", "end")
            ],
            batch_size=BATCH,
        )
        dims = ["shared_vision", "governance", "trust", "shared_resources", "capacity"]
        MaturityScore.objects.bulk_create(
            [
                MaturityScore(
                    assessment=a, dimension=d, score=min(4, rng.randint(1, 3) + (a.moment == "end"))
                )
                for a in assessments
                for d in dims
            ],
            batch_size=BATCH,
        )
        if not Workshop.objects.filter(project__in=projects).exists():
            workshops = Workshop.objects.bulk_create(
                [
                    Workshop(
                        project=p,
                        title=f"Atelier {k}",
                        step="needs",
                        starts_at=datetime(
                            2024 + k % 3, 1 + (p.pk + k) % 12, 10, 14, tzinfo=ZoneInfo("Europe/Paris")
                        ),
                    )
                    for p in projects
                    for k in range(3)
                ],
                batch_size=BATCH,
            )
            people = list(Person.objects.values_list("pk", flat=True)[:3000])
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        workshop=w, person_id=people[(i * 7 + k) % len(people)], invited=True, present=k < 4
                    )
                    for i, w in enumerate(workshops)
                    for k in range(5)
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
    print(
        f"  evaluation: {len(projects)} projects, {len(pis)} project indicators, {len(pis) * MONTHS} measurements in {time.perf_counter() - started:.0f} s"
    )

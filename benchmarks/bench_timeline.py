"""The structure's timeline (projects.relations) on the benchmark dataset: one structure that leads a
project of the benchmark programme is given a long history (20,000 exchanges at scale 1, a prospect
record with its stage changes, generated once here), on top of its projects' gate decisions, workshops,
deliverables and measurements from the dataset.

Timed, taking turns: a page of the timeline as the structure page's piece builds it
(`relations.selectors.structure_timeline`: the count, one UNION ALL of every source cut by LIMIT/OFFSET,
the page's project titles) — the first page, a deep page and a filtered page — against the raw SQL of the
same statements replayed through the database cursor. Budget: 2.5× that baseline (issue #15).

Self-contained on purpose (its own timing helpers): benchmarks/common.py is being reworked.
"""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

BUDGET = 2.5
SUBJECT = "bench-timeline"
EXCHANGES = 20_000
STAGE_CHANGES = 200


@dataclass
class Timing:
    name: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _interleaved(named: list[tuple[str, Callable[[], object]]], *, repeat: int) -> list[Timing]:
    """Each callable `repeat` times, taking turns, after one warm-up round."""
    for _name, fn in named:
        fn()
    samples: list[list[float]] = [[] for _ in named]
    for _ in range(repeat):
        for index, (_name, fn) in enumerate(named):
            start = time.perf_counter()
            fn()
            samples[index].append(time.perf_counter() - start)
    return [Timing(name, values) for (name, _fn), values in zip(named, samples, strict=True)]


def _capture(fn: Callable[[], object]) -> list[tuple[str, Any]]:
    from django.db import connection

    captured: list[tuple[str, Any]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return captured


def _replay(statements: list[tuple[str, Any]]) -> Callable[[], None]:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def _structure(programme: Any) -> Any:
    """The structure leading the benchmark programme's first project, given its long history once."""
    from django.utils import timezone

    from programme.models import Role, User
    from projects.models import Project
    from prospects.models import Exchange, ExchangeKind, Prospect, Stage, StageChange

    project = (
        Project.objects.filter(programme=programme, lead_organisation__isnull=False).order_by("pk").first()
    )
    if project is None:
        raise SystemExit("bench_timeline: the benchmark programme has no project with a lead structure")
    organisation = project.lead_organisation
    if not Exchange.objects.filter(organisation=organisation, subject=SUBJECT).exists():
        print("\n(generating the structure's history…)")
        staff, _ = User.objects.get_or_create(
            email="bench-timeline@parcours.invalid", defaults={"role": Role.STAFF, "first_name": "Bench"}
        )
        today = timezone.localdate()
        kinds = list(ExchangeKind.values)
        exchanges = Exchange.objects.bulk_create(
            [
                Exchange(
                    organisation=organisation,
                    kind=kinds[n % len(kinds)],
                    date=today - timedelta(days=n % 1500),
                    user=staff,
                    subject=SUBJECT,
                    summary="Échange de suivi avec la structure.",
                )
                for n in range(EXCHANGES)
            ],
            batch_size=1000,
        )
        project.exchanges.add(*exchanges[::10])
        prospect, _ = Prospect.objects.get_or_create(
            programme=programme, organisation=organisation, defaults={"stage": Stage.RETAINED}
        )
        stages = list(Stage.values)
        StageChange.objects.bulk_create(
            [
                StageChange(prospect=prospect, from_stage=stages[n % 7], to_stage=stages[(n + 1) % 7])
                for n in range(STAGE_CHANGES)
            ]
        )
    return organisation


def _director() -> Any:
    from programme.models import Role, User

    user, _ = User.objects.get_or_create(
        email="bench-director@parcours.invalid", defaults={"role": Role.DIRECTOR, "first_name": "Bench"}
    )
    return user


def run(*, scale: float) -> None:
    from django.db import connection

    from benchmarks.dataset import MARKER
    from programme.models import Programme
    from projects.relations import selectors, timeline
    from prospects.models import Exchange, StageChange

    programme = Programme.objects.get(name=MARKER)
    organisation = _structure(programme)
    with connection.cursor() as cursor:
        for model in (Exchange, StageChange):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    user = _director()
    rows = selectors.structure_timeline(user=user, organisation=organisation, kinds=[], page=1)["count"]
    print(
        f"\nStructure timeline — « {organisation.name} », {rows:,} rows from {len(timeline.SOURCES)} sources"
    )
    repeat = 8 if scale >= 1 else 15
    deep = max(1, rows // selectors.TIMELINE_PAGE_SIZE // 2)
    for label, kinds, page in (
        ("first page, every kind", [], 1),
        (f"page {deep}, every kind", [], deep),
        ("first page, exchanges only", ["exchange"], 1),
        ("first page, stage changes, gate decisions and workshops", ["stage", "gate", "workshop"], 1),
    ):

        def piece(k: list[str] = kinds, p: int = page) -> object:
            return selectors.structure_timeline(user=user, organisation=organisation, kinds=k, page=p)[
                "entries"
            ]

        captured = _capture(piece)
        measured, baseline = _interleaved(
            [(f"timeline ({len(captured)} queries)", piece), ("raw SQL", _replay(captured))], repeat=repeat
        )
        print(f"\n## Structure timeline, {label}")
        print(f"  {'':38} {'p50 (ms)':>10} {'p95 (ms)':>10}")
        for timing in (measured, baseline):
            print(f"  {timing.name:38} {timing.p50 * 1000:10.2f} {timing.p95 * 1000:10.2f}")
        ratio = measured.p50 / baseline.p50
        verdict = "within" if ratio <= BUDGET else "OVER"
        print(f"  budget ≤ ×{BUDGET} the raw SQL: ×{ratio:.2f} — {verdict} budget")

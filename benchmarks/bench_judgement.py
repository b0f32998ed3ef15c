"""The gate dossier (#19): preparing the dossier of a project with 100 workshops and 2,000 validated
measurements — the snapshot (every figure read from `evaluation.selectors` and the project's records), its
PDF, its storage, as the worker renders it. Budget: ≤ 150 ms of CPU per page, like every report (issue #16;
the wall clock is printed beside it); the baseline is WeasyPrint laying out the same HTML, the floor of any PDF.

The project is built in a transaction rolled back at the end: the benchmark leaves the dataset as it was.
"""

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from benchmarks.common import RESULTS, Budget, Result, Timing, measure_interleaved, report

MS_PER_PAGE = 150
WORKSHOPS = 100
INDICATORS = 20
PERIODS = 100  # per indicator: 20 × 100 = 2,000 measurements


def _project(user):
    """A project in Expérimentation since 2018 with its protocol, findings, workshops and measurements."""
    from evaluation.judgement import services
    from evaluation.models import (
        EvaluationCriterion,
        EvaluationQuestion,
        Indicator,
        Measurement,
        ProjectIndicator,
    )
    from programme.models import Organisation, Programme
    from projects.models import Phase, PhasePeriod, Project, Workshop, WorkshopItem

    programme = Programme.objects.order_by("pk").first() or Programme.objects.create(name="Bench")
    lead = Organisation.objects.create(name="Bench — structure porteuse du dossier")
    start = date(2018, 1, 1)
    project = Project.objects.create(
        programme=programme,
        title="Bench — dossier de décision",
        lead_organisation=lead,
        phase=Phase.EXPERIMENTATION,
    )
    PhasePeriod.objects.create(
        project=project, phase=Phase.EXPERIMENTATION, planned_start=start, actual_start=start
    )
    questions = [
        EvaluationQuestion.objects.create(project=project, text=f"Question évaluative {q}", order=q)
        for q in range(5)
    ]
    criteria = [
        EvaluationCriterion.objects.create(question=q, text=f"Critère {q.order}.{c}")
        for q in questions
        for c in range(3)
    ]
    pis = []
    for i in range(INDICATORS):
        indicator, _created = Indicator.objects.get_or_create(
            code=f"bench-dossier-{i}", defaults={"name": f"Indicateur du dossier {i}", "unit": "personnes"}
        )
        pis.append(
            ProjectIndicator.objects.create(
                project=project,
                indicator=indicator,
                criterion=criteria[i % len(criteria)],
                baseline_value=Decimal(10),
                target_value=Decimal(5000),
            )
        )
    Measurement.objects.bulk_create(
        Measurement(
            project_indicator=pi,
            period_start=start + timedelta(days=30 * p),
            period_end=start + timedelta(days=30 * p + 29),
            value=Decimal(p % 17 + 1),
            status="validated",
            entered_by=user,
        )
        for pi in pis
        for p in range(PERIODS)
    )
    tz = timezone.get_current_timezone()
    workshops = Workshop.objects.bulk_create(
        Workshop(
            project=project,
            title=f"Atelier {w}",
            step="test",
            starts_at=datetime(2018, 2, 1, 14, tzinfo=tz) + timedelta(days=20 * w),
            shared_with_collective=w % 10 != 0,
        )
        for w in range(WORKSHOPS)
    )
    WorkshopItem.objects.bulk_create(
        WorkshopItem(
            project=project,
            workshop=w,
            kind=("need", "idea", "prototype")[n],
            title=f"{w.title} — production {n}",
        )
        for w in workshops
        for n in range(3)
    )
    for q in questions:
        finding = services.finding_save(
            actor=user,
            question=q,
            answer="Réponse de l’équipe, argumentée à partir des mesures et des ateliers. " * 4,
            levels={c.pk: ("partly", "Justification du niveau retenu.") for c in q.criteria.all()},
        )
        services.evidence_add(
            actor=user, finding=finding, kind="observation", observation="Observation de terrain."
        )
    services.recommendation_save(
        actor=user,
        project=project,
        phase=Phase.EXPERIMENTATION,
        verdict="spread",
        argument="Essaimer sur deux territoires.",
    )
    return project


def run(*, scale: float) -> None:
    """The dossier as the worker renders it (`judgement.services.dossier_render`: claim, snapshot, print
    HTML, PDF, storage, the final UPDATE), timed taking turns with its floor — WeasyPrint laying out the
    same HTML (`html_to_pdf` alone) — so a busy machine weighs on both alike. The project is the same at
    every scale (100 workshops, 2,000 measurements: the issue's size); `--small` only shrinks the shared
    dataset around it."""
    import logging

    from django.core.files.storage import default_storage

    from evaluation.judgement import services
    from evaluation.judgement.models import GateDossier
    from evaluation.reports.pdf import html_to_pdf
    from programme.models import User

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    started = time.perf_counter()
    with transaction.atomic():
        user = User.objects.filter(role="director", is_active=True).order_by(
            "pk"
        ).first() or User.objects.create_user("bench-dossier@parcours.invalid", role="director")
        project = _project(user)
        today = timezone.localdate()
        rendered: list[GateDossier] = []

        def prepare_and_render() -> None:
            """What `dossier_prepare` writes, then what the task runs."""
            dossier = GateDossier.objects.create(
                project=project, phase=project.phase, as_of=today, requested_by=user
            )
            done = services.dossier_render(dossier_id=dossier.pk)
            assert done is not None and done.status == "done", done and done.error
            rendered.append(done)

        prepare_and_render()
        first = rendered[0]
        html = services.print_html(
            kind="dossier", title="Bench", snapshot=first.snapshot, as_of=today, requested_by=str(user)
        )
        pages = first.pages or 1
        cpu: dict[str, list[float]] = {"task": [], "floor": []}

        def on_cpu(name: str, fn: Callable[[], object]) -> Callable[[], None]:
            """`fn`, noting the CPU time this process spent in it: on a machine shared with other
            work the wall clock also counts the time spent waiting for a core."""

            def timed() -> None:
                start = time.process_time()
                fn()
                cpu[name].append(time.process_time() - start)

            return timed

        ours, floor = measure_interleaved(
            [
                ("dossier_render (the task)", on_cpu("task", prepare_and_render)),
                ("html_to_pdf alone", on_cpu("floor", lambda: html_to_pdf(html))),
            ],
            repeat=3,
            warmup=0,
        )
        for dossier in rendered:
            default_storage.delete(dossier.file.name or "")
        transaction.set_rollback(True)
    per_page = Timing("ms per page", [s / pages for s in ours.samples])
    floor_per_page = Timing("WeasyPrint alone, ms per page", [s / pages for s in floor.samples])
    title = f"Gate dossier — {WORKSHOPS} workshops, {INDICATORS * PERIODS} measurements: {pages} pages"
    report(title, ours, [floor])
    task_cpu, floor_cpu = (statistics.median(cpu[k]) for k in ("task", "floor"))
    print(
        f"  CPU time of this process (median): the task {task_cpu * 1000:.0f} ms = "
        f"{task_cpu / pages * 1000:.0f} ms per page, WeasyPrint alone {floor_cpu * 1000:.0f} ms = "
        f"{floor_cpu / pages * 1000:.0f} ms per page; wall clock {per_page.p50 * 1000:.0f} ms per page "
        f"(took {time.perf_counter() - started:.0f} s)"
    )
    RESULTS.append(
        Result(
            f"Gate dossier, {pages} pages (100 workshops, 2,000 measurements): time per page (wall clock)",
            per_page,
            floor_per_page,
        )
    )
    # The budget is judged on the render's CPU time, as for the reports (bench_reports): what it costs with a
    # core of its own — the wall clock above also counts the waits for a core when the machine is shared.
    RESULTS.append(
        Result(
            f"Gate dossier, {pages} pages: CPU time per page",
            Timing("CPU ms per page", [c / pages for c in cpu["task"]]),
            Timing("WeasyPrint alone, CPU ms per page", [c / pages for c in cpu["floor"]]),
            Budget(ms=MS_PER_PAGE),
        )
    )

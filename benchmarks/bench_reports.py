"""PDF report rendering: milliseconds per page and memory growth, each report in a fresh process.

On the "Benchmark programme" of benchmarks/dataset.py: the cohort whose activity report is closest to ~20
pages and the largest cohort (~250 pages at scale 1). Each report is rendered in a **fresh child process**
(`python -m benchmarks.bench_reports …`): its memory growth is the child's peak resident memory (WeasyPrint's C libraries
included) minus its resident memory once Django and WeasyPrint are loaded — not the memory left over by the
benchmarks run before. The child then times the HTML alone (queries + templates) and the full render (HTML +
layout + PDF). Budgets (issue #16): ≤ 150 ms per page, ≤ 300 MB growth at any size. Nothing is written to
storage: the render is what a worker does.

The demo data (the steps of `manage.py seed_demo`, built in a rolled-back transaction) is timed in this
process, for reference only.
"""

import json
import os
import subprocess
import sys
import time
from datetime import date

from django.db import transaction
from django.utils import timezone

from benchmarks.common import RESULTS, Budget, Result, Timing, measure, memory_mb

MS_PER_PAGE = 150
GROWTH_MB = 300


def _unsaved_report(*, programme, user, cohort=None, start: date, end: date):
    from evaluation.models import Report, ReportKind

    parameters = {"period_start": start.isoformat(), "period_end": end.isoformat()}
    if cohort is not None:
        parameters["cohort"] = cohort.pk
    return Report(
        kind=ReportKind.ACTIVITY,
        programme=programme,
        parameters=parameters,
        title=f"Benchmark — {programme.name}",
        requested_by=user,
    )


def _child(programme_id: int, cohort_id: int | None, user_id: int, repeat: int) -> dict:
    """In a fresh interpreter: load Django and WeasyPrint, render once for memory, then time."""
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from evaluation.reports.pdf import _weasyprint, html_to_pdf
    from evaluation.reports.services import render_report_html
    from programme.models import Cohort, Programme, User

    _weasyprint()
    programme = Programme.objects.get(pk=programme_id)
    cohort = Cohort.objects.get(pk=cohort_id) if cohort_id else None
    today = timezone.localdate()
    report_obj = _unsaved_report(
        programme=programme,
        user=User.objects.get(pk=user_id),
        cohort=cohort,
        start=date(today.year - 2, 1, 1),
        end=today,
    )
    before = memory_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    pages = html_to_pdf(render_report_html(report_obj)).pages
    first, first_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    growth = memory_mb("VmHWM") - before
    html = measure("HTML only", lambda: render_report_html(report_obj), repeat=max(1, repeat), warmup=0)
    # The first render counts among the timings (a long report is rendered few times). Each render is
    # timed twice: on the wall clock and in this process's CPU time, which other work on a shared machine
    # does not inflate (the render is one thread; on PostgreSQL the server's share of the HTML is not in it).
    wall, cpu = [first], [first_cpu]
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        html_to_pdf(render_report_html(report_obj))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "pages": pages,
        "growth": growth,
        "before": before,
        "html": html.samples,
        "full": wall,
        "cpu": cpu,
    }


def _bench_in_fresh_process(label: str, *, programme, cohort, user, repeat: int) -> None:
    args = [str(programme.pk), str(cohort.pk if cohort else 0), str(user.pk), str(repeat)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_reports", *args],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    pages = out["pages"]
    per_page = Timing("ms per page", [s / pages for s in out["full"]])
    cpu_per_page = Timing("CPU ms per page", [s / pages for s in out["cpu"]])
    html = Timing("HTML", out["html"])
    full = Timing("HTML + PDF", out["full"])
    print(f"\n## Activity report — {label}: {pages} pages (fresh process)")
    print(
        f"  full render: median {full.p50:.2f} s (min {full.min:.2f}, max {full.max:.2f}, n {len(full.samples)}); "
        f"HTML alone {html.p50:.2f} s ({html.p50 / full.p50 * 100:.0f} %)"
    )
    print(
        f"  {per_page.p50 * 1000:.0f} ms per page on the wall clock, {cpu_per_page.p50 * 1000:.0f} ms of CPU; "
        f"memory {out['before']:.0f} MB loaded, +{out['growth']:.0f} MB peak"
    )
    # The budget is judged on the render's CPU time: on a quiet machine it is its wall-clock time (one
    # thread, SQLite in process), and unlike the wall clock it does not grow with what else the machine runs.
    RESULTS.append(Result(f"PDF report, {pages} pages: time per page (wall clock)", per_page, None))
    RESULTS.append(
        Result(
            f"PDF report, {pages} pages: time per page (CPU of the render)",
            cpu_per_page,
            None,
            Budget(ms=MS_PER_PAGE),
        )
    )
    RESULTS.append(
        Result(
            f"PDF report, {pages} pages: memory growth (fresh process)",
            per_page,
            None,
            Budget(mb=GROWTH_MB),
            mb=out["growth"],
            note=f"+{out['growth']:.0f} MB",
        )
    )


def _director():
    from programme.models import User

    return User.objects.filter(role="director", is_active=True).order_by("pk").first()


def _bench_demo(repeat: int) -> None:
    from evaluation.management.commands.seed_demo import STEPS
    from evaluation.reports.pdf import html_to_pdf
    from evaluation.reports.services import render_report_html
    from programme.demo import DemoContext
    from programme.models import Programme

    with transaction.atomic():
        ctx = DemoContext()
        for step in STEPS:
            step(ctx)
        programme = ctx.programme or Programme.objects.exclude(name="Benchmark programme").first()
        user = ctx.users.get("director") or _director()
        today = timezone.localdate()
        report_obj = _unsaved_report(
            programme=programme, user=user, start=date(today.year - 1, 1, 1), end=today
        )
        pages: list[int] = []
        full = measure(
            "demo", lambda: pages.append(html_to_pdf(render_report_html(report_obj)).pages), repeat=repeat
        )
        print(
            f"\n## Activity report — demo data: {pages[-1]} pages, median {full.p50:.2f} s, "
            f"{full.p50 / pages[-1] * 1000:.0f} ms per page (this process; for reference)"
        )
        transaction.set_rollback(True)


def run(*, scale: float) -> None:
    import logging

    from django.db.models import Count

    from programme.models import Programme, User

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    logging.getLogger("evaluation").setLevel(logging.ERROR)
    started = time.perf_counter()
    _bench_demo(1)
    programme = Programme.objects.get(name="Benchmark programme")
    user = _director() or User.objects.create_user("bench-reports@parcours.invalid", role="director")
    cohorts = list(programme.cohorts.annotate(n=Count("projects")).filter(n__gt=0))
    # The smallest cohort (~20 pages: about 12 pages of sections and 2 per project) and the largest.
    small = min(cohorts, key=lambda c: c.n)
    large = max(cohorts, key=lambda c: c.n)
    _bench_in_fresh_process(
        f"cohort « {small.name} » ({small.n} projects)",
        programme=programme,
        cohort=small,
        user=user,
        repeat=2,
    )
    _bench_in_fresh_process(
        f"cohort « {large.name} » ({large.n} projects)",
        programme=programme,
        cohort=large,
        user=user,
        repeat=2 if scale < 1 else 0,
    )
    print(f"\n  (reports benchmark took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    # The child: settings from the environment the parent passed (DATABASE_URL of the benchmark database).
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    django.setup()
    programme_id, cohort_id, user_id, repeat = (int(a) for a in sys.argv[1:5])
    print(json.dumps(_child(programme_id, cohort_id or None, user_id, repeat)))

"""PDF report rendering: seconds per page and peak memory, next to the HTML rendering alone.

Two datasets, in the same run:
- demo size: the demo data (the steps of `manage.py seed_demo`) built inside a transaction that is rolled back,
  so the benchmark database is left as it was;
- benchmark size: the "Benchmark programme" of benchmarks/dataset.py — the cohort whose activity report
  is closest to ~20 pages (one appendix page per project), and the whole programme when it stays under
  MAX_PAGES_FULL pages.

For each report: the HTML alone (queries + templates, `render_report_html`), then the full render (HTML +
WeasyPrint layout + PDF), seconds per page, the Python heap peak during the render (tracemalloc) and the
process's peak resident memory (getrusage; WeasyPrint's C libraries included). The render itself is what
a worker does: nothing is written to storage.
"""

import resource
import time
import tracemalloc
from datetime import date

from django.db import transaction
from django.utils import timezone

from benchmarks.common import measure, report
from evaluation.management.commands.seed_demo import STEPS

MAX_PAGES_FULL = 120
TARGET_PAGES = 20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def _bench_one(label: str, report_obj, *, repeat: int) -> None:
    from evaluation.reports.pdf import html_to_pdf
    from evaluation.reports.services import render_report_html

    html_timing = measure(
        f"HTML only ({label})", lambda: render_report_html(report_obj), repeat=repeat, warmup=1
    )

    pages_seen: list[int] = []

    def full_render():
        pages_seen.append(html_to_pdf(render_report_html(report_obj)).pages)

    before = _maxrss_mb()
    pdf_timing = measure(f"HTML + PDF ({label})", full_render, repeat=max(2, repeat // 2), warmup=1)
    pages = pages_seen[-1]
    # One more render under tracemalloc (it slows Python down, so it is kept out of the timings).
    tracemalloc.start()
    html_to_pdf(render_report_html(report_obj))
    heap_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    report(f"Activity report — {label}: {pages} pages", pdf_timing, [html_timing])
    print(
        f"  seconds per page (p50): {pdf_timing.p50 / pages:.3f} s"
        f"  |  HTML share of the render: {html_timing.p50 / pdf_timing.p50 * 100:.1f} %"
    )
    print(
        f"  peak Python heap during a render (tracemalloc): {heap_peak:.1f} MiB"
        f"  |  process peak RSS: {_maxrss_mb():.0f} MiB (was {before:.0f} MiB before rendering)"
    )


def _director():
    from programme.models import User

    return User.objects.filter(role="director", is_active=True).order_by("pk").first()


def _bench_demo(repeat: int) -> None:
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
        _bench_one("demo data", report_obj, repeat=repeat)
        transaction.set_rollback(True)


def _bench_dataset(repeat: int) -> None:
    from django.db.models import Count

    from programme.models import Programme, User

    programme = Programme.objects.filter(name="Benchmark programme").first()
    if programme is None:
        print("\n## Activity report — benchmark dataset: no benchmark programme (run `make bench`).")
        return
    user = _director()
    created_user = None
    if user is None:  # the dataset may not include a director: a throwaway one reads the figures
        created_user = user = User.objects.create_user("bench-reports@parcours.invalid", role="director")
    try:
        projects = programme.projects.count()
        today = timezone.localdate()
        start, end = date(today.year - 2, 1, 1), today
        if projects == 0:
            print(
                "\n## Activity report — benchmark dataset: the benchmark programme has no projects yet "
                "(no projects generator in benchmarks/dataset.py); rendering its empty report."
            )
            _bench_one(
                "benchmark dataset (empty)",
                _unsaved_report(programme=programme, user=user, start=start, end=end),
                repeat=repeat,
            )
            return
        # ~20 pages: cover, contents, 7 sections (~9 pages) and one appendix page per project.
        cohorts = list(programme.cohorts.annotate(n=Count("projects")).filter(n__gt=0))
        if cohorts:
            cohort = min(cohorts, key=lambda c: abs(c.n - (TARGET_PAGES - 9)))
            label = f"benchmark dataset, cohort « {cohort.name} » ({cohort.n} projects)"
            _bench_one(
                label,
                _unsaved_report(programme=programme, user=user, cohort=cohort, start=start, end=end),
                repeat=repeat,
            )
        if projects + 10 <= MAX_PAGES_FULL:
            _bench_one(
                f"benchmark dataset, whole programme ({projects} projects)",
                _unsaved_report(programme=programme, user=user, start=start, end=end),
                repeat=max(2, repeat // 2),
            )
        else:
            print(
                f"\n  (whole programme: {projects} projects ≈ {projects + 10} pages — above {MAX_PAGES_FULL}, "
                "not rendered here; expect the seconds per page above)"
            )
    finally:
        if created_user is not None:
            created_user.delete()


def run(*, scale: float) -> None:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("evaluation").setLevel(logging.ERROR)
    repeat = 4 if scale < 1 else 6
    started = time.perf_counter()
    _bench_demo(repeat)
    _bench_dataset(repeat)
    print(f"\n  (reports benchmark took {time.perf_counter() - started:.0f} s)")

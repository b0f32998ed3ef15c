"""The director dashboard on the benchmark dataset (1,000 projects, 1,000,000 measurements at scale 1).

Timed through Django's test client (middleware, session, selectors, templates, SVG charts), taking turns
with its baseline: every query the dashboard runs, captured from one render and replayed through the
database cursor, plus plain string building of the rows. Budget (issue #16): ≤ 5 queries, ≤ 2× that
baseline. The figures' cache is switched off here (DASHBOARD_CACHE_SECONDS=0): these rows time their cold
computation, what the first visit after a write costs; `benchmarks/load.py` times the page as served,
cache on. For scale, the indicator aggregate computed the naive way (over the measurements table itself)
is printed next to it.
"""

from django.test import Client, override_settings

from benchmarks.common import Budget, bench_director, compare, count, measure, page_and_baseline, replay

URL = "/evaluation/tableau-de-bord/"


def run(*, scale: float) -> None:
    from benchmarks.dataset import MARKER
    from evaluation.models import Measurement
    from programme.models import Programme

    programme = Programme.objects.get(name=MARKER)
    client = Client(SERVER_NAME="localhost")  # an allowed host
    client.force_login(bench_director())
    measurements = Measurement.objects.filter(project_indicator__project__programme=programme).count()
    print(f"\nEvaluation dashboard — {count(measurements)} measurements")
    for label, query in (
        ("all years", f"programme={programme.pk}"),
        ("one year", f"programme={programme.pk}&year=2025"),
    ):
        with override_settings(DASHBOARD_CACHE_SECONDS=0):  # the figures computed on every fetch
            page, baseline, queries = page_and_baseline(client, f"{URL}?{query}")
            compare(
                f"Dashboard, {label}, {count(measurements)} measurements, cache off",
                page,
                baseline,
                budget=Budget(ratio=2, queries=5),
                queries=queries,
                repeat=5 if scale >= 1 else 8,
            )
        naive_sql = (
            "SELECT pi.indicator_id, COUNT(*), SUM(m.value), SUM(m.numerator), SUM(m.denominator) "
            "FROM evaluation_measurement m JOIN evaluation_projectindicator pi ON pi.id = m.project_indicator_id "
            "JOIN projects_project p ON p.id = pi.project_id WHERE p.programme_id = %s AND m.status = 'validated' "
            + ("AND m.period_end BETWEEN %s AND %s " if "year" in query else "")
            + "GROUP BY pi.indicator_id"
        )
        params = (programme.pk, "2025-01-01", "2025-12-31") if "year" in query else (programme.pk,)
        naive = measure("naive SQL over measurements", replay([(naive_sql, params)]), repeat=3, warmup=1)
        print(
            f"  (for scale: the indicator aggregate over the measurements table, median {naive.p50 * 1000:.0f} ms)"
        )

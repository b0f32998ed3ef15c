"""The dashboard's funding block on the benchmark dataset: 2,000 projects × 10 conventions × 6
instalments at scale 1 (benchmarks/gen_funding.py, generated on first use).

Timed, taking turns: the block as the dashboard builds it (`evaluation.selectors.funding`, then its four
tables and the rows the page shows), and the raw SQL of the block's aggregates — every query the block runs,
captured from one run and replayed through the database cursor, plus string building. The budget is 2× that
baseline (issue #12), a row of the closing table.
"""

from benchmarks.common import Budget, bench_director, capture_sql, compare, count, reads_only, replay

BUDGET = 2.0


def run(*, scale: float) -> None:
    from benchmarks import gen_funding
    from benchmarks.dataset import MARKER
    from evaluation import selectors
    from evaluation.reports import dashboard
    from programme.models import Programme
    from projects.funding.models import Convention, Instalment, Payment

    programme = Programme.objects.get(name=MARKER)
    if not gen_funding.exists(programme):
        print("\n(generating the money of the benchmark programme…)")
        gen_funding.generate(programme=programme, scale=scale)
    # Bulk-inserted rows: give the planner the statistics a live database has (PostgreSQL's autovacuum
    # gathers them; SQLite keeps them from ANALYZE / PRAGMA optimize).
    from django.db import connection

    with connection.cursor() as cursor:
        for model in (Convention, Instalment, Payment):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    conventions = Convention.objects.filter(project__programme=programme).count()
    instalments = Instalment.objects.filter(convention__project__programme=programme).count()
    print(f"\nFunding block — {count(conventions)} conventions, {count(instalments)} instalments")
    user = bench_director()
    repeat = 6 if scale >= 1 else 12
    for label, filters in (
        ("all years", selectors.Filters(programme_id=programme.pk)),
        ("one year", selectors.Filters(programme_id=programme.pk, year=selectors.Filters().as_of.year)),
    ):

        def block(f=filters):
            money = selectors.funding(user=user, filters=f)
            figures = {"funding": money}
            for key in ("funding_kinds", "cash_forecast", "overdue_instalments", "late_justifications"):
                table = dashboard.TABLES[key][1](figures["funding"])
                table.limit = dashboard.PAGE_LIMITS.get(key)
                table.shown_with_notes  # noqa: B018 — what the page formats: the rows it shows
            return money

        captured = capture_sql(block)
        compare(
            f"Dashboard's funding block, {label}",
            block,
            replay(reads_only(captured)),
            budget=Budget(ratio=BUDGET),
            queries=len(captured),
            repeat=repeat,
            baseline_name="its SQL + string building",
        )

"""The director dashboard on the benchmark dataset (1,000 projects, 1,000,000 measurements at scale 1).

Timed through Django's test client (middleware, session, selectors, templates, SVG charts), next to, in
the same run:
- the raw SQL of every query the dashboard runs, captured from one render and replayed through the
  database cursor (what the database alone costs);
- the raw SQL of the two indicator aggregates only (roll-up table + protocol baselines/targets);
- for scale, the same aggregate computed the naive way: over the measurements table itself.
Printed as ratios (benchmarks.common.report).
"""

from django.test import Client

from benchmarks.common import capture_sql, measure, replay, report

URL = "/evaluation/tableau-de-bord/"


def _director():
    from programme.models import Role, User

    user, _ = User.objects.get_or_create(
        email="bench-director@parcours.invalid", defaults={"role": Role.DIRECTOR, "first_name": "Bench"}
    )
    return user


def _captured_sql(client: Client, query: dict) -> list[tuple[str, tuple]]:
    response = []
    captured = capture_sql(lambda: response.append(client.get(URL, query)))
    assert response[0].status_code == 200, response[0].status_code
    return captured


def run(*, scale: float) -> None:
    from benchmarks.dataset import MARKER
    from evaluation.models import Measurement
    from programme.models import Programme

    programme = Programme.objects.get(name=MARKER)
    client = Client(SERVER_NAME="localhost")  # an allowed host
    client.force_login(_director())
    measurements = Measurement.objects.filter(project_indicator__project__programme=programme).count()
    print(f"\nEvaluation dashboard — {measurements:,} measurements".replace(",", " "))
    repeat = 10 if scale >= 1 else 20
    for label, query in (
        ("all years", {"programme": programme.pk}),
        ("one year", {"programme": programme.pk, "year": 2025}),
    ):
        statements = _captured_sql(client, query)
        aggregates = [
            s
            for s in statements
            if "evaluation_measurementrollup" in s[0] or "evaluation_projectindicator" in s[0]
        ]
        page = measure(
            f"dashboard ({len(statements)} queries)", lambda q=query: client.get(URL, q), repeat=repeat
        )
        raw_all = measure("raw SQL of all its queries", replay(statements), repeat=repeat)
        raw_agg = measure("raw SQL of indicator aggregates", replay(aggregates), repeat=repeat)
        naive_sql = (
            "SELECT pi.indicator_id, COUNT(*), SUM(m.value), SUM(m.numerator), SUM(m.denominator) "
            "FROM evaluation_measurement m JOIN evaluation_projectindicator pi ON pi.id = m.project_indicator_id "
            "JOIN projects_project p ON p.id = pi.project_id WHERE p.programme_id = %s AND m.status = 'validated' "
            + ("AND m.period_end BETWEEN %s AND %s " if "year" in query else "")
            + "GROUP BY pi.indicator_id"
        )
        params = (programme.pk, "2025-01-01", "2025-12-31") if "year" in query else (programme.pk,)
        naive = measure(
            "naive SQL over measurements",
            replay([(naive_sql, params)]),
            repeat=max(3, repeat // 4),
            warmup=1,
        )
        report(f"Dashboard, {label}", page, [raw_all, raw_agg, naive])

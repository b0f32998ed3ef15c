"""The benchmark dataset: generated once into the benchmark database, reused on later runs.

Each app contributes a generator function `generate(*, programme, scale)`, run in the order of GENERATORS.
A marker row records what was generated so a second `make bench` does not rebuild it.
"""

from django.core.cache import cache  # noqa: F401

from programme.models import Programme

MARKER = "Benchmark programme"


def _generators() -> list:
    """The generators, each taking `scale` (1.0 = full size): projects first (no dependency on prospects
    data), their money, then evaluation (on those projects), then prospects (their own structures)."""
    from benchmarks import gen_evaluation, gen_funding, gen_projects, gen_prospects

    return [gen_projects.generate, gen_funding.generate, gen_evaluation.generate, gen_prospects.generate]


def ensure(*, scale: float, regenerate: bool = False) -> None:
    existing = Programme.objects.filter(name=MARKER).first()
    if existing and not regenerate and existing.description == f"scale={scale}":
        return
    if existing:
        print("Regenerating the benchmark dataset…")
    programme, _ = Programme.objects.update_or_create(name=MARKER, defaults={"description": f"scale={scale}"})
    from benchmarks import gen_funding

    gen_funding.clear(programme)  # before the projects generator removes the projects
    for generate in _generators():
        generate(programme=programme, scale=scale)
    analyse()


def analyse() -> None:
    """On PostgreSQL, VACUUM ANALYZE the freshly written tables, as autovacuum does in production (it may be
    off on a test server, as on this machine's): without statistics the planner guesses every table's size and
    every filter's selectivity, and without the visibility map an index-only count reads the heap."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

"""The benchmark dataset: generated once into the benchmark database, reused on later runs.

Each app contributes a generator function `generate(scale)` listed in GENERATORS (lower apps first).
A marker row records what was generated so a second `make bench` does not rebuild it.
"""

from django.core.cache import cache  # noqa: F401

from programme.models import Programme

MARKER = "Benchmark programme"

# Dotted paths of generator functions, each taking `scale` (1.0 = full size). Apps append theirs.
GENERATORS: list[str] = []
GENERATORS.append("benchmarks.gen_projects.generate")  # projects (no dependency on prospects data)
GENERATORS.append("benchmarks.gen_evaluation.generate")  # evaluation (runs after the projects)
GENERATORS.append("benchmarks.gen_prospects.generate")  # prospects (own structures, no dependency)


def ensure(*, scale: float, regenerate: bool = False) -> None:
    from django.utils.module_loading import import_string

    existing = Programme.objects.filter(name=MARKER).first()
    if existing and not regenerate and existing.description == f"scale={scale}":
        return
    if existing:
        print("Regenerating the benchmark dataset…")
    programme, _ = Programme.objects.update_or_create(name=MARKER, defaults={"description": f"scale={scale}"})
    for dotted in GENERATORS:
        import_string(dotted)(programme=programme, scale=scale)

"""`make bench`: run every benchmarks/bench_*.py module against a dedicated benchmark database.

The database is `var/bench.sqlite3` unless BENCH_DATABASE_URL (or DATABASE_URL) points elsewhere; the
dataset is generated once and reused (pass --regenerate to rebuild it). `--only NAME` runs one module.
Ends with the table "operation | ours | baseline | ratio | budget | met" and exits with status 1 when a
budget is missed (the benchmark is not part of `make test`).
"""

import argparse
import importlib
import os
import pkgutil
import sys
from pathlib import Path

from benchmarks.common import use_bench_database

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", help="run only benchmarks/bench_<ONLY>.py (or `load`: benchmarks/load.py)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the benchmark dataset")
    parser.add_argument("--small", action="store_true", help="a tenth of the dataset (quick check)")
    args = parser.parse_args()

    use_bench_database(ROOT)
    os.environ["DEBUG"] = "1"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from benchmarks import dataset

    scale = 0.1 if args.small else 1.0
    dataset.ensure(scale=scale, regenerate=args.regenerate)
    names = sorted(
        m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_")
    )
    names.append("load")  # the whole app under gunicorn (benchmarks/load.py), last
    if args.only:
        names = [n for n in names if n in (f"bench_{args.only}", args.only)]
    print(f"Parcours benchmarks — database {django.db.connection.vendor}, scale {scale}")
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        module.run(scale=scale)
        # What a module wrote and rolled back is dead rows until a vacuum — autovacuum may be off, as on
        # this machine: the next module, or the next run, would scan them and plan on stale statistics
        # (the import benchmark also compacts the tables it wrote: bench_prospects._compact_after_import).
        dataset.analyse()
    from benchmarks.common import print_table

    if not print_table():
        print("\nSome budgets are missed (see the table above).")
        sys.exit(1)


if __name__ == "__main__":
    main()

"""`make bench`: run every benchmarks/bench_*.py module against a dedicated benchmark database.

The database is `var/bench.sqlite3` unless BENCH_DATABASE_URL (or DATABASE_URL) points elsewhere; the
dataset is generated once and reused (pass --regenerate to rebuild it). `--only NAME` runs one module.
Ends with the table "operation | ours | baseline | ratio | budget | met" and exits with status 1 when a
budget is missed (the benchmark is not part of `make test`).

Each module runs in a process of its own (this command again, with `--only` and `--results`), as each job
runs in a server or worker process of its own: a module is not measured in a heap that the modules before it
filled — the dashboard's million measurements made every later garbage collection slower, and the gate
dossier's CPU per page read 157 ms after them against 131 ms alone. The children's rows come back through a
pickle file; the parent prints the closing table.
"""

import argparse
import importlib
import os
import pickle
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import use_bench_database

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", help="run only benchmarks/bench_<ONLY>.py (or `load`: benchmarks/load.py)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the benchmark dataset")
    parser.add_argument("--small", action="store_true", help="a tenth of the dataset (quick check)")
    parser.add_argument("--results", help=argparse.SUPPRESS)  # a child's rows, pickled (see the docstring)
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
    print(f"Parcours benchmarks — database {django.db.connection.vendor}, scale {scale}", flush=True)
    from benchmarks.common import RESULTS, print_table

    if args.results or len(names) == 1:
        for name in names:
            module = importlib.import_module(f"benchmarks.{name}")
            module.run(scale=scale)
            dataset.analyse()
        if args.results:
            Path(args.results).write_bytes(pickle.dumps(RESULTS))
            return
    else:
        for name in names:
            RESULTS.extend(_in_own_process(name, small=args.small))
    if not print_table():
        print("\nSome budgets are missed (see the table above).")
        sys.exit(1)


def _in_own_process(name: str, *, small: bool) -> list:
    """The rows of the module `name`, run in a new process (this command with --only and --results)."""
    command = [sys.executable, "-m", "benchmarks", "--only", name, *(["--small"] if small else [])]
    return child_rows(command)


def child_rows(command: list[str]) -> list:
    """Run `command` with `--results FILE` added and return the rows it pickled there. A child that fails
    stops the run with its status."""
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results.pickle"
        completed = subprocess.run([*command, "--results", str(results)], cwd=ROOT, check=False)
        if completed.returncode:
            sys.exit(completed.returncode)
        return pickle.loads(results.read_bytes())  # noqa: S301 — our own child's file, just written


if __name__ == "__main__":
    main()

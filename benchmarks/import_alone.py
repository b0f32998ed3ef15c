"""The prospect import's benchmark alone, without generating the rest of the dataset: `python -m
benchmarks.import_alone [ROWS]` (10,000 by default) on the benchmark database (BENCH_DATABASE_URL, else
var/bench.sqlite3). The prospects part of the dataset (as many existing prospects and structures as the
file has rows, `gen_prospects`) is generated first when missing, so the file is matched against a base
of that size. Ends with the closing table, exits 1 when the budget is missed."""

import sys
from pathlib import Path

from benchmarks.common import print_table, use_bench_database


def main() -> None:
    use_bench_database(Path(__file__).resolve().parent.parent)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.bench_prospects import bench_import
    from benchmarks.dataset import MARKER
    from benchmarks.gen_prospects import _staff, generate
    from programme.models import Programme

    call_command("migrate", verbosity=0)
    print(f"Prospect import benchmark — database {connection.vendor}")
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    programme, _ = Programme.objects.get_or_create(name=MARKER, defaults={"description": "import only"})
    if programme.prospects.count() < rows:
        generate(programme=programme, scale=rows / 10_000)
    bench_import(programme=programme, user=_staff()[0], rows=rows)
    sys.exit(0 if print_table() else 1)


if __name__ == "__main__":
    main()

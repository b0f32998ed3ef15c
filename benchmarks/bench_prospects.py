"""Prospects: the list (unfiltered and filtered), the board, and the import of a 10,000-row CSV, each next
to its baseline measured taking turns in the same run: the page's own SQL (captured, replayed through a raw
cursor) plus plain string building; for the import, a COPY of the same file into a staging table
(PostgreSQL; on SQLite, one executemany of its rows). A minimal Django view behind the same middleware is
printed too, as the floor of any page."""

import csv
import io

from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import clear_url_caches

from benchmarks.common import Budget, compare, count, measure, page_and_baseline, with_bare_page
from benchmarks.dataset import MARKER
from programme.models import Programme, User
from programme.pages import PAGE_SIZE
from prospects import importing, services

LIST = "/prospects/"
BARE = "/prospects/bare/"


urlpatterns = with_bare_page("prospects/bare/")


def _csv(rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Nom", "Commune", "SIREN", "Forme", "E-mail", "Prénom", "Nom du contact"])
    for i in range(rows):
        writer.writerow(
            [f"Import bench {i:05d}", "Lyon", "", "association", f"c{i}@bench.fr", "Ana", f"N{i}"]
        )
    return buffer.getvalue().encode("utf-8")


def run(*, scale: float) -> None:
    programme = Programme.objects.get(name=MARKER)
    user = User.objects.filter(email="staff0@bench-prospects.parcours").first()
    if user is None or not programme.prospects.exists():
        # A dataset generated before this generator existed: add the prospects part now.
        from benchmarks.gen_prospects import generate

        generate(programme=programme, scale=scale)
        user = User.objects.get(email="staff0@bench-prospects.parcours")
    total = programme.prospects.count()
    print(f"\nProspects: {total:_} in the benchmark programme".replace("_", " "))
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    with override_settings(ROOT_URLCONF="benchmarks.bench_prospects"):
        clear_url_caches()
        bare = measure("minimal Django view", lambda: client.get(BARE), repeat=10)
        print(f"  (floor: a minimal Django view behind the same middleware, median {bare.p50 * 1000:.1f} ms)")
        pages = [
            (
                f"Prospect list, unfiltered, 1 page of {PAGE_SIZE} among {count(total)}",
                f"{LIST}?programme={programme.pk}&o=name",
                Budget(),
            ),
            (
                "Prospect list, filtered (stage, overdue, search)",
                f"{LIST}?programme={programme.pk}&stage=contacted&overdue=1&q=Bench",
                Budget(ratio=2.5),
            ),
            ("Prospect board (9 columns)", f"{LIST}tableau/?programme={programme.pk}", Budget()),
        ]
        for title, url, budget in pages:
            page, baseline, queries = page_and_baseline(client, url)
            compare(title, page, baseline, budget=budget, queries=queries, repeat=5 if scale >= 1 else 8)
    clear_url_caches()

    rows = max(1000, int(10_000 * scale))
    content = _csv(rows)

    def full_import():
        with transaction.atomic():
            headers, body = importing.read_table(content)
            preview = importing.classify(
                programme=programme, headers=headers, body=body, mapping=importing.auto_mapping(headers)
            )
            created = services.import_rows_create(actor=user, programme=programme, preview=preview)
            assert len(created) == rows, len(created)
            transaction.set_rollback(True)

    columns = "name, town, siren, kind, email, first_name, last_name"
    staging = (
        "CREATE TEMPORARY TABLE bench_import_staging "
        "(name text, town text, siren text, kind text, email text, first_name text, last_name text)"
    )

    def copy_file():
        """The database's own speed for the same file: COPY into a staging table (PostgreSQL), or one
        executemany of the parsed rows (SQLite has no COPY)."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(staging)
                if connection.vendor == "postgresql":
                    sql = f"COPY bench_import_staging ({columns}) FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER)"
                    with cursor.cursor.copy(sql) as copy:
                        copy.write(content)
                else:
                    parsed = list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))[1:]
                    cursor.executemany(
                        f"INSERT INTO bench_import_staging ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        parsed,
                    )
                cursor.execute("DROP TABLE bench_import_staging")
            transaction.set_rollback(True)

    baseline_name = "COPY of the file" if connection.vendor == "postgresql" else "executemany of the file"
    compare(
        f"CSV import, {count(rows)} rows (parse, classify, create)",
        full_import,
        copy_file,
        budget=Budget(ratio=10),
        repeat=5,
        baseline_name=baseline_name,
    )

"""Prospects: the list (unfiltered and filtered), the board, and the import of a 10,000-row CSV, each next
to bare baselines measured in the same run — a minimal Django view behind the same middleware and URL
style, and the page's own SQL replayed through a raw cursor (or, for the import, a bare CSV parse and a
raw bulk INSERT of the same rows)."""

import csv
import io

from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import clear_url_caches, include, path

from benchmarks.common import measure, report
from benchmarks.dataset import MARKER
from programme.models import Programme, User
from programme.pages import PAGE_SIZE
from prospects import importing, services

LIST = "/prospects/"
BARE = "/prospects/bare/"


def bare_view(request):
    """The floor: session, user and the middleware stack, no query of our own, a tiny page."""
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>ok</p>")


urlpatterns = [
    path("prospects/bare/", bare_view),
    path("", include("programme.urls")),
]


def _page(client: Client, url: str):
    def fetch():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return fetch


def _captured_sql(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return [q["sql"] for q in captured.captured_queries]


def _replay(statements: list[str]):
    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return run


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
    repeat = 10 if scale < 1 else 5
    with override_settings(ROOT_URLCONF="benchmarks.bench_prospects"):
        clear_url_caches()
        bare = measure("minimal Django view", _page(client, BARE), repeat=repeat)
        pages = [
            (
                f"Prospect list, unfiltered (page 1 of {-(-total // PAGE_SIZE)}, by name)",
                f"{LIST}?programme={programme.pk}&o=name",
            ),
            (
                "Prospect list, filtered (stage, overdue, search)",
                f"{LIST}?programme={programme.pk}&stage=contacted&overdue=1&q=Bench",
            ),
            ("Prospect board (9 columns)", f"{LIST}tableau/?programme={programme.pk}"),
        ]
        for title, url in pages:
            statements = _captured_sql(client, url)
            report(
                f"{title} — {len(statements)} queries",
                measure("page", _page(client, url), repeat=repeat),
                [bare, measure("the page's SQL, raw cursor", _replay(statements), repeat=repeat)],
            )
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

    def parse_only():
        list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))

    def raw_insert():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO programme_organisation (name, normalised_name, kind, family, siren, siret, rna, "
                    "esus, address, postcode, town, normalised_town, website, description, created_at, updated_at) "
                    "VALUES (%s, %s, 'association', 'ess', '', '', '', %s, '', '', 'Lyon', 'lyon', '', '', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                    [(f"Raw {i}", f"raw {i}", False) for i in range(rows)],
                )
            transaction.set_rollback(True)

    import_repeat = 3
    report(
        f"Import of a {rows:_}-row CSV (parse, classify, create structures, prospects, contacts)".replace(
            "_", " "
        ),
        measure("import", full_import, repeat=import_repeat, warmup=1),
        [
            measure("bare csv.reader parse", parse_only, repeat=import_repeat, warmup=1),
            measure("raw INSERT of the same structures", raw_insert, repeat=import_repeat, warmup=1),
        ],
    )

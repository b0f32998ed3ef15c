"""Prospects: the list (unfiltered and filtered), the board, and the import of a 10,000-row CSV, each next
to its baseline measured taking turns in the same run: the page's own SQL (captured, replayed through a raw
cursor) plus plain string building; for the import, a COPY of the same file into a staging table
(PostgreSQL; on SQLite, one executemany of its rows). A minimal Django view behind the same middleware is
printed too, as the floor of any page."""

import csv
import io
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import clear_url_caches
from django.utils import timezone

from benchmarks.common import Budget, compare, count, measure, page_and_baseline, served, with_bare_page
from benchmarks.dataset import MARKER
from programme import bulk
from programme.models import AuditEntry, Organisation, Person, Programme, User
from programme.pages import PAGE_SIZE
from prospects import importing, services
from prospects.models import Prospect, StageChange

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
        bare = measure("minimal Django view", served(client, BARE), repeat=10)
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
            # Its structure menu draws the chosen one only (programme.forms.SearchSelect): it drew every
            # structure recorded, 12,000 options and 1.3 s, before.
            (
                f"New prospect form ({count(Organisation.objects.count())} structures recorded)",
                f"{LIST}nouveau/",
                Budget(ms=50),
            ),
        ]
        for title, url, budget in pages:
            page, baseline, queries = page_and_baseline(client, url)
            compare(title, page, baseline, budget=budget, queries=queries, repeat=5 if scale >= 1 else 8)
    clear_url_caches()

    bench_import(programme=programme, user=user, rows=max(1000, int(10_000 * scale)))
    _compact_after_import()


#: The tables the import writes (and the benchmark rolls back).
IMPORT_TABLES = (Organisation, Prospect, StageChange, Person, AuditEntry)


def _compact_after_import() -> None:
    """On PostgreSQL, give the tables the import benchmark wrote to their size before it: its rows were
    rolled back, ten times 10,000 of them, but the heap keeps their pages — the planner then costs a scan
    of the structures at twice their size and picked a plan twice as slow for the filtered list on the
    next run (its SQL 4.4 → 10 ms). VACUUM FULL rewrites each table compact, ANALYZE refreshes its
    statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in IMPORT_TABLES:
            cursor.execute(f"VACUUM FULL ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def bench_import(*, programme: Programme, user: User, rows: int) -> None:
    """The import of a `rows`-row CSV (parse, classify, create: structures, prospects, stage changes,
    contacts, audit entries), rolled back each time, against the database's own speed for the same rows:
    a COPY of them into the same five tables (PostgreSQL; one executemany per table on SQLite), with ids
    reserved from the sequences and nothing but the csv module and tuples in Python."""
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

    postgresql = connection.vendor == "postgresql"
    prospect_type = ContentType.objects.get_for_model(Prospect).pk

    def copy_file():
        """The same rows written by hand: parsed with csv, ids taken from the sequences, then COPY (or
        executemany) into each table, the columns the model requires given as literals."""
        with transaction.atomic():
            parsed = list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))[1:]
            org_ids = bulk.reserve_ids(Organisation, len(parsed))
            prospect_ids = bulk.reserve_ids(Prospect, len(parsed))
            now = timezone.now()
            today = now.date()
            tables = [
                (
                    Organisation,
                    "id, name, normalised_name, kind, family, siren, siret, rna, esus, address, postcode, town, "
                    "normalised_town, search_text, website, description, distinct_confirmed, funder_kind, "
                    "created_at, updated_at",
                    [
                        (
                            o,
                            r[0],
                            r[0].lower(),
                            r[3],
                            "ess",
                            r[2],
                            "",
                            "",
                            False,
                            "",
                            "",
                            r[1],
                            r[1].lower(),
                            f"{r[0]}\n{r[1]}".lower(),
                            "",
                            "",
                        )
                        + (False, "", now, now)
                        for o, r in zip(org_ids, parsed, strict=True)
                    ],
                ),
                (
                    Prospect,
                    "id, programme_id, organisation_id, stage, furthest_rank, discard_reason, stage_changed_at, "
                    "source, audience, project_idea, next_action, notes, created_at, updated_at",
                    [
                        (p, programme.pk, o, "identified", 0, "", now, "import", "ess", "", "", "", now, now)
                        for p, o in zip(prospect_ids, org_ids, strict=True)
                    ],
                ),
                (
                    StageChange,
                    "prospect_id, from_stage, to_stage, reason, changed_by_id, changed_at",
                    [(p, "", "identified", "", user.pk, now) for p in prospect_ids],
                ),
                (
                    Person,
                    "first_name, last_name, email, phone, job_title, organisation_id, consent_date, "
                    "consent_basis, consent_source, search_text, created_at, updated_at",
                    [
                        (
                            r[5],
                            r[6],
                            r[4],
                            "",
                            "",
                            o,
                            today,
                            "legitimate_interest",
                            "Import",
                            f"{r[5]} {r[6]}\n{r[4]}".lower(),
                            now,
                            now,
                        )
                        for o, r in zip(org_ids, parsed, strict=True)
                    ],
                ),
                (
                    AuditEntry,
                    "actor_id, action, content_type_id, object_id, object_repr, changes, created_at",
                    [
                        (
                            user.pk,
                            "prospect.imported",
                            prospect_type,
                            str(p),
                            r[0],
                            '{"source": [null, "import"]}',
                            now,
                        )
                        for p, r in zip(prospect_ids, parsed, strict=True)
                    ],
                ),
            ]
            with connection.cursor() as cursor:
                for model, columns, values in tables:
                    table = model._meta.db_table
                    if postgresql:
                        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            for value in values:
                                copy.write_row(value)
                    else:
                        marks = ", ".join(["%s"] * len(values[0]))
                        adapt = connection.ops.adapt_datetimefield_value
                        cursor.executemany(
                            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                            [[adapt(v) if isinstance(v, datetime) else v for v in value] for value in values],
                        )
            transaction.set_rollback(True)

    baseline_name = "COPY into the same tables" if postgresql else "executemany into the same tables"
    compare(
        f"CSV import, {count(rows)} rows (parse, classify, create)",
        full_import,
        copy_file,
        budget=Budget(ratio=10),
        repeat=5,
        baseline_name=baseline_name,
    )

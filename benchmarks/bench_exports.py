"""The list exports (« Exporter cette liste : CSV · XLSX »): the whole prospect list of the benchmark programme
and the whole project list, in both formats, each next to its baseline measured taking turns in the same run:
the export's own SQL (captured from one download, replayed through a raw cursor, every row fetched) and the
export's very cells (read back from that download) written by the bare library — the csv module for CSV,
openpyxl's write-only workbook for XLSX. What the export adds on top is the ORM's rows and what a user sees:
the labels, the French formats, the formula escape, the bold headers and the columns' widths."""

import csv
import io

from django.db import connection
from django.test import Client
from openpyxl import Workbook, load_workbook

from benchmarks.common import Budget, capture_sql, compare, count, reads_only, served
from benchmarks.dataset import MARKER
from programme.exports import Cell
from programme.models import Programme, User
from projects.selectors import projects_with_status

#: The exports' budget: at most this many times the same rows written by the bare library.
EXPORT_BUDGET = Budget(ratio=3)


def fetch_all(statements: list[tuple[str, tuple]]) -> None:
    """The export's reads run again through a raw cursor, every row fetched."""
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()


def cells_of(content: bytes, fmt: str) -> list[list[Cell]]:
    """The cells of a downloaded export, as its file holds them."""
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def plain_csv(cells: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(cells)
    return buffer.getvalue().encode("utf-8")


def plain_xlsx(cells: list[list[Cell]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in cells:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS = {"csv": plain_csv, "xlsx": plain_xlsx}


def bench_export(client: Client, title: str, url: str, fmt: str, *, repeat: int) -> None:
    download = served(client, url)
    download()  # warm caches (session, content types) before capturing
    statements = capture_sql(download)
    reads = reads_only(statements)
    cells = cells_of(download(), fmt)
    write = WRITERS[fmt]

    def baseline() -> bytes:
        fetch_all(reads)
        return write(cells)

    compare(
        title,
        download,
        baseline,
        budget=EXPORT_BUDGET,
        queries=len(statements),
        repeat=repeat,
        baseline_name=f"its SQL + its cells by the bare {fmt.upper()} writer",
    )


def run(*, scale: float) -> None:  # noqa: ARG001 — the dataset's scale: the exports take it whole
    programme = Programme.objects.get(name=MARKER)
    repeat = 5
    prospects_user = User.objects.get(email="staff0@bench-prospects.parcours")
    projects_user = User.objects.get(email="staff0@bench-projects.parcours")
    for user, path, noun, total in (
        (prospects_user, "/prospects/export", "prospects", programme.prospects.count()),
        (projects_user, "/projets/export", "projects", projects_with_status(projects_user).count()),
    ):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        for fmt in ("csv", "xlsx"):
            bench_export(
                client,
                f"Export of the {noun} list, {fmt.upper()}, {count(total)} {noun}",
                f"{path}.{fmt}?programme={programme.pk}" if noun == "prospects" else f"{path}.{fmt}",
                fmt,
                repeat=repeat,
            )

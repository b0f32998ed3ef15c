"""The one CSV/XLSX writer (prospect list, dashboard tables…) with the one formula escape.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) are prefixed with an apostrophe — in both formats — so a project title typed as
`=HYPERLINK(...)` stays text. CSV is written for French spreadsheets: `;` separator, decimal comma,
UTF-8 with BOM; XLSX keeps real numbers and dates.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The formats an export is offered in (`/export.csv`, `/export.xlsx`); any other is a 404.
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


Cell = Any  # text, numbers, dates, booleans or None


def escape_formula(value: Cell) -> Cell:
    """Neutralise spreadsheet formulas in text cells; numbers and dates pass through."""
    return _escape_text(value) if isinstance(value, str) else value


def _escape_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def choice_labels(model: type[Model], name: str) -> dict[Any, str]:
    """A field's choices as {value: label}, translated once for a whole export: `get_FOO_display` hashes and
    translates every choice again on each call — 60 % of a 10,000-row export (docs/benchmarks.md)."""
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}  # type: ignore[union-attr]


def _csv_cell(value: Cell) -> str:
    if type(value) is str:  # most cells: tested first (a 10,000-row export writes 120,000 cells)
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)  # a number, never a formula: -5 stays -5
    if isinstance(value, (Decimal, float)):
        text = f"{Decimal(str(value)).normalize():f}"
        return text.replace(".", ",")
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return _escape_text(str(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with BOM and semicolons: what French Excel opens without a wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(str(h)) for h in headers])
    writer.writerows(map(_csv_row, rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_row(row: Sequence[Cell]) -> list[str]:
    return list(map(_csv_cell, row))


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One worksheet: the headers in bold, real numbers and dates (shown dd/mm/yyyy), every text cell stored
    as text, each column as wide as its longest value (10 to 60 characters). Written in openpyxl's write-only
    mode: the rows go out as they come, without a cell object per value (a 10,000-row export took twice as
    long and held every cell in memory)."""
    header = [escape_formula(str(h)) for h in headers]
    table = [[_xlsx_cell(v) for v in row] for row in rows]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    widths = [len(h) for h in header]
    for row in table:
        for number, value in enumerate(row):
            if number >= len(widths):
                widths.append(0)
            widths[number] = max(widths[number], len(str(value)) if value is not None else 0)
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = min(60, max(10, width + 2))
    bold = Font(bold=True)
    sheet.append([_written(sheet, h, font=bold) for h in header])
    for row in table:
        sheet.append([_written(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _written(sheet: Any, value: Cell, *, font: Font | None = None) -> Cell:
    """A value as the write-only sheet takes it: plain, or a cell where it needs a style or a type — a date
    shown dd/mm/yyyy, a bold header, a text openpyxl would otherwise store as a formula."""
    if (
        font is None
        and not isinstance(value, date)
        and not (isinstance(value, str) and value.startswith("="))
    ):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"
    if font is not None:
        cell.font = font
    return cell


def _xlsx_cell(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float, date)):
        return value
    return escape_formula(str(value))


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "Export"


def export_response(
    *, fmt: str, filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> HttpResponse:
    """The export as a download: `<filename>.csv` or `<filename>.xlsx`; another format is a 404 (before the
    rows, which may be a lazy queryset, are read)."""
    if fmt not in FORMATS:
        raise Http404
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(title, headers, rows), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_bytes(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

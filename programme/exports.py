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

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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


def _csv_cell(value: Cell) -> str:
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
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on one empty worksheet
    sheet.title = _sheet_title(title)
    sheet.append([escape_formula(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    for index, row in enumerate(sheet.iter_rows(min_row=2), start=2):
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl would store a string starting with "=" as a formula: force text.
                cell.data_type = "s"
            elif isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
        del index
    for number, column in enumerate(sheet.columns, start=1):
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[get_column_letter(number)].width = min(60, max(10, width + 2))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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

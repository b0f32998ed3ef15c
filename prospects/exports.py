"""Export of the filtered prospect list as CSV or XLSX. Every text cell that a spreadsheet could take for
a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe."""

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Prospect

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def headers() -> list[str]:
    return [
        _("Structure"),
        _("SIREN"),
        _("Commune"),
        _("Étape"),
        _("Source"),
        _("Public"),
        _("Promotion visée"),
        _("Suivi par"),
        _("Prochaine action"),
        _("Date de la prochaine action"),
        _("Motif de l'écart"),
        _("Notes"),
    ]


def rows(prospects: Iterable[Prospect]) -> Iterable[list[str]]:
    for p in prospects:
        yield [
            escape_cell(cell)
            for cell in (
                p.organisation.name,
                p.organisation.siren,
                p.organisation.town,
                p.get_stage_display(),
                p.get_source_display(),
                p.get_audience_display(),
                p.cohort.name if p.cohort else "",
                (p.owner.get_full_name() or p.owner.email) if p.owner else "",
                p.next_action,
                p.next_action_date.strftime("%d/%m/%Y") if p.next_action_date else "",
                p.discard_reason,
                p.notes,
            )
        ]


def to_csv(prospects: Iterable[Prospect]) -> bytes:
    """UTF-8 with BOM and semicolons: what French Excel opens without a wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerows(rows(prospects))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(prospects: Iterable[Prospect]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Prospects")[:31])
    sheet.append(headers())
    for row in rows(prospects):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(extension: str) -> str:
    return f"prospects-{timezone.localdate():%Y-%m-%d}.{extension}"

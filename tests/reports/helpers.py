"""Helpers of the report tests: order and render a report inline, read a PDF's text back."""

import io
from datetime import date

from pypdf import PdfReader

from evaluation.models import Report, ReportKind
from evaluation.reports import services as report_services

PERIOD = {"period_start": date(2026, 1, 1), "period_end": date(2026, 12, 31)}


def order_activity(world, capture, *, actor=None, **parameters) -> Report:
    with capture(execute=True):
        report = report_services.report_request(
            actor=actor or world.director,
            kind=ReportKind.ACTIVITY,
            programme=world.programme,
            parameters={**PERIOD, **parameters},
        )
    report.refresh_from_db()
    return report


def order_funder(world, capture, *, project=None, actor=None) -> Report:
    with capture(execute=True):
        report = report_services.report_request(
            actor=actor or world.staff,
            kind=ReportKind.FUNDER,
            programme=world.programme,
            project=project or world.project_a,
        )
    report.refresh_from_db()
    return report


def pdf_reader(report: Report) -> PdfReader:
    with report.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def pdf_pages_text(report: Report) -> list[str]:
    # Whitespace normalised (no-break spaces included) and the typographic apostrophe read back as "'".
    return [
        " ".join((page.extract_text() or "").replace("’", "'").split()) for page in pdf_reader(report).pages
    ]


def pdf_text(report: Report) -> str:
    return "\n".join(pdf_pages_text(report))

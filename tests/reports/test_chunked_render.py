"""A long report is laid out in parts (bounded memory, evaluation/reports/pdf.py) and reads exactly as
when laid out whole: the same pages, running titles, « Page n / total » and contents' page numbers."""

import io
import re

from pypdf import PdfReader

from evaluation.models import ReportStatus
from evaluation.reports import pdf
from evaluation.reports.services import render_report_html

from .helpers import order_activity, pdf_pages_text


def _pages(content: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_a_report_laid_out_in_parts_reads_as_laid_out_whole(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    html = render_report_html(report)
    assert html.count(pdf.CHUNK_MARK) >= 8  # sections, the appendix and each project's page after the first
    whole = pdf.html_to_pdf(html)
    parts = pdf.html_to_pdf(html, chunk_blocks=2)  # cut every two blocks
    assert parts.pages == whole.pages
    whole_text, parts_text = _pages(whole.content), _pages(parts.content)
    assert parts_text == whole_text
    total = parts.pages
    for number, text in enumerate(parts_text[1:], start=2):  # the cover has no footer
        assert text.endswith(f"Page {number} / {total}")
    # Each entry of the contents gives the page its section starts on.
    contents = parts_text[1]
    annex = next(n for n, t in enumerate(parts_text, start=1) if n > 2 and "Annexe — fiches projets" in t)
    assert re.search(rf"Annexe — fiches projets \.+ {annex}\b", contents)
    project = next(n for n, t in enumerate(parts_text, start=1) if "Projet A Émergence · Promotion Test" in t)
    assert re.search(rf"Projet A \.+ {project}\b", contents)
    # … and leads there: the links of the contents point at those pages.
    reader = PdfReader(io.BytesIO(parts.content))
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages, start=1)}
    targets = {page_numbers[link.get_object()["/Dest"][0].idnum] for link in reader.pages[1]["/Annots"]}
    assert {annex, project} <= targets


def test_the_worker_renders_a_long_report_in_parts(season, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(pdf, "CHUNK_BLOCKS", 2)
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE, report.error
    pages = pdf_pages_text(report)
    assert len(pages) == report.pages >= 10
    assert pages[-1].endswith(f"Page {report.pages} / {report.pages}")

"""Written reports (#19, item 4): a draft's written sections, versioned; its final PDF, immutable (SHA-256);
the same report as an editable Word document with the same headings, tables and charts."""

import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document
from PIL import Image
from pypdf import PdfReader

from evaluation import charts
from evaluation.models import ReportStage, ReportStatus
from evaluation.reports import services as report_services
from evaluation.reports.chart_images import svg_to_png
from evaluation.reports.docx import html_to_docx
from tests.conftest import client_for

from .helpers import PERIOD, pdf_text
from .test_shared_documents import SECRETS, SHARED, poisoned  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db

TEXTS = {
    "introduction": "Une année de mise en route : INTRODUCTIONREDIGEE.",
    "highlights": "La permanence en pharmacie a trouvé son public.",
    "difficulties": "Le collectif a manqué de bénévoles l’été.",
    "outlook": "Essaimer la permanence dans deux communes.",
}


def docx_document(report):
    with report.docx.open("rb") as handle:
        return Document(io.BytesIO(handle.read()))


def docx_text(report) -> str:
    document = docx_document(report)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).replace("’", "'").split())


def draft_activity(world, capture):
    with capture(execute=True):
        report = report_services.report_request(
            actor=world.staff,
            kind="activity",
            programme=world.programme,
            parameters=PERIOD,
            draft=True,
        )
    report.refresh_from_db()
    return report


def write(world, capture, report, **texts):
    with capture(execute=True):
        version = report_services.report_text_save(actor=world.staff, report=report, texts=texts)
    report.refresh_from_db()
    return version


def test_a_draft_is_written_in_versions_then_rendered_final_and_sealed(
    season, django_capture_on_commit_callbacks
):
    world = season.world
    capture = django_capture_on_commit_callbacks
    report = draft_activity(world, capture)
    assert report.stage == ReportStage.DRAFT and report.status == ReportStatus.DONE
    assert "À rédiger" in pdf_text(report)  # the written sections wait in the draft

    first = write(world, capture, report, **TEXTS)
    assert first.version == 1 and first.written_by == world.staff
    assert write(world, capture, report, **TEXTS) is None  # nothing changed: no new version
    second = write(world, capture, report, **{**TEXTS, "outlook": "Essaimer dans trois communes."})
    assert second.version == 2
    assert list(report.texts.values_list("version", flat=True)) == [2, 1]
    text = pdf_text(report)  # the draft's preview follows the latest text
    assert "INTRODUCTIONREDIGEE" in text and "trois communes" in text and "Brouillon" in text

    with capture(execute=True):
        report_services.report_finalise(actor=world.staff, report=report)
    report.refresh_from_db()
    assert report.stage == ReportStage.FINAL and report.status == ReportStatus.DONE
    with report.file.open("rb") as handle:
        content = handle.read()
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert "Version finale" in pdf_text(report) and "Brouillon" not in pdf_text(report)

    # Immutable: no new text, no second rendering, the same file and fingerprint.
    with pytest.raises(ValidationError):
        report_services.report_text_save(actor=world.staff, report=report, texts=TEXTS)
    with pytest.raises(ValidationError):
        report_services.report_finalise(actor=world.staff, report=report)
    assert report_services.report_render(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.texts.count() == 2


def test_the_word_document_has_the_pdfs_headings_tables_and_charts(
    season, django_capture_on_commit_callbacks
):
    world = season.world
    capture = django_capture_on_commit_callbacks
    report = draft_activity(world, capture)
    write(world, capture, report, **TEXTS)
    document = docx_document(report)
    headings = [
        " ".join(p.text.replace("’", "'").split())
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]
    for title in [
        "Introduction",
        "Chiffres clés",
        "Ateliers et personnes présentes",
        "Indicateurs : situation initiale, cible et valeur",
        "Faits marquants",
        "Difficultés",
        "Perspectives",
    ]:
        assert title in headings
    assert headings.index("Introduction") < headings.index("Chiffres clés") < headings.index("Perspectives")
    assert document.tables, "the figures' tables are Word tables"
    assert len(document.inline_shapes) >= 2, "the charts are pictures"
    text = docx_text(report)
    assert "INTRODUCTIONREDIGEE" in text
    assert "Aller vers les aidants isolés" in text  # the lesson of the period, as in the PDF


def test_a_chart_becomes_a_picture_of_the_same_size():
    svg = charts.bar_chart(
        title="Ateliers par étape",
        desc="Ateliers tenus",
        bars=[charts.Bar(label="Besoins", value=3), charts.Bar(label="Idéation", value=1)],
    )
    png, width = svg_to_png(svg)
    picture = Image.open(io.BytesIO(png))
    assert width == 560 and picture.size[0] == 1120
    colours = {colour for _count, colour in picture.getcolors(maxcolors=100000)}
    assert (0x1F, 0x4F, 0xA8) in colours  # the bars' colour (charts.PALETTE[0])


def test_the_word_writer_keeps_french_typography():
    html = "<html><body><h2>Perspectives</h2><p>Objectif : « essaimer » !</p></body></html>"
    document = Document(io.BytesIO(html_to_docx(html)))
    assert "Objectif\u202f: «\u202fessaimer\u202f»\u202f!" in [p.text for p in document.paragraphs]


def test_only_a_draft_is_written_and_finalised(season, django_capture_on_commit_callbacks):
    world = season.world
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        generated = report_services.report_request(
            actor=world.staff, kind="activity", programme=world.programme, parameters=PERIOD
        )
    with pytest.raises(ValidationError, match="pas un brouillon"):
        report_services.report_text_save(actor=world.staff, report=generated, texts=TEXTS)
    with pytest.raises(ValidationError, match="Seul un brouillon"):
        report_services.report_finalise(actor=world.staff, report=generated)
    assert not generated.texts.exists()


# --- What the collective reads: its own scope, in the PDF and in the Word document ------------------------


def _docx_bytes_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(parts)


def test_the_collectives_final_pdf_and_word_hold_only_what_it_may_read(
    poisoned,  # noqa: F811 — the fixture of test_shared_documents
    django_capture_on_commit_callbacks,
):
    world = poisoned
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        report = report_services.report_request(
            actor=world.staff, kind="funder", programme=world.programme, project=world.project_b, draft=True
        )
    report.refresh_from_db()
    partner = client_for(world.partner_b)
    assert partner.get(reverse("evaluation:report.detail", args=[report.pk])).status_code == 404  # a draft
    write(world, capture, report, introduction="Le collectif a tenu bon : INTROPOURLECOLLECTIF.")
    with pytest.raises(ValidationError, match="brouillon"):
        report_services.report_share(actor=world.staff, report=report, shared=True)

    with capture(execute=True):
        report_services.report_finalise(actor=world.staff, report=report, for_collective=True)
    report.refresh_from_db()
    assert report.sealed and report.shared_with_partners

    pdf = partner.get(reverse("evaluation:report.download", args=[report.pk]))
    assert pdf.status_code == 200
    pdf_bytes = b"".join(pdf.streaming_content)
    pdf_words = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf_bytes)).pages)
    word = partner.get(reverse("evaluation:report.download_docx", args=[report.pk]))
    assert word.status_code == 200
    assert word["Content-Type"].startswith("application/vnd.openxmlformats")
    word_text = _docx_bytes_text(b"".join(word.streaming_content))
    assert hashlib.sha256(pdf_bytes).hexdigest() == report.sha256
    for text in (pdf_words.replace(" ", "").replace("\n", ""), word_text.replace(" ", "")):
        leaked = [kind for kind, marker in SECRETS.items() if marker in text]
        assert leaked == [], f"team-only records leaked: {leaked}"
        for marker in (*SHARED.values(), "INTROPOURLECOLLECTIF"):
            assert marker in text

    # The final stays as it is: unsharing hides it, sharing it again shows the same file.
    with capture(execute=True):
        report_services.report_share(actor=world.staff, report=report, shared=False)
    assert partner.get(reverse("evaluation:report.download_docx", args=[report.pk])).status_code == 404
    with capture(execute=True):
        report_services.report_share(actor=world.staff, report=report, shared=True)
    report.refresh_from_db()
    assert report.sealed and report.status == ReportStatus.DONE


def test_a_final_for_the_team_is_never_shared(season, django_capture_on_commit_callbacks):
    world = season.world
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        report = report_services.report_request(
            actor=world.staff, kind="funder", programme=world.programme, project=world.project_a, draft=True
        )
    with capture(execute=True):
        report_services.report_finalise(actor=world.staff, report=report)
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="édition de l’équipe"):
        report_services.report_share(actor=world.staff, report=report, shared=True)
    report.refresh_from_db()
    assert not report.shared_with_partners


# --- Pages ------------------------------------------------------------------------------------------------


def test_staff_write_the_sections_on_the_page_and_see_the_versions(
    season, django_capture_on_commit_callbacks
):
    world = season.world
    capture = django_capture_on_commit_callbacks
    report = draft_activity(world, capture)
    staff = client_for(world.staff)
    url = reverse("evaluation:report.text", args=[report.pk])
    with capture(execute=True):
        response = staff.post(url, {**TEXTS})
    assert response.status_code == 302
    with capture(execute=True):
        staff.post(url, {**TEXTS, "highlights": "Deux nouvelles communes."})
    page = staff.get(url).content.decode()
    assert "Version 2" in page and "Version 1" in page and str(world.staff) in page
    assert report.texts.count() == 2
    detail = staff.get(reverse("evaluation:report.detail", args=[report.pk])).content.decode()
    assert "Rendre la version finale" in detail and "Rédiger" in detail


def test_bad_input_changes_nothing(season, django_capture_on_commit_callbacks):
    world = season.world
    capture = django_capture_on_commit_callbacks
    report = draft_activity(world, capture)
    staff = client_for(world.staff)
    url = reverse("evaluation:report.text", args=[report.pk])
    response = staff.post(url, {"introduction": "x" * 20001})
    assert response.status_code == 200 and "20" in response.content.decode()
    assert not report.texts.exists()
    # Finalising a report that is not a draft: said, nothing changes.
    with capture(execute=True):
        generated = report_services.report_request(
            actor=world.staff, kind="activity", programme=world.programme, parameters=PERIOD
        )
    response = staff.post(reverse("evaluation:report.finalise", args=[generated.pk]), {}, follow=True)
    assert "Seul un brouillon" in response.content.decode()
    generated.refresh_from_db()
    assert generated.stage == ReportStage.GENERATED and not generated.sha256
    # The writing page of a generated report does not exist.
    assert staff.get(reverse("evaluation:report.text", args=[generated.pk])).status_code == 404

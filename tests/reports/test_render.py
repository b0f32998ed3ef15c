"""Rendering: the PDF is produced in the background and says what the database says."""

import re
from datetime import date

from django.core import mail

from evaluation.models import ReportStatus
from evaluation.reports import services as report_services
from projects.models import Attendance, GateDecision, Project, Workshop

from .helpers import order_activity, order_funder, pdf_pages_text, pdf_reader, pdf_text

SECTIONS = [
    "Chiffres clés",
    "Sourcing et sélection des prospects",
    "Projets par phase et décisions d'étape",
    "Ateliers et personnes présentes",
    "Indicateurs : situation initiale, cible et valeur",
    "Évolution de la maturité coopérative",
    "Enseignements par thème",
    "Annexe — fiches projets",
]


def _figure(text: str, label: str) -> str:
    """The big number printed just before a key-figure label."""
    # Thousands are grouped by three (1 234); the footnote number of the figure before is not part of it.
    match = re.search(r"(\d{1,3}(?:[  ]\d{3})*)\s+" + re.escape(label), text)
    assert match, f"{label!r} not found"
    return match.group(1).replace(" ", "").replace(" ", "").replace(" ", "")


def test_activity_report_renders_in_the_background(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE, report.error
    assert report.progress == 100
    assert report.size > 1000 and report.duration > 0
    assert report.started_at and report.finished_at
    assert report.file.name.startswith("reports/")
    assert len(pdf_reader(report).pages) == report.pages >= 10  # cover, contents, 7 sections, 2 projects


def test_activity_figures_match_the_database(season, django_capture_on_commit_callbacks):
    world = season.world
    report = order_activity(world, django_capture_on_commit_callbacks)
    pages = pdf_pages_text(report)
    key = next(p for p in pages if "Chiffres clés" in p and "Projets accompagnés" in p)

    projects = Project.objects.filter(programme=world.programme)
    in_2026 = {"starts_at__year": 2026, "project__programme": world.programme}
    assert _figure(key, "Projets accompagnés") == str(projects.count())
    assert _figure(key, "Projets en cours") == str(
        projects.exclude(phase__in=["stopped", "completed"]).count()
    )
    assert _figure(key, "Ateliers tenus") == str(Workshop.objects.filter(**in_2026).count())
    present = Attendance.objects.filter(present=True, workshop__starts_at__year=2026)
    assert _figure(key, "Présences en atelier") == str(present.count())
    assert _figure(key, "Personnes présentes en atelier") == str(present.values("person").distinct().count())
    decisions = GateDecision.objects.filter(decided_on__year=2026, project__programme=world.programme)
    assert _figure(key, "Décisions d'étape prises") == str(decisions.count()) == "2"
    # Each key figure carries a footnote saying what it counts.
    assert "Structures membres des collectifs : Structures distinctes membres" in key

    text = "\n".join(pages)
    # Indicators: the programme value is the sum of the validated measurements (25 + 40), never the
    # submitted 999; a flow with a cumulative target: the cumul (65) against the target (100) = 65 %.
    indicators = next(p for p in pages if "Aidants accompagnés" in p and "AVANCEMENT" in p)
    assert re.search(
        r"Aidants accompagnés flux 1 / 1 10 personnes 65 personnes 65 personnes cumul depuis le début "
        r"100 personnes 65 %",
        indicators,
    ), indicators
    assert "999" not in text
    # Lessons by theme, maturity by dimension, the period's gate decisions, one page per project.
    assert "Santé et bien-vieillir" in text and "Aller vers les aidants isolés" in text
    assert "Vision partagée" in text
    assert "Collectif solide et besoin avéré." in text and "Le collectif se sépare." in text
    assert any(p.startswith("Annexe — fiches projets Projet A") for p in pages)
    assert any("Projet B" in p and "Arrêté" in p for p in pages)


def test_page_numbers_running_headers_and_table_of_contents(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    pages = pdf_pages_text(report)
    total = len(pages)
    # Every page but the cover carries the running title and "Page n / total".
    for number, text in enumerate(pages[1:], start=2):
        assert "Rapport d'activité · Programme Test" in text, text[-120:]
        assert f"Page {number} / {total}" in text
    # The contents list each section with the page it starts on.
    toc = pages[1]
    assert toc.count("Sommaire") >= 1
    for title in SECTIONS:
        match = re.search(re.escape(title) + r"[ .]*?(\d+)", toc)
        assert match, f"{title} missing from the contents"
        page = int(match.group(1))
        assert title in pages[page - 1], f"{title} announced on page {page}"


def test_fonts_are_embedded_and_charts_are_vectors(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    reader = pdf_reader(report)
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or (
                font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                if "/DescendantFonts" in font
                else None
            )
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVu" in name for name in fonts)
    # Tagged (accessible) PDF in French, with the report's title in its metadata.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and str(root.get("/Lang", "")).startswith("fr")
    assert reader.metadata.title.replace("’", "'") == report.title.replace("’", "'")
    # Charts are drawn as vector paths: no raster image anywhere in the document.
    assert all(not page.images for page in reader.pages)


def test_funder_report_tells_the_project_story(season, django_capture_on_commit_callbacks):
    from evaluation.models import ProjectIndicator

    # The collective reports the indicator: it is theirs to read (a team-reported one is not, see
    # tests/reports/test_shared_documents.py).
    ProjectIndicator.objects.filter(pk=season.project_indicator.pk).update(reporter="partner")
    report = order_funder(season.world, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE, report.error
    text = pdf_text(report)
    assert "Projet A" in text and "Structure A" in text  # summary and collective
    assert "Rompre l'isolement des aidants." in text
    assert "Collectif solide et besoin avéré." in text  # gate decision
    assert "Atelier partagé 1" in text and "COPIL" in text and "Lancer le prototype de permanence." in text
    assert "Note de cadrage" in text  # the collective's deliverable
    assert "Le collectif touche-t-il de nouveaux aidants ?" in text  # evaluation protocol
    assert "Aidants accompagnés" in text and "40 personnes" in text
    # The team's edition holds its milestones and lessons, never the workshops and committees it did not share.
    assert "Prototype testé" in text and "Aller vers les aidants isolés" in text
    assert "Atelier interne équipe" not in text
    assert "Décision interne confidentielle." not in text
    assert "Projet B" not in text
    # Shared with the collective, the report is rendered again without what the portal hides.
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_share(actor=season.world.staff, report=report, shared=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    text = pdf_text(report)
    assert "Note de cadrage" in text and "Aidants accompagnés" in text
    assert "Prototype testé" not in text and "Aller vers les aidants isolés" not in text
    assert "Atelier interne équipe" not in text


def test_activity_report_can_be_narrowed_to_a_cohort(season, django_capture_on_commit_callbacks):
    from tests.factories import CohortFactory, ProjectFactory

    other = CohortFactory(programme=season.world.programme, name="Promotion 2027")
    ProjectFactory(programme=season.world.programme, cohort=other, title="Projet de l'autre promotion")
    report = order_activity(season.world, django_capture_on_commit_callbacks, cohort=other.pk)
    text = pdf_text(report)
    assert "Promotion 2027" in text and "Projet de l'autre promotion" in text
    assert "Projet A" not in text


def test_the_requester_gets_an_email_with_the_link(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [season.world.director.email]
    assert "Rapport prêt" in message.subject
    assert f"/evaluation/rapports/{report.pk}/" in message.body


def test_a_period_without_activity_renders_empty_sections(season, django_capture_on_commit_callbacks):
    report = order_activity(
        season.world,
        django_capture_on_commit_callbacks,
        period_start=date(2024, 1, 1),
        period_end=date(2024, 1, 31),
    )
    assert report.status == ReportStatus.DONE
    text = pdf_text(report)
    assert "Aucune décision d'étape sur la période." in text
    assert "Aucun atelier sur la période." in text
    assert "Aucun événement tenu avec des présents sur la période." in text


def test_the_contents_list_each_project_page(season, django_capture_on_commit_callbacks):
    report = order_activity(season.world, django_capture_on_commit_callbacks)
    pages = pdf_pages_text(report)
    for title in ("Projet A", "Projet B"):
        match = re.search(re.escape(title) + r"[ .]+(\d+)", pages[1])
        assert match, f"{title} missing from the contents"
        assert pages[int(match.group(1)) - 1].split(" Émergence")[0].split(" Arrêté")[0].endswith(title)


def test_the_report_runs_a_constant_number_of_queries(season, django_capture_on_commit_callbacks):
    """More projects, workshops and indicators: the same number of queries (one per kind of data)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.models import ProjectIndicator
    from evaluation.reports.services import render_report_html
    from tests.factories import MembershipFactory, ProjectFactory

    world = season.world
    with django_capture_on_commit_callbacks(execute=False):
        report = order_activity(world, django_capture_on_commit_callbacks)
    render_report_html(report)  # warm: the report's programme and requester are then loaded
    with CaptureQueriesContext(connection) as before:
        render_report_html(report)
    for index in range(4):
        project = ProjectFactory(programme=world.programme, cohort=world.cohort, title=f"Projet {index}")
        MembershipFactory(project=project, organisation=world.org_a)
        Workshop.objects.create(
            project=project, title="Atelier", step="needs", starts_at=season.workshops[0].starts_at
        )
        ProjectIndicator.objects.create(
            project=project, indicator=season.indicator, baseline_value=1, target_value=2
        )
    with CaptureQueriesContext(connection) as after:
        html = render_report_html(report)
    assert "Projet 3" in html
    assert len(after.captured_queries) == len(before.captured_queries)

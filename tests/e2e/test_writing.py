"""Issue #19 in the browser: staff link a prototype to an indicator and see it on the fil rouge; staff write
the introduction of a draft report, render its final version and download it as a Word document."""

import io
import re

from docx import Document
from playwright.sync_api import expect

from evaluation.models import Report
from evaluation.reports import services as report_services
from projects.models import WorkshopItem
from tests.e2e.conftest import login, lyon_project
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory
from tests.factories import (
    PASSWORD,
    UserFactory,
)


def _project():
    programme, project = lyon_project()
    UserFactory(email="equipe@parcours.test", role="staff", first_name="Sarah")
    return programme, project


def test_staff_link_a_prototype_to_an_indicator_and_see_it_on_the_fil_rouge(
    page, live_server, transactional_db
):
    _programme, project = _project()
    need = WorkshopItem.objects.create(project=project, kind="need", title="Rompre l’isolement")
    WorkshopItem.objects.create(
        project=project, kind="prototype", title="Permanence en pharmacie", answers=need
    )
    ProjectIndicatorFactory(project=project, indicator=IndicatorFactory(name="Aidants reçus"))

    login(page, live_server, "equipe@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("link", name="Fil rouge").click()
    expect(page.get_by_role("heading", name="Du besoin à l’enseignement")).to_be_visible()
    expect(page.locator(".filrouge__gaps")).to_contain_text(
        "Permanence en pharmacie — prototype sans indicateur"
    )

    page.get_by_role("link", name="choisir les productions testées").click()
    page.get_by_label(re.compile("Permanence en pharmacie")).check()
    page.get_by_role("button", name="Enregistrer").click()

    page.get_by_text("Productions testées enregistrées.").wait_for()
    graph = page.locator(".filrouge__figure svg")
    expect(graph).to_have_attribute("role", "img")
    expect(graph).to_contain_text("Aidants reçus")
    listing = page.locator(".filrouge__list")
    expect(listing.locator(".filrouge__item--prototype")).to_contain_text("Aidants reçus")
    expect(page.locator(".filrouge__gaps")).to_have_count(0)


def test_staff_write_a_draft_render_the_final_and_download_the_word_document(
    page, live_server, transactional_db, monkeypatch
):
    programme, _project_ = _project()
    queued = []
    monkeypatch.setattr(report_services, "_enqueue", queued.append)

    login(page, live_server, "equipe@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/evaluation/rapports/nouveau/")
    page.get_by_label("Type de rapport").select_option(label="Rapport d’activité du programme")
    page.get_by_label("Début de la période").fill("2026-01-01")
    page.get_by_label("Fin de la période").fill("2026-10-31")
    page.get_by_label("Préparer un brouillon à rédiger").check()
    page.get_by_role("button", name="Commander").click()
    page.get_by_text("Rapport commandé.").wait_for()
    report = Report.objects.get()
    report_services.report_render(report_id=report.pk)
    expect(page.locator("#report-status")).to_contain_text("Terminé", timeout=10_000)

    page.get_by_role("link", name="Rédiger").click()
    page.get_by_label("Introduction").fill("Une année de mise en route pour INTRODUCTIONE2E.")
    page.get_by_role("button", name="Enregistrer une version").click()
    page.get_by_text("Version 1 enregistrée").wait_for()
    expect(page.locator(".report-versions")).to_contain_text("Version 1 — Sarah")
    report_services.report_render(report_id=report.pk)  # the worker renders the preview again

    page.get_by_role("link", name="Retour au rapport").click()
    page.get_by_role("button", name="Rendre la version finale").click()
    page.get_by_text("Version finale demandée : son PDF").wait_for()
    report_services.report_render(report_id=report.pk)  # the worker renders the final
    page.reload()
    status = page.locator("#report-status")
    expect(status).to_contain_text("ce PDF ne change plus")
    report.refresh_from_db()
    expect(status).to_contain_text(report.sha256)

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger en Word (DOCX)").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    with open(download.path(), "rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "INTRODUCTIONE2E" in text and "Introduction" in text
    assert programme.name in text

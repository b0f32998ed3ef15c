"""A director orders an activity report, watches it complete, and downloads the PDF."""

import re

from playwright.sync_api import expect

from evaluation.models import Report
from evaluation.reports import services as report_services
from tests.e2e.conftest import login, lyon_project
from tests.factories import (
    PASSWORD,
    UserFactory,
)


def test_director_orders_watches_and_downloads_an_activity_report(
    page, live_server, transactional_db, monkeypatch
):
    lyon_project()
    UserFactory(email="direction@parcours.test", role="director", first_name="Hélène")

    # The worker: the page must show the report waiting, then update itself when a worker renders it.
    queued = []
    monkeypatch.setattr(report_services, "_enqueue", queued.append)

    login(page, live_server, "direction@parcours.test", PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Rapports").click()
    expect(page.get_by_role("heading", name="Rapports")).to_be_visible()
    page.get_by_role("link", name="Commander un rapport").click()
    page.get_by_label("Type de rapport").select_option(label="Rapport d’activité du programme")
    page.get_by_label("Début de la période").fill("2026-01-01")
    page.get_by_label("Fin de la période").fill("2026-10-31")
    page.get_by_role("button", name="Commander").click()

    page.get_by_text("Rapport commandé.").wait_for()
    status = page.locator("#report-status")
    expect(status).to_contain_text("En attente")
    expect(status.locator("progress")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger le PDF")).to_have_count(0)

    # A worker picks the report up; the status card (polled every 2 s) updates by itself.
    report = Report.objects.get()
    assert queued == [report.pk]
    report_services.report_render(report_id=report.pk)
    expect(status).to_contain_text("Terminé", timeout=10_000)
    expect(status).not_to_have_attribute("hx-trigger", re.compile("every"))
    download_link = page.get_by_role("link", name="Télécharger le PDF")
    expect(download_link).to_be_visible()

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and len(content) == Report.objects.get().size

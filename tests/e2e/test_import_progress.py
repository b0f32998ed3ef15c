"""A running import's status page on a phone: the bar and its percentage, updated by the page's polling
as the worker checks the rows (issue #16), then the result once it is done."""

from playwright.sync_api import expect

from prospects.models import ImportFile, ImportStatus
from tests.e2e.conftest import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD


def test_the_status_page_shows_the_progress_then_the_result(page, live_server, transactional_db, world):
    import_file = ImportFile.objects.create(
        token="t" * 32,
        programme=world.programme,
        uploaded_by=world.staff,
        file_name="veille.csv",
        path="imports/prospects/absent",
        size=10,
        sha256="0" * 64,
        status=ImportStatus.RUNNING,
        row_count=10_000,
        progress=42,
    )
    page.set_viewport_size(PHONE)
    login(page, live_server, world.staff.email, PASSWORD)
    page.goto(f"{live_server.url}/prospects/import/{import_file.token}/suivi/")
    status = page.locator("#import-status")
    expect(status.locator("progress")).to_have_attribute("value", "42")
    expect(status).to_contain_text("42\u00a0%")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-progress-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    ImportFile.objects.filter(pk=import_file.pk).update(progress=81)  # the worker checked more rows
    expect(status.locator("progress")).to_have_attribute("value", "81")
    ImportFile.objects.filter(pk=import_file.pk).update(status=ImportStatus.IMPORTED, created_count=12)
    expect(page.locator("#import-status")).to_contain_text("12 prospects importés")

"""Staff logs in, creates an organisation, and finds it in the filtered list."""

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, UserFactory


def test_staff_creates_an_organisation_and_filters_the_list(page, live_server, transactional_db):
    UserFactory(email="camille@parcours.test", role="staff", first_name="Camille")
    login(page, live_server, "camille@parcours.test", PASSWORD)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Structures"
    ).click()
    page.get_by_role("link", name="Ajouter une structure").click()
    page.get_by_label("Nom").fill("Coopérative des Canuts Numériques")
    page.get_by_label("Forme").select_option(label="SCIC")
    page.get_by_label("SIREN").fill("732 829 320")
    page.get_by_label("Commune").fill("Lyon")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Structure « Coopérative des Canuts Numériques » créée.").wait_for()

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Structures"
    ).click()
    page.get_by_label("Recherche").fill("canuts")
    # The table updates in place (HTMX) and the URL follows, so the back button and links keep the filter.
    expect(page.locator("#results .count")).to_have_text("1 structure")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Coopérative des Canuts Numériques")
    page.wait_for_function("() => location.search.includes('q=canuts')")

"""On a phone, staff add a prospect for a structure already recorded among many: they type a few letters of
its town, the menu below fills with the matches, they choose one and save; no structure list is sent before."""

from playwright.sync_api import expect

from prospects.models import Prospect
from tests.e2e.conftest import login
from tests.factories import PASSWORD, OrganisationFactory, ProgrammeFactory, UserFactory


def test_staff_choose_a_recorded_structure_by_searching_it(page, live_server, transactional_db):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    ProgrammeFactory(name="Programme Coopérations")
    for index in range(60):
        OrganisationFactory(name=f"Association {index:02d}", town="Lyon")
    wanted = OrganisationFactory(name="Atelier Vélo Solidaire", town="Vénissieux")

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/prospects/nouveau/")
    menu = page.get_by_label("Structure déjà enregistrée")
    expect(menu.locator("option")).to_have_count(1)  # nothing drawn before a search
    page.get_by_label("Rechercher une structure (nom, commune ou SIREN)").fill("venissieux")
    expect(menu.locator("option")).to_have_count(2)
    expect(menu.locator("option").first).to_have_text("— 1 structure trouvée —")
    menu.select_option(label="Atelier Vélo Solidaire (Vénissieux)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("Atelier Vélo Solidaire")
    assert Prospect.objects.get().organisation == wanted

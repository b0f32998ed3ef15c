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


def test_staff_tick_the_projects_a_lesson_speaks_of_by_searching_them(page, live_server, transactional_db):
    """A lesson's projects among many: type, tick a match, type again, tick another; both are kept and
    saved. On a phone, with no sideways scrolling and no console error."""
    from evaluation.models import Lesson
    from tests.factories import ProjectFactory

    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    programme = ProgrammeFactory(name="Programme Coopérations")
    for index in range(40):
        ProjectFactory(programme=programme, title=f"Projet {index:02d}")
    bikes = ProjectFactory(programme=programme, title="Atelier vélo des Pentes")
    meals = ProjectFactory(programme=programme, title="Cantine solidaire")
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/evaluation/enseignements/nouveau/")
    assert page.locator("input[name=projects]").count() == 0  # no project drawn before a search
    page.locator("#id_title").fill("Associer la ville tôt")
    page.get_by_label("Nature").select_option(label="Bonne pratique")
    page.locator("#id_body").fill("Inviter l’élu dès l’analyse des besoins.")
    search = page.get_by_label("Rechercher un projet à cocher (titre ou structure porteuse)")
    search.fill("velo")
    page.get_by_label(f"Atelier vélo des Pentes · {bikes.lead_organisation.name}").check()
    search.fill("cantine")
    expect(page.get_by_text("— 1 projet trouvé —")).to_be_visible()
    page.get_by_label(f"Cantine solidaire · {meals.lead_organisation.name}").check()
    # The first box ticked stayed, though the second search replaced the matches.
    expect(page.get_by_label(f"Atelier vélo des Pentes · {bikes.lead_organisation.name}")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Enseignement enregistré.")).to_be_visible()
    assert set(Lesson.objects.get().projects.all()) == {bikes, meals}
    assert not errors, errors

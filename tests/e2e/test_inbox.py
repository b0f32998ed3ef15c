"""Staff opens « À traiter » from the sidebar (its count loaded by URL), hands an item to a colleague on a
phone (the row's « Réassigner » loads its form in place, by keyboard), then moves prospects of the list in
one bulk action — in a real browser."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from projects.models import DeliverableStatus
from prospects.models import Prospect
from tests.e2e.conftest import DESKTOP, PHONE, login
from tests.factories import PASSWORD, OrganisationFactory, ProgrammeFactory, ProjectFactory, UserFactory
from tests.projects.factories import ActionFactory, DeliverableFactory
from tests.prospects.factories import ProspectFactory


def test_staff_handles_the_inbox_and_a_bulk_move(page, live_server, transactional_db):
    programme = ProgrammeFactory(name="Programme Coopérations")
    camille = UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    UserFactory(email="malik@parcours.test", role="staff", first_name="Malik", last_name="Diallo")
    project = ProjectFactory(programme=programme, title="Tiers-lieu des Pentes")
    DeliverableFactory(
        project=project, title="Diagnostic partagé", status=DeliverableStatus.SUBMITTED, owner_user=camille
    )
    ActionFactory(
        project=project,
        title="Relancer la mairie",
        owner_user=camille,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    for name in ("Épicerie des Brotteaux", "Atelier Vélo Partagé"):
        ProspectFactory(programme=programme, organisation=OrganisationFactory(name=name))
    login(page, live_server, "camille@parcours.test", PASSWORD)

    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.locator(".nav-count")).to_contain_text("2")
    nav.get_by_role("link", name="À traiter").click()
    expect(page.get_by_text("2 éléments vous attendent.")).to_be_visible()
    expect(page.get_by_text("en retard de 2 jours")).to_be_visible()

    # On a phone, by keyboard: the row's link brings its form in place, the menu focused.
    page.set_viewport_size(PHONE)
    item = page.locator(".inbox-item", has_text="Diagnostic partagé")
    expect(item.locator("select")).to_have_count(0)
    item.get_by_role("link", name="Réassigner « Diagnostic partagé »").focus()
    page.keyboard.press("Enter")
    menu = item.get_by_label("Réassigner « Diagnostic partagé » à")
    expect(menu).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    menu.select_option(label="Malik Diallo")
    item.get_by_role("button", name="Réassigner").click()
    expect(page.get_by_text("« Diagnostic partagé » est maintenant assigné à Malik Diallo.")).to_be_visible()
    expect(page.locator(".inbox-item", has_text="Diagnostic partagé")).to_have_count(0)
    page.get_by_label("Afficher").select_option(label="Toute l’équipe")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator(".inbox-item", has_text="Diagnostic partagé")).to_contain_text(
        "Assigné à Malik Diallo"
    )
    page.set_viewport_size(DESKTOP)

    # Bulk: tick the page (on a desktop: the sidebar is folded on a phone), choose « Changer d’étape », see what will happen, apply.
    nav.get_by_role("link", name="Prospects").click()
    page.wait_for_url(f"{live_server.url}/prospects/")  # the page's own script ticks the rows
    page.get_by_label("Sélectionner les prospects de cette page").check()
    page.get_by_label("Pour la sélection").select_option(label="Changer d’étape")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("2 prospects sélectionnés")).to_be_visible()
    page.get_by_label("Nouvelle étape").select_option(label="Contacté")
    page.get_by_role("button", name="Voir ce qui sera fait").click()
    expect(page.get_by_text("2 prospects seront modifiés")).to_be_visible()
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_text("2 prospects modifiés.")).to_be_visible()
    assert set(Prospect.objects.values_list("stage", flat=True)) == {"contacted"}


def test_reassigning_without_javascript_on_a_phone(browser, live_server, transactional_db, settings):
    """Without JavaScript the row's « Réassigner » opens the item's form on a page of its own, which fits a
    phone; sending it comes back to the inbox, the item handed over."""
    settings.SITE_URL = live_server.url
    camille = UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    UserFactory(email="malik@parcours.test", role="staff", first_name="Malik", last_name="Diallo")
    project = ProjectFactory(programme=ProgrammeFactory(), title="Tiers-lieu des Pentes")
    DeliverableFactory(
        project=project, title="Diagnostic partagé", status=DeliverableStatus.SUBMITTED, owner_user=camille
    )
    context = browser.new_context(
        locale="fr-FR", timezone_id="Europe/Paris", java_script_enabled=False, viewport=PHONE
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, live_server, "camille@parcours.test", PASSWORD)
        page.goto(f"{live_server.url}/projets/a-traiter/")
        page.get_by_role("link", name="Réassigner « Diagnostic partagé »").click()
        expect(page.get_by_role("heading", name="Réassigner")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_label("Réassigner « Diagnostic partagé » à").select_option(label="Malik Diallo")
        page.get_by_role("button", name="Réassigner").click()
        expect(
            page.get_by_text("« Diagnostic partagé » est maintenant assigné à Malik Diallo.")
        ).to_be_visible()
        assert page.url == f"{live_server.url}/projets/a-traiter/"
        expect(page.locator(".inbox-item", has_text="Diagnostic partagé")).to_have_count(0)
    finally:
        context.close()


def test_a_departing_colleague_s_projects_are_handed_over_in_two_bulk_actions(
    page, live_server, transactional_db
):
    """On a phone: filter the projects by their lead, take them all, add the newcomer, then take the former
    one out — the page never scrolls sideways."""
    programme = ProgrammeFactory(name="Programme Coopérations")
    camille = UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    malik = UserFactory(email="malik@parcours.test", role="staff", first_name="Malik", last_name="Diallo")
    followed = [ProjectFactory(programme=programme, title=t) for t in ("Tiers-lieu des Pentes", "Recyclerie")]
    for project in followed:
        project.staff_leads.add(malik)
    ProjectFactory(programme=programme, title="Autre projet").staff_leads.add(camille)
    page.set_viewport_size(PHONE)
    login(page, live_server, "camille@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/projets/?lead={malik.pk}")
    expect(page.get_by_text("2 projets", exact=True)).to_be_visible()

    for action, done in (
        ("Ajouter un·e chargé·e", "Camille Roux"),
        ("Retirer un·e chargé·e", "Malik Diallo"),
    ):
        page.get_by_label("tout sélectionner (les 2 projets de ce filtre)").check()
        page.get_by_label("Pour la sélection").select_option(label=action)
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("2 projets sélectionnés")).to_be_visible()
        page.get_by_label("Chargé·e").select_option(label=done)
        page.get_by_role("button", name="Voir ce qui sera fait").click()
        expect(page.get_by_text("2 projets seront modifiés")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="Appliquer").click()
        expect(page.get_by_text("2 projets modifiés.")).to_be_visible()
        page.get_by_role("link", name="Retour à la liste").click()

    for project in followed:
        assert [u.email for u in project.staff_leads.all()] == ["camille@parcours.test"]

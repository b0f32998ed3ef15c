"""Staff imports a small CSV (preview, then confirmation), filters the list, moves a card on the board
and records an interview score — in a real browser."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory

CSV = (
    "Nom;Commune;SIREN;Forme;E-mail;Prénom;Nom du contact\n"
    "Épicerie Solidaire des Brotteaux;Lyon;732829320;association;lea@brotteaux.fr;Léa;Morel\n"
    "Atelier Vélo Partagé;Villeurbanne;;association;;;\n"
    "Ligne sans commune;;;;;;\n"
).encode("cp1252")


def test_staff_imports_filters_moves_and_scores(page, live_server, transactional_db):
    ProgrammeFactory(name="Programme Coopérations")
    UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    login(page, live_server, "camille@parcours.test", PASSWORD)

    # Import: upload, preview with one invalid row explained, confirm without it.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Prospects").click()
    page.get_by_role("link", name="Importer une liste").click()
    page.get_by_label("Fichier CSV ou XLSX").set_input_files(
        files=[{"name": "veille.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.get_by_role("button", name="Voir l’aperçu").click()
    expect(page.get_by_text("2 nouvelles")).to_be_visible()
    expect(page.get_by_text("Commune manquante.")).to_be_visible()
    page.get_by_label("Importer sans les lignes invalides").check()
    page.get_by_role("button", name="Importer 2 prospects").click()
    expect(page.get_by_text("2 prospects importés")).to_be_visible()
    page.get_by_role("link", name="Voir les prospects").click()

    # Filter the list: the table updates in place and the URL follows.
    page.get_by_label("Recherche").fill("brotteaux")
    expect(page.locator("#results .count")).to_have_text("1 prospect")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.wait_for_function("() => location.search.includes('q=brotteaux')")

    # Board: the menu offers only the allowed moves, the next stage preselected; a card dropped where it
    # cannot go says why; an allowed move moves it.
    page.get_by_role("link", name="Tableau par étape").click()
    card = page.locator(".pr-board-card", has_text="Atelier Vélo Partagé")
    menu = card.get_by_label(re.compile("Déplacer « Atelier Vélo Partagé » vers"))
    expect(menu).to_have_value("contacted")
    expect(menu.locator("option", has_text="Retenu")).to_have_count(0)
    # (The « Retenu » column is scrolled out of sight from this card: the drop is dispatched to it.)
    drag = page.evaluate_handle("() => new DataTransfer()")
    card.dispatch_event("dragstart", {"dataTransfer": drag})
    page.locator('.pr-board-column[data-stage="retained"]').dispatch_event("drop", {"dataTransfer": drag})
    expect(
        page.locator(".pr-board-card", has_text="Atelier Vélo Partagé").get_by_role("alert")
    ).to_contain_text("Seul le comité de sélection")
    card = page.locator(".pr-board-card", has_text="Atelier Vélo Partagé")
    card.get_by_label(re.compile("Déplacer « Atelier Vélo Partagé » vers")).select_option(label="Intéressé")
    card.get_by_role("button", name="Déplacer").click()
    expect(page.locator('.pr-board-column[data-stage="interested"]')).to_contain_text("Atelier Vélo Partagé")
    # Keyboard users keep their place: the moved card's menu has the focus again.
    expect(
        page.locator(".pr-board-card", has_text="Atelier Vélo Partagé").get_by_role("combobox")
    ).to_be_focused()
    # Drag and drop does the same through the same server-checked form.
    page.locator(".pr-board-card", has_text="Épicerie Solidaire des Brotteaux").drag_to(
        page.locator('.pr-board-column[data-stage="contacted"]'),
        source_position={"x": 12, "y": 6},
    )
    expect(page.locator('.pr-board-column[data-stage="contacted"]')).to_contain_text(
        "Épicerie Solidaire des Brotteaux"
    )

    # Interview: plan it, then score every criterion.
    page.locator('.pr-board-column[data-stage="interested"]').get_by_role(
        "link", name="Atelier Vélo Partagé"
    ).click()
    page.get_by_role("link", name="Planifier un entretien").click()
    page.get_by_label("Date et heure").fill("2026-12-03T10:00")
    page.get_by_label("En visio").check()
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text("Entretien planifié.")).to_be_visible()
    criteria = page.locator("fieldset.pr-criterion")
    for index in range(criteria.count()):
        criteria.nth(index).get_by_role("radio", name=re.compile(r"2 — ")).check()
    page.get_by_role("button", name="Enregistrer mes notes").click()
    expect(page.get_by_text("Vos notes sont enregistrées.")).to_be_visible()
    expect(page.locator(".pr-score")).to_have_text("2,00")


def test_a_column_sort_survives_the_next_filter(page, live_server, transactional_db):
    """Sorting by a column refreshes the results only; the filters' « Trier par » menu follows, so choosing a
    filter afterwards keeps the order."""
    from prospects.models import Stage
    from tests.prospects.factories import ProspectFactory

    programme = ProgrammeFactory(name="Programme Coopérations")
    for name in ("Brasserie Coopérative", "Atelier Vélo", "Conciergerie Solidaire"):
        ProspectFactory(programme=programme, organisation__name=name, stage=Stage.CONTACTED)
    ProspectFactory(programme=programme, organisation__name="Déjà Interessée", stage=Stage.INTERESTED)
    UserFactory(email="camille@parcours.test", role="staff", first_name="Camille", last_name="Roux")
    login(page, live_server, "camille@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/prospects/")

    page.locator("#results th").get_by_role("link", name="Structure").click()
    page.wait_for_function("() => location.search.includes('o=name')")
    expect(page.locator("form.filters").get_by_label("Trier par")).to_have_value("name")
    page.locator("#results th").get_by_role("link", name=re.compile("Structure")).click()  # again: descending
    page.wait_for_function("() => location.search.includes('o=-name')")
    expect(page.locator("form.filters").get_by_label("Trier par")).to_have_value("-name")

    page.get_by_label("Étape").select_option(Stage.CONTACTED)
    page.wait_for_function("() => location.search.includes('stage=contacted')")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert "o=-name" in page.url
    names = page.locator("#results tbody tr td:nth-child(2) a").all_inner_texts()
    assert names == ["Conciergerie Solidaire", "Brasserie Coopérative", "Atelier Vélo"]

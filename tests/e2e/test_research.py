"""The action-research in a browser (#22, item 8): staff record an observation coded against two conditions,
and the cross-territory matrix and its XLSX export show it. Then the territory pages, walked at phone and
desktop widths (screenshots under var/screenshots/): no sideways scroll, no console error."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, login, open_walk
from tests.factories import PASSWORD, UserFactory


def test_staff_code_an_observation_and_the_matrix_and_its_export_show_it(page, live_server, transactional_db):
    from types import SimpleNamespace

    from tests.evaluation.research_helpers import framework, pilot_territory
    from tests.factories import ProgrammeFactory

    staff = UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    programme = ProgrammeFactory(name="Programme Lyon")

    world = SimpleNamespace(staff=staff, programme=programme)
    _version, governance, _seats, mobilisation = framework(world)
    territory = pilot_territory(world, "Vaulx-en-Velin")

    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/evaluation/recherche-action/journal/")
    page.get_by_role("link", name="Nouvelle observation").click()
    page.locator("#id_territory").select_option(label="Vaulx-en-Velin")
    page.locator("#id_observed_on").fill("2026-03-12")
    page.locator("#id_text").fill("Trois habitantes siègent désormais au COPIL.")
    page.locator(f"#id_status_{governance.pk}").select_option("present")
    page.locator(f"#id_justification_{governance.pk}").fill("Sièges votés en assemblée de quartier.")
    page.locator(f"#id_status_{mobilisation.pk}").select_option("emerging")
    page.locator(f"#id_justification_{mobilisation.pk}").fill("Quarante personnes à l’assemblée.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("L’observation est enregistrée.")

    page.get_by_role("link", name="Matrice").first.click()
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Vaulx-en-Velin"))
    expect(row).to_contain_text("Présente")
    expect(row).to_contain_text("Émergente")
    # The evidence, one click away.
    row.get_by_role("link", name="Présente").click()
    expect(page.locator("body")).to_contain_text("Sièges votés en assemblée de quartier.")

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (XLSX)").click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = [[cell.value for cell in r] for r in sheet.iter_rows()]
    vaulx = next(r for r in rows if r[0] == territory.name)
    assert vaulx[rows[0].index("Gouvernance partagée")] == "Présente"
    assert vaulx[rows[0].index("Mobilisation des habitants")] == "Émergente"


def test_the_territory_pages_fit_a_phone_without_console_errors(browser, live_server, demo):
    from django.urls import reverse

    from programme.models import Territory

    territory = Territory.objects.get(name="Vaulx-en-Velin")
    paths = [
        reverse("territories:list"),
        territory.get_absolute_url(),
        reverse("territories:areas", args=[territory.pk]) + "?q=vaulx",
        reverse("evaluation:research.journal"),
        reverse("evaluation:research.observation.create"),
        reverse("evaluation:research.matrix"),
        reverse("evaluation:research.framework"),
        reverse("evaluation:research.resource.list"),
    ]
    for viewport in (PHONE, DESKTOP):
        walk = open_walk(browser, live_server, "director@demo.parcours.fr", "director", viewport)
        for path in paths:
            walk.go(path)
            walk.screenshot(path, viewport["width"])
            if viewport is PHONE:
                width = walk.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], f"{path} is {width[0]} px wide on a {width[1]} px phone"
        walk.page.context.close()
        assert not walk.errors, walk.errors

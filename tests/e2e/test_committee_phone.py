"""The selection committee on a phone (issue #14): at 390 px each candidate is one card of full-width parts
(rank, candidate, score, interview, decision form), not a table squeezed to a word a line; at 1440 px it stays
the ranking table. Screenshots at both widths are kept as artifacts."""

from django.urls import reverse

from tests.e2e.conftest import DESKTOP, PHONE, open_walk

#: Per candidate row: its height and the narrowest of its cells, with the header's visibility.
SHAPE = """() => ({
  header: getComputedStyle(document.querySelector('.committee-table thead')).clip !== 'auto'
    && document.querySelector('.committee-table thead').getBoundingClientRect().height <= 1,
  rows: [...document.querySelectorAll('tr.candidate-row')].map(r => ({
    height: r.getBoundingClientRect().height,
    narrowest: Math.min(...[...r.cells].map(c => c.getBoundingClientRect().width)),
  })),
  width: [document.documentElement.scrollWidth, window.innerWidth],
})"""


def test_the_committee_reads_as_cards_on_a_phone_and_as_a_table_on_a_desktop(browser, live_server, demo):
    from programme.models import Cohort

    cohort = max(Cohort.objects.all(), key=lambda c: c.prospects.filter(stage="candidate").count())
    path = reverse("projects:selection.committee", args=[cohort.pk])
    walk = open_walk(browser, live_server, "director@demo.parcours.fr", "director", PHONE)
    walk.go(path)
    phone = walk.page.evaluate(SHAPE)
    walk.screenshot(path, PHONE["width"])
    assert phone["rows"] and phone["width"][0] <= phone["width"][1]
    assert phone["header"]  # the column names stand above each part instead
    # Every part has the card's width (a 390 px screen less its margins), none a column of one word.
    assert all(row["narrowest"] > 300 for row in phone["rows"]), phone["rows"]
    labels = walk.page.locator("tr.candidate-row").first.locator("td[data-label]")
    assert labels.count() == 5
    walk.page.set_viewport_size(DESKTOP)
    desktop = walk.page.evaluate(SHAPE)
    walk.screenshot(path, DESKTOP["width"])
    assert not desktop["header"] and desktop["width"][0] <= desktop["width"][1]
    assert all(row["narrowest"] < 300 for row in desktop["rows"])  # columns side by side
    assert not walk.errors, walk.errors


def test_the_director_decides_in_a_row_on_a_phone_on_a_desktop_and_without_scripts(
    browser, live_server, demo
):
    """« Décider » brings one candidate's form into its row; saving comes back to the committee at that row
    with the decision on it. Without scripts the same button opens the candidate's decision page."""
    import re

    from playwright.sync_api import expect

    from programme.models import Cohort
    from prospects.models import SelectionDecision

    cohort = max(Cohort.objects.all(), key=lambda c: c.prospects.filter(stage="candidate").count())
    waiting = list(cohort.prospects.filter(stage="candidate").select_related("organisation").order_by("pk"))
    assert len(waiting) >= 3, "the demo's fullest promotion has candidates waiting for the committee"
    path = reverse("projects:selection.committee", args=[cohort.pk])
    walk = open_walk(browser, live_server, "director@demo.parcours.fr", "director", PHONE)
    page = walk.page
    for viewport, prospect, choice in (
        (PHONE, waiting[0], "Liste d’attente"),
        (DESKTOP, waiting[1], "Non retenu"),
    ):
        page.set_viewport_size(viewport)
        walk.go(path)
        assert page.locator("textarea").count() == 0  # no form until one is asked for
        row = page.locator(f"#candidate-{prospect.pk}")
        row.get_by_role("link", name=re.compile("Décider")).click()
        row.get_by_label(choice).check()
        row.get_by_label("Motivation").fill("Décidé en comité.")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        walk.screenshot(f"{path}decision", viewport["width"])
        row.get_by_role("button", name="Enregistrer la décision").click()
        expect(
            page.get_by_text(f"Décision enregistrée pour «\u202f{prospect.organisation.name}\u202f»")
        ).to_be_visible()
        assert page.url.endswith(f"#candidate-{prospect.pk}")
        expect(page.locator(f"#candidate-{prospect.pk}")).to_contain_text(choice)
        assert (
            SelectionDecision.objects.get(prospect=prospect, cohort=cohort).rationale == "Décidé en comité."
        )
    assert not walk.errors, walk.errors

    context = browser.new_context(locale="fr-FR", java_script_enabled=False, viewport=PHONE)
    plain = context.new_page()
    plain.goto(f"{live_server.url}/accounts/login/")
    plain.get_by_label("Adresse e-mail").fill("director@demo.parcours.fr")
    plain.get_by_label("Mot de passe").fill("parcours-demo")
    plain.get_by_role("button", name="Se connecter").click()
    plain.goto(live_server.url + path)
    prospect = waiting[2]
    plain.locator(f"#candidate-{prospect.pk}").get_by_role("link", name=re.compile("Décider")).click()
    expect(plain.get_by_role("heading", name=f"Décision sur {prospect.organisation.name}")).to_be_visible()
    plain.get_by_label("Liste d’attente").check()
    plain.get_by_label("Motivation").fill("Sans scripts.")
    plain.get_by_role("button", name="Enregistrer la décision").click()
    expect(plain.locator(f"#candidate-{prospect.pk}")).to_contain_text("Liste d’attente")
    context.close()

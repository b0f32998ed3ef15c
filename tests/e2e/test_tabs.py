"""One project, one place, in a browser: the project's tab row with « Plus », the Évaluation tab and its
funder report button, the stage menu — at 1440 and 390 px, with screenshots kept as test artifacts
(PARCOURS_SCREENSHOTS, default: the temporary directory; never committed)."""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import Phase
from prospects.models import Stage
from tests.e2e.conftest import login
from tests.evaluation.factories import CriterionFactory, ProjectIndicatorFactory, record
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.projects.factories import PhasePeriodFactory
from tests.prospects.factories import ProspectFactory

SHOTS = Path(os.environ.get("PARCOURS_SCREENSHOTS", Path(tempfile.gettempdir()) / "parcours-screenshots"))
WIDTHS = {"1440": (1440, 900), "390": (390, 844)}


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page: Page, selector: str) -> bool:
    """The element lies within the viewport's width (nothing of it needs a sideways scroll)."""
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth; }",
    )


def test_project_tabs_evaluation_tab_and_stage_menu_at_1440_and_390(page, live_server, transactional_db):
    staff = UserFactory(email="camille@parcours.test", role="staff", first_name="Camille")
    org = OrganisationFactory(name="Épicerie du Tonkin")
    project = ProjectFactory(
        title="Alimentation solidaire", lead_organisation=org, phase=Phase.EXPERIMENTATION
    )
    MembershipFactory(project=project, organisation=org, role="lead")
    start = timezone.localdate() - timedelta(days=200)
    PhasePeriodFactory(project=project, phase=Phase.EXPERIMENTATION, planned_start=start, actual_start=start)
    criterion = CriterionFactory(question__project=project, question__text="Le public visé est-il atteint ?")
    pi = ProjectIndicatorFactory(
        project=project, criterion=criterion, indicator__name="Personnes accueillies"
    )
    record(staff, pi, value=30)
    prospect = ProspectFactory(organisation__name="Régie de quartier", stage=Stage.CONTACTED)

    login(page, live_server, "camille@parcours.test", PASSWORD)
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        page.goto(f"{live_server.url}{project.get_absolute_url()}")
        tabs = page.get_by_role("navigation", name="Sections du projet")
        expect(tabs.get_by_role("link", name="Gouvernance")).to_be_visible()  # the phase's tab, in the row
        expect(tabs.get_by_role("link", name="Ateliers")).to_be_hidden()  # another phase's: under « Plus »
        assert fits(page, "nav.tabs")
        tabs.locator("summary").click()
        expect(tabs.get_by_role("link", name="Ateliers")).to_be_visible()
        assert fits(page, ".tabs__menu")
        shoot(page, f"nav14-project-plus-{width}")
        # « Plus » closes as any menu does: Escape, or a click elsewhere.
        page.keyboard.press("Escape")
        expect(tabs.get_by_role("link", name="Ateliers")).to_be_hidden()
        tabs.locator("summary").click()
        page.get_by_role("heading", level=1).click()
        expect(tabs.get_by_role("link", name="Ateliers")).to_be_hidden()
        tabs.locator("summary").click()
        tabs.get_by_role("link", name="Ateliers").click()
        expect(tabs.locator('[aria-current="page"]')).to_have_text("Ateliers")

        tabs.get_by_role("link", name="Évaluation").click()
        expect(tabs.locator('[aria-current="page"]')).to_have_text("Évaluation")
        # The main navigation (behind the « Menu » button on a phone) highlights « Projets ».
        expect(page.locator('#main-nav [aria-current="page"]')).to_have_text("Projets")
        expect(page.get_by_role("heading", name="Indicateurs")).to_be_visible()
        expect(page.get_by_text("Le public visé est-il atteint ?")).to_be_visible()
        expect(page.get_by_role("heading", name="Maturité coopérative")).to_be_visible()
        shoot(page, f"nav14-evaluation-tab-{width}")
        page.get_by_role("link", name="Personnes accueillies").first.click()
        page.locator(".crumbs").get_by_role("link", name="Alimentation solidaire").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Alimentation solidaire")
        page.goto(f"{live_server.url}/evaluation/projets/{project.pk}/")
        page.get_by_role("link", name="Rapport financeur").click()
        expect(page.get_by_label("Type de rapport")).to_have_value("funder")

        page.goto(f"{live_server.url}{prospect.get_absolute_url()}")
        expect(page.get_by_label("Changer d’étape")).to_have_value(Stage.INTERESTED)
        expect(
            page.get_by_role("navigation", name="Prospects").get_by_role("link", name="Sélection")
        ).to_have_count(0)
        shoot(page, f"nav14-prospect-{width}")
        page.goto(f"{live_server.url}/projets/selection/")
        expect(page.get_by_role("navigation", name="Projets").locator('[aria-current="page"]')).to_have_text(
            "Sélection"
        )
        assert fits(page, "nav.tabs")
        shoot(page, f"nav14-selection-{width}")

"""A director opens the dashboard, filters by cohort and downloads an export of the filtered figures."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from evaluation import services
from tests.e2e.conftest import login
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory
from tests.factories import PASSWORD, CohortFactory, ProgrammeFactory, ProjectFactory, UserFactory


def test_director_filters_the_dashboard_by_cohort_and_downloads_an_export(
    page, live_server, transactional_db
):
    director = UserFactory(email="helene@parcours.test", role="director", first_name="Hélène")
    programme = ProgrammeFactory(name="Programme Coopérations", start_date=date(2025, 1, 1))
    first = CohortFactory(programme=programme, name="Promotion 2025", year=2025)
    second = CohortFactory(programme=programme, name="Promotion 2026", year=2026)
    reached = IndicatorFactory(name="Personnes touchées", unit="personnes")
    for cohort, title, value in ((first, "Épicerie du Tonkin", 120), (second, "Réemploi BTP", 45)):
        project = ProjectFactory(programme=programme, cohort=cohort, title=title, phase="emergence")
        pi = ProjectIndicatorFactory(project=project, indicator=reached, baseline_value=0, target_value=200)
        services.measurement_record(
            actor=director,
            project_indicator=pi,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            value=Decimal(value),
        )

    login(page, live_server, "helene@parcours.test", PASSWORD)
    # Directors find the dashboard first in the navigation.
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link").first).to_have_text("Tableau de bord")
    nav.get_by_role("link", name="Tableau de bord").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
    table = page.locator("#table-indicators")
    expect(table).to_contain_text("165")  # both cohorts: 120 + 45

    page.get_by_label("Promotion").select_option(label="Promotion 2026")
    # The dashboard refreshes in place and the URL keeps the filter.
    page.wait_for_function("() => location.search.includes('cohort=')")
    expect(page.locator(".active-filters")).to_contain_text("Promotion 2026")
    expect(table).to_contain_text("45")
    expect(table).not_to_contain_text("165")
    expect(page.get_by_role("img", name="Indicateurs des projets")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="CSV — Indicateurs des projets").click()
    download = info.value
    assert download.suggested_filename.startswith(
        "parcours-indicators-"
    ) and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    lines = content.splitlines()
    assert lines[0].startswith("Indicateur;Nature;Projets (mesurés / suivant);Valeur sur la période")
    # A flow with a cumulative target: 45 so far against 200 (22,5 %), for the 2026 cohort only.
    assert lines[1].startswith("Personnes touchées;flux;1;45;45;0;200;22,5")
    # One indicator row, then (after a blank line) the table's definition and the period of its data.
    assert lines[2] == "" and lines[3].startswith("Définition;") and lines[4].startswith("Période;")
    assert len(lines) == 5

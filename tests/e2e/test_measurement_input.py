"""In a real browser, a figure typed the French way reaches the database exactly (issue #11: "12 500,50" typed
in a number input was stored as 1 250 050 €), and a value far off asks for a confirmation first."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from evaluation import services
from evaluation.models import Measurement
from tests.e2e.conftest import login
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory
from tests.factories import PASSWORD, ProgrammeFactory, ProjectFactory, UserFactory


def test_staff_types_french_figures_and_confirms_an_outlier(page, live_server, transactional_db):
    staff = UserFactory(email="sarah@parcours.test", role="staff", first_name="Sarah")
    project = ProjectFactory(programme=ProgrammeFactory(), title="Épicerie du Tonkin", phase="emergence")
    funds = IndicatorFactory(name="Fonds levés", type="amount")
    pi = ProjectIndicatorFactory(project=project, indicator=funds, baseline_value=0, target_value=150000)
    services.measurement_record(
        actor=staff,
        project_indicator=pi,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        value=Decimal(24000),
    )
    login(page, live_server, staff.email, PASSWORD)

    page.goto(f"{live_server.url}{pi.get_absolute_url()}")
    # The period proposed follows the last value: the second quarter, already over.
    expect(page.locator("#id_period_start")).to_have_value("2026-04-01")
    page.locator("#id_value").press_sequentially("12 500,50")
    page.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.locator(".message--success")).to_contain_text("Valeur enregistrée.")
    second = Measurement.objects.get(project_indicator=pi, period_start=date(2026, 4, 1))
    assert (second.value, second.status) == (Decimal("12500.50"), "validated")

    # The separators lost: a hundred times too much. The form comes back with the reason, nothing saved.
    page.locator("#id_value").press_sequentially("1250050")
    page.get_by_role("button", name="Enregistrer la valeur").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "vaut plus de 5 fois la plus grande valeur déjà validée"
    )
    assert not Measurement.objects.filter(project_indicator=pi, period_start=date(2026, 7, 1)).exists()
    expect(page.locator("#id_value")).to_have_value("1250050")
    page.get_by_label("Je confirme cette valeur").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".message--success")).to_contain_text("un autre membre de l’équipe doit la valider")
    third = Measurement.objects.get(project_indicator=pi, period_start=date(2026, 7, 1))
    assert third.status == "submitted" and third.review_flags

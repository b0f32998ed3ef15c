"""Staff record a funding request, its acceptance, the convention with its schedule and a payment, and
see "reste à percevoir" change; the page fits a phone's width."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from programme.models import FunderKind
from tests.e2e.conftest import login
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    UserFactory,
)


def _iso(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_staff_follow_a_grant_to_its_first_payment(page, live_server, transactional_db):
    UserFactory(email="sam@parcours.test", role="staff", first_name="Sam")
    lead = OrganisationFactory(name="Épicerie Coopérative du Tonkin")
    OrganisationFactory(
        name="Région Auvergne-Rhône-Alpes", kind="collectivite", funder_kind=FunderKind.REGION
    )
    project = ProjectFactory(
        programme=ProgrammeFactory(),
        title="Alimentation solidaire",
        lead_organisation=lead,
        phase="emergence",
    )
    MembershipFactory(project=project, organisation=lead)

    login(page, live_server, "sam@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/projets/{project.pk}/")
    page.get_by_role("link", name="Financement").click()
    remaining = page.locator('[data-figure="remaining"]')
    expect(remaining).to_have_text("0\u00a0€")

    # The request, in preparation.
    page.get_by_role("link", name="Nouvelle demande").click()
    page.locator("#id_funder").select_option(label="Région Auvergne-Rhône-Alpes")
    page.get_by_label("Objet de la demande").fill("Fonctionnement de l'épicerie")
    page.get_by_label("Montant demandé (€)").fill("24 000")
    page.get_by_label("Début de la période").fill(_iso(-60))
    page.get_by_label("Fin de la période").fill(_iso(300))
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Demande enregistrée")
    expect(page.locator('[data-figure="requested"]')).to_have_text("24\u00a0000\u00a0€")

    # Submitted, then granted.
    page.get_by_role("link", name="Déposée").click()
    page.get_by_label("Date (dépôt ou décision)").fill(_iso(-50))
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Accordée").click()
    page.get_by_label("Date (dépôt ou décision)").fill(_iso(-20))
    page.get_by_label("Montant accordé (€)").fill("24 000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator('[data-figure="secured"]')).to_have_text("24\u00a0000\u00a0€")
    expect(remaining).to_have_text("24\u00a0000\u00a0€")

    # The convention and its schedule.
    page.get_by_role("link", name="Convention", exact=True).click()
    page.get_by_label("Référence").fill("ARA-2026-0042")
    page.get_by_label("Signée le").fill(_iso(-10))
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_role("heading", name="Convention ARA-2026-0042 — Région Auvergne-Rhône-Alpes")
    ).to_be_visible()
    page.get_by_role("link", name="Ajouter une échéance").click()
    page.get_by_label("Nature").select_option(label="Avance à la signature")
    page.get_by_label("Échéance").fill(_iso(-5))
    page.get_by_label("Montant (€)").fill("12 000")
    page.get_by_role("button", name="Enregistrer").click()
    # Half the granted amount is scheduled: the page says what is missing.
    expect(page.get_by_text("il manque 12\u00a0000\u00a0€").first).to_be_visible()
    expect(page.get_by_text("En retard", exact=True)).to_be_visible()

    # A payment that exceeds what is due is refused until a reason is given.
    page.get_by_role("link", name="Enregistrer un versement").click()
    page.get_by_label("Reçu le").fill(_iso(-1))
    page.get_by_label("Montant (€)").fill("12 000")
    page.get_by_label("Référence du virement").fill("VIR-ARA-1")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Versement enregistré")).to_be_visible()
    expect(remaining).to_have_text("12\u00a0000\u00a0€")
    expect(page.locator('[data-figure="received"]')).to_have_text("12\u00a0000\u00a0€")
    expect(page.get_by_text("Reçue", exact=True)).to_be_visible()

    # A phone's width: no sideways scrolling of the page.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.screenshot(path="/tmp/money1-funding-390.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path="/tmp/money1-funding-1440.png", full_page=True)

"""Partner portal in a browser: partner A uploads a deliverable and submits an indicator value, the team
validates it, partner A sees it validated — and partner B sees none of it."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from evaluation.models import Indicator, Measurement, ProjectIndicator
from projects.models import Deliverable, PhasePeriod, Project
from tests.e2e.conftest import login
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _followed(world, project: Project, letter: str) -> tuple[Deliverable, ProjectIndicator]:
    """The world's collective `letter` in émergence, followed by the staff, with a deliverable assigned to
    its structure and an indicator its partner reports."""
    project.phase = "emergence"
    project.save(update_fields=["phase"])
    project.staff_leads.add(world.staff)
    today = timezone.localdate()
    PhasePeriod.objects.create(
        project=project,
        phase="emergence",
        planned_start=today - timedelta(days=60),
        actual_start=today - timedelta(days=60),
        planned_end=today + timedelta(days=240),
    )
    deliverable = Deliverable.objects.create(
        project=project,
        title=f"Diagnostic partagé {letter}",
        due_date=today + timedelta(days=10),
        owner_organisation=project.lead_organisation,
    )
    indicator = Indicator.objects.create(
        code=f"menages-{letter.lower()}",
        name=f"Ménages accompagnés {letter}",
        type="count",
        periodicity="quarterly",
    )
    pi = ProjectIndicator.objects.create(project=project, indicator=indicator, reporter="partner")
    return deliverable, pi


def test_partner_uploads_submits_staff_validates_and_b_sees_nothing(
    page, browser, live_server, transactional_db, world, tmp_path
):
    staff, partner_a = world.staff, world.partner_a
    deliverable_a, pi_a = _followed(world, world.project_a, "A")
    _followed(world, world.project_b, "B")
    upload = tmp_path / "diagnostic.pdf"
    upload.write_bytes(PDF)

    # Partner A: home is "Mon projet"; upload the deliverable.
    login(page, live_server, partner_a.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Projet A")
    page.get_by_role("link", name="Déposer — Diagnostic partagé A").click()
    page.get_by_label("Fichier").set_input_files(str(upload))
    page.get_by_label("Commentaire pour l’équipe").fill("Première version")
    page.get_by_role("button", name="Déposer").click()
    expect(page.get_by_text("Version 1 de « Diagnostic partagé A » déposée.")).to_be_visible()
    expect(page.get_by_role("link", name="diagnostic.pdf")).to_be_visible()

    # …and submit an indicator value for the period proposed: the last quarter already over.
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon projet"
    ).click()
    page.get_by_role("link", name="Renseigner — Ménages accompagnés A").click()
    expect(page.get_by_label("Période", exact=False).and_(page.locator("select"))).not_to_have_value("")
    page.locator("#id_value").fill("12")
    page.get_by_role("button", name="Soumettre à l’équipe").click()
    expect(page.locator(".message--success")).to_contain_text("Valeur soumise")
    expect(page.locator("table").get_by_text("À valider")).to_be_visible()
    measurement = Measurement.objects.get(project_indicator=pi_a)
    assert measurement.status == "submitted"

    # The team validates it on the indicator's page.
    staff_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        staff_page = staff_context.new_page()
        login(staff_page, live_server, staff.email, PASSWORD)
        staff_page.goto(f"{live_server.url}/evaluation/suivi/{pi_a.pk}/")
        staff_page.get_by_role("button", name="Valider").first.click()
        staff_page.wait_for_load_state()
    finally:
        staff_context.close()
    measurement.refresh_from_db()
    assert measurement.status == "validated"

    # Partner A sees it validated.
    page.reload()
    expect(page.locator("table").get_by_text("Validée")).to_be_visible()

    # Partner B sees none of it.
    b_context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    try:
        b_page = b_context.new_page()
        login(b_page, live_server, world.partner_b.email, PASSWORD)
        expect(b_page.get_by_role("heading", level=1)).to_have_text("Projet B")
        body = b_page.locator("main")
        for text in ("Projet A", "Diagnostic partagé A", "Ménages accompagnés A", "diagnostic.pdf"):
            expect(body).not_to_contain_text(text)
        response = b_page.goto(f"{live_server.url}/portail/indicateurs/{pi_a.pk}/")
        assert response.status == 404
        response = b_page.goto(f"{live_server.url}/portail/livrables/{deliverable_a.pk}/versions/1/")
        assert response.status == 404
    finally:
        b_context.close()

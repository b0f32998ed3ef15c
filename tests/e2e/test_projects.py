"""Staff opens a project and records a workshop with attendance; a director takes the gate decision
from the dossier."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Attendance, GateDecision, Phase, Workshop
from tests.e2e.conftest import login
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
)
from tests.projects.factories import PhasePeriodFactory


def test_workshop_with_attendance_then_gate_decision(page, live_server, transactional_db):
    staff = UserFactory(email="camille@parcours.test", role="staff", first_name="Camille")
    UserFactory(email="helene@parcours.test", role="director", first_name="Hélène")
    org = OrganisationFactory(name="Épicerie du Tonkin")
    project = ProjectFactory(title="Alimentation solidaire", lead_organisation=org, phase=Phase.EMERGENCE)
    project.staff_leads.add(staff)
    MembershipFactory(project=project, organisation=org, role="lead")
    alice = PersonFactory(organisation=org, first_name="Alice", last_name="Martin")
    PersonFactory(organisation=org, first_name="Bruno", last_name="Diallo")
    PhasePeriodFactory(
        project=project,
        phase=Phase.EMERGENCE,
        planned_start=timezone.localdate() - timedelta(days=300),
        planned_end=timezone.localdate() - timedelta(days=5),
        actual_start=timezone.localdate() - timedelta(days=300),
    )

    # Staff: open the project, record a workshop and who came.
    login(page, live_server, "camille@parcours.test", PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Projets").click()
    page.get_by_role("link", name="Alimentation solidaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alimentation solidaire")
    expect(page.get_by_text("En retard de décision").first).to_be_visible()
    page.get_by_role("navigation", name="Sections du projet").get_by_role("link", name="Ateliers").click()
    page.get_by_role("link", name="Nouvel atelier").click()
    page.get_by_label("Intitulé").fill("Atelier d’idéation")
    page.get_by_label("Étape").select_option(label="Idéation")
    page.get_by_label("Date et heure").fill("2026-03-10T14:00")
    page.get_by_label("Lieu").fill("Maison de l’ESS")
    page.get_by_label("Productions").fill("Cinq idées retenues")
    page.locator("#id_invited").get_by_label("Alice Martin").check()
    page.locator("#id_invited").get_by_label("Bruno Diallo").check()
    page.locator("#id_present").get_by_label("Alice Martin").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Atelier « Atelier d’idéation » enregistré.")).to_be_visible()
    attendance = page.locator("#attendance tbody tr")
    expect(attendance).to_have_count(2)
    expect(attendance.filter(has_text="Alice Martin")).to_contain_text("présent·e")
    expect(attendance.filter(has_text="Bruno Diallo")).to_contain_text("absent·e")
    workshop = Workshop.objects.get(title="Atelier d’idéation")
    assert Attendance.objects.get(workshop=workshop, person=alice).present
    page.get_by_role("button", name="Se déconnecter").click()

    # Director: read the dossier and decide.
    login(page, live_server, "helene@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("link", name="Décision d’étape").click()
    expect(page.get_by_role("heading", name="Dossier de décision d’étape")).to_be_visible()
    expect(page.get_by_text("Cinq idées retenues")).to_be_visible()
    page.get_by_label("Poursuite").check()
    page.get_by_label("Instance de décision").fill("Comité d'engagement de mars")
    page.get_by_label("Motivation").fill("Le prototype a convaincu les usagers.")
    page.get_by_label("Motif d’une décision sans dossier").fill("Dossier présenté sur papier.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("Décision enregistrée : Poursuite"))).to_be_visible()
    expect(page.locator(".page-head .badge").first).to_have_text("Expérimentation")
    decision = GateDecision.objects.get(project=project)
    assert decision.to_phase == Phase.EXPERIMENTATION and decision.decided_by.email == "helene@parcours.test"

"""Staff writes a finding and prepares the gate dossier; the director decides on it; a measurement then
changes, and the decision page still shows the frozen figures with the same SHA-256."""

import re
from datetime import date

from playwright.sync_api import expect

from evaluation.judgement.models import DecisionDossier, GateDossier
from projects.models import GateDecision
from tests.e2e.conftest import login, lyon_project
from tests.evaluation.factories import (
    CriterionFactory,
    IndicatorFactory,
    ProjectIndicatorFactory,
    QuestionFactory,
    record,
)
from tests.factories import (
    PASSWORD,
    UserFactory,
)


def test_findings_dossier_decision_then_frozen_figures(page, live_server, transactional_db):
    _programme, project = lyon_project()
    staff = UserFactory(email="claire@parcours.test", role="staff", first_name="Claire")
    UserFactory(email="direction@parcours.test", role="director", first_name="Hélène")
    question = QuestionFactory(project=project, text="Le collectif a-t-il élargi son public ?")
    criterion = CriterionFactory(question=question, text="Nouveaux publics touchés")
    pi = ProjectIndicatorFactory(
        project=project,
        indicator=IndicatorFactory(name="Repas solidaires servis"),
        baseline_value=10,
        target_value=100,
        criterion=criterion,
    )
    record(staff, pi, value=30)

    # Staff writes the finding from the Évaluation tab.
    login(page, live_server, "claire@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/evaluation/projets/{project.pk}/")
    page.get_by_role("link", name="Constats et dossier").click()
    page.get_by_role("link", name="Écrire le constat").click()
    page.get_by_label("Réponse de l’équipe").fill("Oui : trois quartiers nouveaux fréquentent la cantine.")
    page.get_by_label("Niveau atteint — Nouveaux publics touchés").select_option("partly")
    page.get_by_label("Justification").fill("Deux quartiers sur trois.")
    page.get_by_role("button", name="Enregistrer le constat").click()
    expect(page.get_by_text("Constat enregistré.")).to_be_visible()
    measurement = pi.measurements.get()
    page.get_by_label("Preuve").select_option(f"measurement:{measurement.pk}")
    page.get_by_role("button", name="Lier la preuve").click()
    expect(page.get_by_text("Preuve liée au constat.")).to_be_visible()

    # Staff prepares the dossier (rendered after the request in tests, by a worker in production).
    page.get_by_role("link", name="Retour aux constats").click()
    page.get_by_role("button", name="Préparer le dossier").first.click()
    expect(page.locator("#dossier-status")).to_contain_text("Empreinte SHA-256", timeout=30_000)
    dossier = GateDossier.objects.get()
    sha = dossier.sha256
    assert len(sha) == 64

    # The director decides on it.
    page.context.clear_cookies()
    login(page, live_server, "direction@parcours.test", PASSWORD)
    page.goto(f"{live_server.url}/projets/{project.pk}/decision/")
    expect(page.locator("#dossier-comite")).to_contain_text("Dossier préparé le")
    expect(page.get_by_label("Dossier présenté au comité")).to_have_value(str(dossier.pk))
    page.get_by_label("Poursuite").check()
    page.get_by_label("Instance de décision").fill("Comité d’engagement de mars")
    page.get_by_label("Motivation").fill("Le collectif est prêt.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("Décision enregistrée"))).to_be_visible()
    decision = GateDecision.objects.get(project=project)
    assert DecisionDossier.objects.get(decision=decision).dossier_id == dossier.pk

    # A measurement changes: 30 → 80 meals. What the committee saw does not.
    record(staff, pi, start=date(2026, 4, 1), end=date(2026, 6, 30), value=50)
    page.goto(f"{live_server.url}/projets/{project.pk}/decision/")
    page.get_by_role("link", name=re.compile("Poursuite")).first.click()
    expect(page.get_by_role("heading", name="Ce que le comité a vu")).to_be_visible()
    expect(page.locator("#sha256")).to_have_text(sha)
    row = page.get_by_role("row", name=re.compile("Repas solidaires servis"))
    expect(row).to_contain_text("30")
    expect(row).not_to_contain_text("80")
    dossier.refresh_from_db()
    assert dossier.sha256 == sha

"""A director prepares the programme without the Django admin (issue #18): creates a promotion and a phase
template; a project then enters the phase and shows the template's milestones and committees, dated."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from programme.formatting import fr_date
from projects.dates import add_months
from projects.models import Committee, Milestone, Phase
from tests.e2e.conftest import login
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.projects.factories import PhasePeriodFactory


def test_director_creates_a_cohort_and_a_template_then_a_project_gets_it(page, live_server, transactional_db):
    UserFactory(email="helene@parcours.test", role="director", first_name="Hélène")
    org = OrganisationFactory(name="Épicerie du Tonkin")
    project = ProjectFactory(title="Alimentation solidaire", lead_organisation=org, phase=Phase.SELECTION)
    programme = project.programme
    MembershipFactory(project=project, organisation=org, role="lead")
    today = timezone.localdate()
    PhasePeriodFactory(project=project, phase=Phase.SELECTION, planned_start=today, actual_start=today)

    login(page, live_server, "helene@parcours.test", PASSWORD)
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Paramètres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paramètres du programme")

    # A promotion.
    page.get_by_role("link", name="Promotions").click()
    page.get_by_role("link", name="Nouvelle promotion").click()
    page.locator("#id_programme").select_option(label=programme.name)
    page.locator("#id_name").fill("Promotion 2031")
    page.locator("#id_year").fill("2031")
    page.locator("#id_start_date").fill("2031-01-15")
    page.locator("#id_selection_committee_on").fill("2031-01-02")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(re.compile("C’est enregistré.*Promotion 2031"))).to_be_visible()
    expect(page.get_by_role("cell", name="2 janv. 2031")).to_be_visible()

    # The Émergence template: a milestone at two months, a COPIL at one month then every three months.
    nav.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Modèles de phase").click()
    page.get_by_role("row", name=re.compile("Émergence")).get_by_role("link", name="Créer le modèle").click()
    page.locator("[name=items-0-kind]").select_option("milestone")
    page.locator("[name=items-0-title]").fill("Diagnostic partagé")
    page.locator("[name=items-0-offset]").fill("2")
    page.locator("[name=items-1-kind]").select_option("committee")
    page.locator("[name=items-1-title]").fill("COPIL du projet")
    page.locator("[name=items-1-offset]").fill("1")
    page.locator("[name=items-1-committee_kind]").select_option("copil")
    page.locator("[name=items-1-every_months]").fill("3")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    expect(page.get_by_text(re.compile("Modèle Émergence v1 enregistré"))).to_be_visible()

    # The project enters Émergence: its gate decision creates the template's items.
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("link", name="Décision d’étape").click()
    page.get_by_label("Poursuite").check()
    page.get_by_label("Instance de décision").fill("Comité de sélection")
    page.get_by_label("Motivation").fill("Collectif retenu.")
    page.get_by_label("Motif d’une décision sans dossier").fill("Dossier présenté sur papier.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("Décision enregistrée"))).to_be_visible()
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    expect(page.get_by_text("Créé depuis le modèle Émergence v1")).to_be_visible()

    milestone = Milestone.objects.get(project=project)
    assert milestone.due_date == add_months(today, 2)
    copils = [c.date for c in Committee.objects.filter(project=project).order_by("date")]
    assert copils == [add_months(today, m) for m in (1, 4, 7, 10)]
    page.get_by_role("navigation", name="Sections du projet").get_by_role(
        "link", name="Jalons et livrables"
    ).click()
    expect(page.get_by_text("Diagnostic partagé").first).to_be_visible()
    expect(page.get_by_text(fr_date(add_months(today, 2))).first).to_be_visible()
    page.goto(f"{live_server.url}/projets/{project.pk}/gouvernance/")
    for when in copils:
        expect(page.get_by_text(fr_date(when)).first).to_be_visible()

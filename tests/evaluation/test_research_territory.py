"""The territory page (#22, item 2): everything located on the territory — its pilot project(s) and other
projects with their phase, prospects, essaimage sites, people mobilised and indicators rolled up through the
one figures module — gathered in sections the page loads by URL (programme.territories.sections)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation import selectors as figures
from evaluation.research.models import PilotProject
from programme.territories.sections import SECTIONS
from projects.models import Attendance, DeploymentSite, Workshop
from tests.evaluation.factories import IndicatorFactory, ProjectIndicatorFactory, record
from tests.evaluation.research_helpers import framework, observe, pilot_territory
from tests.factories import OrganisationFactory, PersonFactory, ProjectFactory
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _located(world, territory, n: int = 1, first: int = 0):
    """`n` projects on the territory, each with a workshop attended and an indicator measured."""
    from evaluation.models import Indicator

    indicator = Indicator.objects.filter(code="habitants").first() or IndicatorFactory(
        name="Habitants mobilisés", code="habitants"
    )
    projects = []
    for i in range(first, first + n):
        project = ProjectFactory(
            programme=world.programme, title=f"Projet local {i}", territory=territory, phase="emergence"
        )
        workshop = Workshop.objects.create(
            project=project, title="Atelier", step="needs", starts_at=datetime(2026, 2, 10, 14, tzinfo=PARIS)
        )
        Attendance.objects.create(workshop=workshop, person=PersonFactory(), present=True)
        pi = ProjectIndicatorFactory(project=project, indicator=indicator)
        record(world.staff, pi, value=12)
        ProspectFactory(
            programme=world.programme,
            territory=territory,
            organisation=OrganisationFactory(name=f"Prospect {i}"),
        )
        DeploymentSite.objects.create(
            project=world.project_a, territory=territory, partner=OrganisationFactory()
        )
        projects.append(project)
    return projects


def test_the_page_loads_its_sections_by_url(world, staff_client):
    territory = pilot_territory(world)
    assert {"activity", "research", "resources"} <= {s.key for s in SECTIONS}
    page = staff_client.get(territory.get_absolute_url()).content.decode()
    for name in (
        "research.territory_activity",
        "research.territory_research",
        "research.territory_resources",
    ):
        assert reverse(f"evaluation:{name}", args=[territory.pk]) in page


def test_the_activity_section_gathers_what_is_located_there(world, staff_client):
    territory = pilot_territory(world)
    pilot, other = _located(world, territory, 2)
    elsewhere = ProjectFactory(programme=world.programme, title="Projet ailleurs")
    response = staff_client.post(
        reverse("evaluation:research.pilot_project", args=[territory.pk, pilot.pk]), {"pilot": "1"}
    )
    assert (
        response.status_code == 302
        and PilotProject.objects.filter(territory=territory, project=pilot).exists()
    )
    # A project elsewhere cannot be made the territory's pilot.
    assert (
        staff_client.post(
            reverse("evaluation:research.pilot_project", args=[territory.pk, elsewhere.pk]), {"pilot": "1"}
        ).status_code
        == 404
    )
    section = staff_client.get(reverse("evaluation:research.territory_activity", args=[territory.pk]))
    html = section.content.decode()
    pilots, others = html.split("Autres projets du territoire")
    assert "Projet local 0" in pilots and "Projet local 1" in others and "Projet ailleurs" not in html
    assert "badge--phase-emergence" in html and "Prospect 1" in html and "Sites d’essaimage" in html
    assert "Projet A" in html  # project A's essaimage site is on this territory
    # The figures are the one figures module's, narrowed to the territory.
    expected = figures.territory_figures(user=world.staff, filters=figures.Filters(territory_id=territory.pk))
    assert expected["headline"]["projects"] == 2 and expected["headline"]["people"] == 2
    assert section.context["figures"]["headline"] == expected["headline"]
    assert "Habitants mobilisés" in html


def test_the_activity_section_costs_the_same_whatever_the_number_of_projects(world, staff_client):
    territory = pilot_territory(world)
    url = reverse("evaluation:research.territory_activity", args=[territory.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    _located(world, territory, 1)
    few = count()
    _located(world, territory, 4, first=1)
    # 1 session, 2 user, 3 the territory, 4 its pilot projects, 5 its projects, 6–7 its prospects (the
    # last ten, their count), 8 the essaimage sites on it; the figures (evaluation.selectors): 9 projects by
    # phase, 10 workshops and attendances by quarter (one grouped join), 11 people mobilised, 12 the
    # indicators followed, 13 their yearly roll-up — whatever the number of projects.
    assert few == 13
    assert count() == few


def test_the_research_section_shows_the_latest_coding_of_each_condition(world, staff_client):
    territory = pilot_territory(world)
    version, governance, _seats, mobilisation = framework(world)
    observe(world, territory, version, (governance, "absent"), on=date(2026, 1, 10))
    latest = observe(world, territory, version, (governance, "present"), on=date(2026, 3, 10))
    html = staff_client.get(
        reverse("evaluation:research.territory_research", args=[territory.pk])
    ).content.decode()
    assert (
        latest.get_absolute_url() in html
        and "Présente" in html
        and "Absente" not in html.split("observations")[0]
    )
    assert "Pas encore codée" in html  # mobilisation


def test_a_granted_partner_reads_the_page_and_its_resources_but_not_the_team_sections(world):
    from programme.models import TerritoryGrant, TerritoryPartner
    from tests.conftest import client_for

    territory = pilot_territory(world)
    TerritoryPartner.objects.create(territory=territory, organisation=world.org_a, role="association")
    TerritoryGrant.objects.create(territory=territory, user=world.partner_a, granted_by=world.director)
    client = client_for(world.partner_a)
    page = client.get(territory.get_absolute_url()).content.decode()
    assert reverse("evaluation:research.territory_resources", args=[territory.pk]) in page
    assert reverse("evaluation:research.territory_activity", args=[territory.pk]) not in page
    assert (
        client.get(reverse("evaluation:research.territory_activity", args=[territory.pk])).status_code == 404
    )
    assert (
        client.get(reverse("evaluation:research.territory_resources", args=[territory.pk])).status_code == 200
    )

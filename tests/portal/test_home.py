"""'Mon projet': who gets it, the project switcher, and a query count that does not grow with the rows."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Indicator, ProjectIndicator
from projects.models import Deliverable, Workshop
from tests.conftest import client_for
from tests.factories import MembershipFactory, ProjectFactory


def test_team_and_anonymous_do_not_get_the_portal(world, staff_client, director_client, client):
    assert staff_client.get(reverse("portal:home")).status_code == 404
    assert director_client.get(reverse("portal:home")).status_code == 404
    assert client.get(reverse("portal:home")).status_code == 302


def test_partner_is_sent_from_home_to_their_project(world, partner_a_client):
    response = partner_a_client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "Projet A" in response.content.decode()


def test_a_partner_without_a_collective_gets_a_clear_empty_state(world):
    response = client_for(world.outsider_partner).get(reverse("portal:home"))
    assert response.status_code == 200
    assert "aucun collectif" in response.content.decode()


def test_a_partner_in_two_collectives_switches_between_projects(world, partner_a_client):
    second = ProjectFactory(
        programme=world.programme, cohort=world.cohort, title="Projet A bis", lead_organisation=world.org_b
    )
    MembershipFactory(project=second, organisation=world.org_a, role="partner")
    home = partner_a_client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:project", args=[second.pk]) in home
    assert reverse("portal:project", args=[world.project_a.pk]) in home
    page = partner_a_client.get(reverse("portal:project", args=[second.pk]))
    assert page.status_code == 200 and "<h1>Projet A bis</h1>" in page.content.decode()
    # B's project is never in the switcher.
    assert reverse("portal:project", args=[world.project_b.pk]) not in home


def _more_rows(side, n: int):
    project, org = side.project, side.organisation
    for i in range(n):
        Deliverable.objects.create(
            project=project,
            title=f"Livrable {i}",
            due_date=timezone.localdate() + timedelta(days=i),
            owner_organisation=org,
        )
        Workshop.objects.create(
            project=project,
            title=f"Atelier {i}",
            step="needs",
            minutes="CR",
            starts_at=timezone.now() - timedelta(days=i + 1),
        )
        indicator = Indicator.objects.create(code=f"extra-{i}", name=f"Indicateur {i}", type="count")
        ProjectIndicator.objects.create(project=project, indicator=indicator, reporter="partner")


def test_mon_projet_query_count_does_not_grow_with_the_rows(sides, partner_a_client):
    url = reverse("portal:home")
    partner_a_client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        partner_a_client.get(url)
    _more_rows(sides["A"], 5)
    with CaptureQueriesContext(connection) as large:
        assert partner_a_client.get(url).status_code == 200
    # Session + user, the project, periods, workshops, committees, deliverables (+versions), actions,
    # decisions, documents (+versions), members, staff leads, the projects of the switcher, indicators
    # (+ periods), measurements, assessments (+ scores): a fixed number of queries, whatever the rows.
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in large.captured_queries
    ]
    assert len(large.captured_queries) <= 30

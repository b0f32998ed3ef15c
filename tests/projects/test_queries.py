"""Board, list and project page run a constant number of queries as rows grow (pinned)."""

import pytest
from django.urls import reverse

from projects.models import Phase
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

from .factories import (
    ActionFactory,
    CommitteeFactory,
    DeliverableFactory,
    MilestoneFactory,
    PhasePeriodFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    """n more projects with leads, periods, workshops, milestones; and n more rows on project A."""
    lead = UserFactory(role="staff")
    for i in range(n):
        project = ProjectFactory(
            programme=world.programme,
            cohort=world.cohort,
            phase=[Phase.EMERGENCE, Phase.EXPERIMENTATION][i % 2],
        )
        project.staff_leads.add(lead, world.staff)
        PhasePeriodFactory(project=project, phase=project.phase)
        WorkshopFactory(project=project)
        MilestoneFactory(project=project)
    a = world.project_a
    for _ in range(n):
        MembershipFactory(project=a)
        MilestoneFactory(project=a)
        DeliverableFactory(project=a, owner_user=lead)
        ActionFactory(project=a, owner_user=lead)
        WorkshopFactory(project=a)
        CommitteeFactory(project=a)


# Every page also pays: session, user (2 queries).
# counts per phase (with late decisions and the closed phases), the first cards of every column at once
# (window function), their staff leads (prefetch).
BOARD_QUERIES = 2 + 3
# count, page of projects (with the phase-end and "late" columns), staff leads (prefetch), filter choices:
# cohorts, themes, territories, leads.
LIST_QUERIES = 2 + 7
# project (+ lead organisation, cohort, territory, programme, and its open phase period's columns:
# selectors.with_open_period); ONE statement for the milestones, deliverables and actions due within 60
# days, the staff leads and the themes (selectors.OVERVIEW_ROUND); current members, gate decisions, audit
# entries (the project's and its records', the last 30).
DETAIL_QUERIES = 2 + 5


@pytest.mark.parametrize("n", [5, 10])
def test_board_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    grow(world, n)
    with django_assert_num_queries(BOARD_QUERIES):
        response = staff_client.get(reverse("projects:project.board"))
    assert sum(len(c["projects"]) for c in response.context["columns"]) == n + 2


@pytest.mark.parametrize("n", [6, 12])
def test_board_columns_are_bounded_whatever_the_number_of_projects(
    staff_client, world, django_assert_num_queries, monkeypatch, n
):
    """Past the limit a column shows its first cards (nearest phase end first), its full count and a
    « Voir tout » link to the list filtered on its phase — in the same number of queries."""
    from datetime import timedelta

    from django.utils import timezone

    from projects import selectors

    monkeypatch.setattr(selectors, "BOARD_COLUMN_LIMIT", 3)
    today = timezone.localdate()
    for i in range(n):
        project = ProjectFactory(
            programme=world.programme, cohort=world.cohort, phase=Phase.EMERGENCE, title=f"Émergent {i:02d}"
        )
        PhasePeriodFactory(
            project=project,
            phase=Phase.EMERGENCE,
            planned_start=today - timedelta(days=100),
            planned_end=today + timedelta(days=n - i),  # the last created ends soonest
        )
    with django_assert_num_queries(BOARD_QUERIES):
        response = staff_client.get(reverse("projects:project.board"))
    column = next(c for c in response.context["columns"] if c["phase"] == Phase.EMERGENCE)
    assert column["count"] == n
    assert [p.title for p in column["projects"]] == [f"Émergent {i:02d}" for i in (n - 1, n - 2, n - 3)]
    body = response.content.decode()
    assert f"3 sur {n} projets" in body
    assert f'href="{reverse("projects:project.list")}?phase=emergence"' in body
    assert "Voir tout" in body


@pytest.mark.parametrize("n", [5, 10])
def test_list_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    grow(world, n)
    with django_assert_num_queries(LIST_QUERIES):
        response = staff_client.get(reverse("projects:project.list"))
    assert response.context["count"] == n + 2


@pytest.mark.parametrize("n", [5, 10])
def test_project_page_queries_are_constant(staff_client, world, django_assert_num_queries, n):
    from django.contrib.contenttypes.models import ContentType

    from programme.audit import audit_log

    grow(world, n)
    a = world.project_a
    records = [*a.memberships.all(), *a.milestones.all(), *a.deliverables.all()]
    for record in records:
        audit_log(actor=world.staff, obj=record, action="record.updated", changes={"title": ["x", "y"]})
    # The history's statement names content types by their natural keys (a join): a cold cache costs nothing.
    ContentType.objects.clear_cache()
    with django_assert_num_queries(DETAIL_QUERIES):
        response = staff_client.get(reverse("projects:project.detail", args=[a.pk]))
    assert len(response.context["audit_entries"]) == min(len(records), 30)


# The tabs that show neither leads nor themes: project (+ lead organisation, cohort, territory,
# programme, and the head's open phase period on its row: selectors.with_open_period), then their own rows.
TAB_QUERIES = {
    # ONE statement for the frieze's phase periods, milestones, workshops and committees
    # (timeline.FRIEZE_ROUND), exchanges with the collective
    "project.timeline": 2 + 1 + 2,
    # ONE statement for the workshops with their attendance counts and the design items
    # (views.workshops.WORKSHOPS_ROUND)
    "project.workshops": 2 + 1 + 1,
    # deliverables, comment counts, ONE statement for the milestones and the deliverables' versions
    # (views.deliverables.DELIVERABLES_ROUND)
    "project.deliverables": 2 + 1 + 3,
}


@pytest.mark.parametrize("name", TAB_QUERIES)
@pytest.mark.parametrize("n", [5, 10])
def test_the_big_tabs_queries_are_pinned(staff_client, world, django_assert_num_queries, name, n):
    from django.contrib.contenttypes.models import ContentType

    from projects.models import Deliverable, Project

    grow(world, n)
    ContentType.objects.get_for_model(Project)
    ContentType.objects.get_for_model(Deliverable)  # the comment counts' lookup, cached per process
    with django_assert_num_queries(TAB_QUERIES[name]):
        response = staff_client.get(reverse(f"projects:{name}", args=[world.project_a.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "project.collective",
        "project.timeline",
        "project.workshops",
        "project.governance",
        "project.deployment",
        "project.deliverables",
        "project.documents",
        "gate.dossier",
    ],
)
def test_other_tabs_do_not_grow_with_rows(staff_client, world, name):
    """Every tab runs the same number of queries for n and 2n rows."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.models import Deliverable, Project

    ContentType.objects.get_for_model(Project)
    ContentType.objects.get_for_model(Deliverable)  # the comment counts' lookup, cached per process
    at_phase_emergence(world)
    url = reverse(f"projects:{name}", args=[world.project_a.pk])
    counts = []
    for n in (3, 6):
        grow(world, n)
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def at_phase_emergence(world):
    from .test_pipeline import at_phase

    at_phase(world.project_a, Phase.EMERGENCE)


def test_the_deliverables_tab_reads_the_projects_deliverables_as_its_queryset_would(
    world, django_assert_num_queries
):
    """PROJECT_DELIVERABLES (compiled once per process) gives the project's deliverables, in the model's
    order, with their owners and milestones — and nothing of another project."""
    from datetime import date

    from programme.batch import stand_in
    from projects.views.deliverables import PROJECT_DELIVERABLES

    a, b = world.project_a, world.project_b
    grow(world, 3)
    milestone = MilestoneFactory(project=a)
    DeliverableFactory(project=a, milestone=milestone, owner_organisation=world.org_a)
    DeliverableFactory(project=b)
    for project in (a, b):
        expected = list(project.deliverables.select_related("owner_user", "owner_organisation", "milestone"))
        with django_assert_num_queries(1):
            found = PROJECT_DELIVERABLES.objects(values={stand_in(0): project.pk}, today=date(2026, 3, 1))
        assert found == expected and found
        with django_assert_num_queries(0):  # owners and milestones came with them
            assert [(d.owner_user, d.owner_organisation, d.milestone) for d in found] == [
                (d.owner_user, d.owner_organisation, d.milestone) for d in expected
            ]

"""'Mon projet': who gets it, the project switcher, and a query count that does not grow with the rows."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from evaluation.models import Indicator, ProjectIndicator
from projects import services as project_services
from projects.models import Action, Committee, CommitteeDecision, Deliverable, Workshop
from tests.conftest import client_for
from tests.factories import MembershipFactory, ProjectFactory

from .helpers import pdf


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


def _more_rows(side, n: int, staff):
    """`n` more of every row "Mon projet" lists: deliverables (with a version), workshops, indicators,
    actions, shared committees with a decision, shared documents, a second project in the switcher."""
    project, org = side.project, side.organisation
    today = timezone.localdate()
    for i in range(n):
        k = f"{n}.{i}"  # unique across calls
        deliverable = Deliverable.objects.create(
            project=project,
            title=f"Livrable {k}",
            due_date=today + timedelta(days=i),
            owner_organisation=org,
        )
        project_services.deliverable_upload(actor=staff, deliverable=deliverable, file=pdf(), comment="")
        Workshop.objects.create(
            project=project,
            title=f"Atelier {k}",
            step="needs",
            minutes="CR",
            starts_at=timezone.now() - timedelta(days=i + 1),
        )
        # Some reported per phase: their periods still to report come from the project's phase periods.
        indicator = Indicator.objects.create(
            code=f"extra-{k}",
            name=f"Indicateur {k}",
            type="count",
            periodicity=("per_phase", "quarterly")[i % 2],
        )
        ProjectIndicator.objects.create(project=project, indicator=indicator, reporter="partner")
        Action.objects.create(
            project=project, title=f"Action {k}", owner_person=side.person, due_date=today + timedelta(days=i)
        )
        committee = Committee.objects.create(
            project=project, kind="copil", date=today - timedelta(days=i), shared_with_collective=True
        )
        CommitteeDecision.objects.create(committee=committee, text=f"Décision {k}")
        project_services.document_upload(
            actor=staff, project=project, file=pdf(), title=f"Document {k}", shared_with_collective=True
        )
        other = ProjectFactory(programme=project.programme, title=f"Projet {side.marker} {k}")
        MembershipFactory(project=other, organisation=org, role="partner")


def test_mon_projet_query_count_does_not_grow_with_the_rows(
    world, sides, partner_a_client, django_assert_num_queries
):
    url = reverse("portal:home")
    partner_a_client.get(url)  # warm caches (content types)
    for n in (2, 4):  # N rows, then 3N
        _more_rows(sides["A"], n, world.staff)
        # session · user · the partner's projects (the switcher; whether the funding plan is shared) ·
        # ONE statement for the rest (indicators, workshops, committees, deliverables with their latest
        # version, actions, the values sent, members, staff leads, documents with their latest version,
        # committee decisions, shared reports, phase periods, maturity assessments, the thread's messages)
        with django_assert_num_queries(4):
            page = partner_a_client.get(url).content.decode()
    assert "Livrable 4.3" in page and "Document 4.3" in page and "Décision 4.3" in page


def test_the_pages_statement_compiled_once_reads_what_the_querysets_read(world, sides):
    """« Mon projet » reads its lists with one statement compiled once per process for stand-ins (a
    partner, a project, today: `programme.batch.Prepared`): for every partner — with or without a contact
    record — and project, and for memberships ending yesterday, today or tomorrow, its rows are those the
    querysets built for the real partner, project and day read."""
    from evaluation.portal import selectors
    from programme.batch import union_rows
    from programme.models import User

    today = timezone.localdate()
    # Members of project A who left yesterday (gone), leave today (gone) and leave tomorrow (still in).
    leaving = []
    for days, name in ((-1, "Partie hier"), (0, "Part aujourd’hui"), (1, "Part demain")):
        membership = MembershipFactory(project=world.project_a, role="partner")
        membership.organisation.name = name
        membership.organisation.save()
        membership.left_on = today + timedelta(days=days)
        membership.save()
        leaving.append(
            User.objects.create(
                email=f"part{days + 1}@test.fr",
                role="partner",
                organisation=membership.organisation,
                is_active=True,
            )
        )
    without_person = User.objects.create(
        email="sans-fiche@test.fr", role="partner", organisation=world.org_a, is_active=True
    )

    def as_sets(lists):
        return [sorted(map(repr, rows)) for rows in lists]

    compared = 0
    for user in (world.partner_a, world.partner_b, without_person, *leaving):
        # The partner's projects (the tabs), compiled once too.
        values = {selectors._PARTNER: user.pk, selectors._ORGANISATION: user.organisation_id}
        (projects,) = selectors._PROJECTS.rows(values=values, today=today)
        assert as_sets([projects]) == as_sets([list(selectors._projects_queryset(user))])
        assert [p.title for p in selectors.portal_projects(user=user)] == (
            []
            if user in leaving[:2]
            else ["Projet A"]
            if user.organisation_id != world.org_b.pk
            else ["Projet B"]
        )
        for project in (world.project_a, world.project_b):
            prepared = selectors._PAGE.rows(
                user.person_id is not None,
                values={
                    selectors._PARTNER: user.pk,
                    selectors._ORGANISATION: user.organisation_id,
                    selectors._PERSON: user.person_id,
                    selectors._PROJECT: project.pk,
                },
                today=today,
            )
            assert as_sets(prepared) == as_sets(union_rows(selectors._page_querysets(user, project)))
            compared += sum(map(len, prepared))
    assert compared > 20  # the lists were not empty
    page = client_for(world.partner_a).get(reverse("portal:home")).content.decode()
    assert "Part demain" in page and "Partie hier" not in page and "Part aujourd’hui" not in page

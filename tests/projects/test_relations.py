"""Exchanges everywhere (#15) and the structure's timeline: logging from a structure and from a project,
marking a next action done, correcting an exchange, the merged timeline (order, kind filter, pagination,
query count), the structure page's pieces, and what partners see."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Attendance, GateDecision, MemberRole, Phase
from projects.relations import timeline
from prospects.models import Exchange, Prospect, Stage, StageChange
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, ProjectFactory
from tests.projects.factories import DocumentFactory, WorkshopFactory
from tests.prospects.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def _post_structure(client, org, **data):
    base = {"kind": "call", "date": "2026-03-02", "summary": "Point d’étape"}
    return client.post(reverse("projects:structure.exchange.create", args=[org.pk]), {**base, **data})


def _post_project(client, project, **data):
    base = {"kind": "meeting", "date": "2026-03-03", "summary": "Réunion du collectif"}
    return client.post(reverse("projects:exchange.create", args=[project.pk]), {**base, **data})


# --- Logging ------------------------------------------------------------------------------------------


def test_log_from_structure_with_project_and_prospect(world):
    prospect = ProspectFactory(programme=world.programme, organisation=world.org_a, stage=Stage.CONTACTED)
    response = _post_structure(
        client_for(world.staff),
        world.org_a,
        contact=world.person_a.pk,
        project=world.project_a.pk,
        prospect=prospect.pk,
        subject="Convention",
        next_action="Envoyer la convention",
        next_action_date="2026-03-10",
        shared="on",
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.organisation == world.org_a
    assert exchange.contact == world.person_a
    assert exchange.prospect == prospect
    assert exchange.shared
    assert exchange.owner == world.staff  # nobody follows the prospect: the author owns the next action
    assert list(exchange.projects.all()) == [world.project_a]
    prospect.refresh_from_db()
    assert prospect.next_action == "Envoyer la convention"  # the prospect's next action follows


def test_log_from_project_with_a_collective_structure(world):
    member = OrganisationFactory(name="Membre C")
    MembershipFactory(project=world.project_a, organisation=member, role=MemberRole.PARTNER)
    contact = PersonFactory(organisation=member, first_name="Chloé", last_name="Charlie")
    response = _post_project(
        client_for(world.staff), world.project_a, organisation=member.pk, contact=contact.pk
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert exchange.organisation == member and exchange.contact == contact
    assert list(world.project_a.exchanges.all()) == [exchange]
    page = client_for(world.staff).get(reverse("projects:project.timeline", args=[world.project_a.pk]))
    assert "Réunion du collectif" in page.content.decode()
    assert "Membre C" in page.content.decode()


def test_the_frise_lists_the_newest_exchanges_and_pages_through_the_older(world):
    from projects.views.project import EXCHANGES_SHOWN

    url = reverse("projects:project.timeline", args=[world.project_a.pk])
    total = EXCHANGES_SHOWN + 5
    for i in range(total):
        exchange = Exchange.objects.create(
            organisation=world.org_a,
            kind="call",
            date=date(2026, 1, 1) + timedelta(days=i),
            summary=f"Appel n° {i}",
        )
        exchange.projects.add(world.project_a)
    client = client_for(world.staff)
    with CaptureQueriesContext(connection) as few:
        first = client.get(url).content.decode()
    newest, oldest = f"Appel n° {total - 1}<", "Appel n° 0<"
    assert newest in first and oldest not in first
    assert f"?echanges={EXCHANGES_SHOWN}#exchanges" in first and "Plus anciens" in first
    older = client.get(url, {"echanges": EXCHANGES_SHOWN}).content.decode()
    assert oldest in older and newest not in older and "Plus récents" in older and "Plus anciens" not in older
    # A page number out of range or not a number: the newest page, never an error.
    for value in ("-4", "abc", "99999999999999999999"):
        assert client.get(url, {"echanges": value}).status_code == 200
    # However many exchanges the project has, the tab reads the same number of rows and queries.
    for i in range(30):
        Exchange.objects.create(
            organisation=world.org_a, kind="call", date=date(2025, 1, 1), summary="Ancien"
        ).projects.add(world.project_a)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_project_form_offers_only_the_collective(world):
    response = client_for(world.staff).get(reverse("projects:exchange.create", args=[world.project_a.pk]))
    body = response.content.decode()
    assert "Structure A" in body and "Structure B" not in body and "Bruno" not in body


@pytest.mark.parametrize(
    "data, field_message",
    [
        ({"contact": "person_b"}, "contact"),
        ({"project": "project_b"}, "project"),
        ({"next_action_date": "2026-04-01"}, "Décrivez l’action prévue à cette date."),
        ({"date": "1789-07-14"}, "date"),
        ({"next_action": "Relancer", "next_action_date": "9999-01-01"}, "next_action_date"),
    ],
)
def test_structure_bad_input_saves_nothing(world, data, field_message):
    resolved = {
        key: (getattr(world, value).pk if value in ("person_b", "project_b") else value)
        for key, value in data.items()
    }
    response = _post_structure(client_for(world.staff), world.org_a, **resolved)
    assert response.status_code == 200
    assert Exchange.objects.count() == 0
    form = response.context["form"]
    assert form.errors
    if " " in field_message:
        assert field_message in response.content.decode()
    else:
        assert field_message in form.errors


def test_project_contact_of_another_structure_is_refused(world):
    member = OrganisationFactory(name="Membre C")
    MembershipFactory(project=world.project_a, organisation=member, role=MemberRole.PARTNER)
    response = _post_project(
        client_for(world.staff), world.project_a, organisation=member.pk, contact=world.person_a.pk
    )
    assert response.status_code == 200
    assert "Ce contact n’appartient pas à cette structure." in response.content.decode()
    assert Exchange.objects.count() == 0


def test_project_structure_outside_the_collective_is_refused(world):
    response = _post_project(client_for(world.staff), world.project_a, organisation=world.org_b.pk)
    assert response.status_code == 200 and Exchange.objects.count() == 0


def test_prospect_of_another_structure_is_refused(world):
    other = ProspectFactory(programme=world.programme, organisation=world.org_b)
    response = _post_structure(client_for(world.staff), world.org_a, prospect=other.pk)
    assert response.status_code == 200 and Exchange.objects.count() == 0


def test_double_submit_logs_one_exchange(world):
    client = client_for(world.staff)
    data = {"kind": "call", "date": "2026-03-02", "summary": "Une fois", "submission_token": "t" * 32}
    url = reverse("projects:structure.exchange.create", args=[world.org_a.pk])
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == 302 and second.status_code == 200
    assert Exchange.objects.count() == 1


def test_next_action_done_and_edit(world):
    exchange = Exchange.objects.create(
        organisation=world.org_a,
        kind="call",
        date=date(2026, 3, 1),
        summary="Appel",
        next_action="Rappeler",
        next_action_date=date(2026, 3, 8),
        owner=world.staff,
    )
    client = client_for(world.staff)
    back = reverse("programme:organisation.detail", args=[world.org_a.pk])
    response = client.post(reverse("projects:exchange.done", args=[exchange.pk]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    exchange.refresh_from_db()
    assert exchange.next_action_done_on == timezone.localdate()
    response = client.post(
        reverse("projects:exchange.done", args=[exchange.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"].startswith("/")  # never sent to another site
    response = client.post(
        reverse("projects:exchange.edit", args=[exchange.pk]),
        {"kind": "visit", "date": "2026-03-01", "summary": "Visite sur place"},
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.kind == "visit" and exchange.summary == "Visite sur place"


# --- The timeline ---------------------------------------------------------------------------------------


def _story(world, n_exchanges=3):
    """A structure with something of every kind, each on its own day."""
    org, project = world.org_a, world.project_a
    for i in range(n_exchanges):
        Exchange.objects.create(
            organisation=org, kind="call", date=date(2026, 1, 20) - timedelta(days=i), summary=f"Appel {i}"
        )
    prospect, _ = Prospect.objects.get_or_create(
        programme=world.programme, organisation=org, defaults={"stage": Stage.CONTACTED}
    )
    change = StageChange.objects.create(
        prospect=prospect, from_stage=Stage.IDENTIFIED, to_stage=Stage.CONTACTED
    )
    StageChange.objects.filter(pk=change.pk).update(
        changed_at=timezone.make_aware(timezone.datetime(2026, 2, 1, 10, 0))
    )
    GateDecision.objects.create(
        project=project,
        from_phase=Phase.SELECTION,
        to_phase=Phase.EMERGENCE,
        outcome="continue",
        decided_by=world.director,
        decided_on=date(2026, 2, 5),
        committee="COPIL",
        rationale="Décidé",
    )
    workshop = WorkshopFactory(
        project=project,
        title="Atelier idéation",
        starts_at=timezone.make_aware(timezone.datetime(2026, 2, 10, 9, 0)),
    )
    Attendance.objects.create(workshop=workshop, person=world.person_a, present=True)
    absent = WorkshopFactory(project=project, title="Atelier manqué", starts_at=timezone.now())
    Attendance.objects.create(workshop=absent, person=world.person_a, present=False)
    return prospect


def _timeline(client, org, query=""):
    return client.get(reverse("projects:structure.timeline", args=[org.pk]) + query)


def test_timeline_merges_every_source_newest_first(world):
    _story(world)
    response = _timeline(client_for(world.staff), world.org_a)
    entries = response.context["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == ["workshop", "gate", "stage", "exchange", "exchange", "exchange"]
    ats = [e["at"] for e in entries]
    assert ats == sorted(ats, reverse=True)
    body = response.content.decode()
    assert "Atelier idéation" in body and "Atelier manqué" not in body  # only workshops attended
    assert "Poursuite" in body and "Contacté" in body
    assert reverse("projects:gate.dossier", args=[world.project_a.pk]) in body


def test_timeline_kind_filter(world):
    _story(world)
    response = _timeline(client_for(world.staff), world.org_a, "?kind=gate&kind=workshop")
    assert [e["kind"] for e in response.context["entries"]] == ["workshop", "gate"]
    assert "Tout afficher" in response.content.decode()
    # an unknown kind is ignored: everything is shown
    response = _timeline(client_for(world.staff), world.org_a, "?kind=nope")
    assert len(response.context["entries"]) == 6


def test_timeline_paginates(world):
    _story(world, n_exchanges=30)
    client = client_for(world.staff)
    first = _timeline(client, world.org_a)
    second = _timeline(client, world.org_a, "?page=2")
    assert first.context["count"] == 33
    assert len(first.context["entries"]) == 25 and len(second.context["entries"]) == 8
    assert first.context["entries"][-1]["at"] >= second.context["entries"][0]["at"]
    assert "Plus anciens" in first.content.decode()


def test_timeline_queries_constant(world, django_assert_max_num_queries):
    _story(world, n_exchanges=2)
    client = client_for(world.staff)
    with CaptureQueriesContext(connection) as few:
        _timeline(client, world.org_a)
    _story(world, n_exchanges=40)
    with CaptureQueriesContext(connection) as many:
        _timeline(client, world.org_a)
    assert len(many) == len(few)
    # session, user, the structure, the count, the page of the UNION, its projects' titles, open next actions
    assert len(few) == 7


def test_measurement_source_registered_by_evaluation(world):
    assert "measurement" in timeline.SOURCES
    assert list(timeline.SOURCES)[:5] == ["exchange", "stage", "gate", "workshop", "deliverable"]


def test_timeline_open_actions_listed(world):
    Exchange.objects.create(
        organisation=world.org_a,
        kind="call",
        date=date(2026, 3, 1),
        summary="Appel",
        next_action="Envoyer le devis",
        next_action_date=timezone.localdate() - timedelta(days=2),
    )
    body = _timeline(client_for(world.staff), world.org_a).content.decode()
    assert "Envoyer le devis" in body and "en retard" in body


# --- The structure page's pieces ----------------------------------------------------------------------


def test_structure_projects_piece(world):
    DocumentFactory(project=world.project_a, title="Convention partagée", shared_with_collective=True)
    DocumentFactory(project=world.project_a, title="Note interne", shared_with_collective=False)
    body = (
        client_for(world.staff)
        .get(reverse("projects:structure.projects", args=[world.org_a.pk]))
        .content.decode()
    )
    assert "Projet A" in body and "Projet B" not in body
    assert "Convention partagée" in body and "Note interne" not in body


def test_structure_projects_queries_constant(world):
    client = client_for(world.staff)
    url = reverse("projects:structure.projects", args=[world.org_a.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        project = ProjectFactory(
            programme=world.programme, title=f"Projet {i}", lead_organisation=world.org_a
        )
        MembershipFactory(project=project, organisation=world.org_a, role=MemberRole.LEAD)
        DocumentFactory(project=project, title=f"Doc {i}", shared_with_collective=True)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_prospect_path_piece(world):
    prospect = ProspectFactory(programme=world.programme, organisation=world.org_a, stage=Stage.CONTACTED)
    StageChange.objects.create(prospect=prospect, from_stage=Stage.IDENTIFIED, to_stage=Stage.CONTACTED)
    body = (
        client_for(world.staff)
        .get(reverse("prospects:organisation.path", args=[world.org_a.pk]))
        .content.decode()
    )
    assert "Programme Test" in body and "Contacté" in body


def test_structure_page_loads_the_pieces_by_url(world):
    body = (
        client_for(world.staff)
        .get(reverse("programme:organisation.detail", args=[world.org_a.pk]))
        .content.decode()
    )
    for name in ("projects:structure.projects", "prospects:organisation.path", "projects:structure.timeline"):
        assert f'hx-get="{reverse(name, args=[world.org_a.pk])}"' in body
    assert reverse("projects:structure.exchange.create", args=[world.org_a.pk]) in body


# --- Partners -----------------------------------------------------------------------------------------


def test_partner_sees_own_shared_exchanges_only(world):
    Exchange.objects.create(
        organisation=world.org_a, kind="call", date=date(2026, 3, 1), summary="Partagé A", shared=True
    )
    Exchange.objects.create(organisation=world.org_a, kind="call", date=date(2026, 3, 2), summary="Interne A")
    Exchange.objects.create(
        organisation=world.org_b, kind="call", date=date(2026, 3, 3), summary="Partagé B", shared=True
    )
    body_a = client_for(world.partner_a).get(reverse("portal:organisation")).content.decode()
    assert "Partagé A" in body_a and "Interne A" not in body_a and "Partagé B" not in body_a
    body_b = client_for(world.partner_b).get(reverse("portal:organisation")).content.decode()
    assert "Partagé B" in body_b and "Partagé A" not in body_b


def test_partners_get_404_on_team_pieces(world):
    exchange = Exchange.objects.create(
        organisation=world.org_a, kind="call", date=date(2026, 3, 1), summary="Partagé", shared=True
    )
    client = client_for(world.partner_a)
    for name, pk in (
        ("projects:structure.timeline", world.org_a.pk),
        ("projects:structure.projects", world.org_a.pk),
        ("prospects:organisation.path", world.org_a.pk),
        ("projects:exchange.edit", exchange.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.post(reverse("projects:exchange.done", args=[exchange.pk])).status_code == 404


def test_deliverables_and_measurements_the_structure_submitted(world):
    from projects.services import deliverable_upload
    from tests.evaluation.factories import MeasurementFactory, ProjectIndicatorFactory
    from tests.projects.factories import DeliverableFactory, pdf_file

    ours = DeliverableFactory(project=world.project_a, owner_organisation=world.org_a, title="Diagnostic")
    theirs = DeliverableFactory(project=world.project_b, owner_organisation=world.org_b, title="Étude B")
    deliverable_upload(actor=world.partner_a, deliverable=ours, file=pdf_file())
    deliverable_upload(actor=world.partner_b, deliverable=theirs, file=pdf_file())
    indicator = ProjectIndicatorFactory(
        project=world.project_a,
        reporter="partner",
        reporter_organisation=world.org_a,
        indicator__name="Repas servis",
    )
    MeasurementFactory(project_indicator=indicator, submitted_at=timezone.now(), period_end=date(2026, 3, 31))
    MeasurementFactory(
        project_indicator=indicator,
        status="draft",
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
    )
    response = _timeline(client_for(world.staff), world.org_a, "?kind=deliverable&kind=measurement")
    titles = [e["title"] for e in response.context["entries"]]
    assert "Diagnostic" in titles and "Étude B" not in titles
    assert any("Repas servis" in t and "31 mars 2026" in t for t in titles)
    assert len(titles) == 2  # the draft was never submitted
    body = response.content.decode()
    assert reverse("evaluation:protocol", args=[world.project_a.pk]) in body


def test_prospect_path_queries_constant(world):
    from programme.models import Programme

    client = client_for(world.staff)
    url = reverse("prospects:organisation.path", args=[world.org_a.pk])
    ProspectFactory(programme=world.programme, organisation=world.org_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        other = Programme.objects.create(name=f"Programme {n}")
        prospect = ProspectFactory(programme=other, organisation=world.org_a, stage=Stage.CONTACTED)
        StageChange.objects.create(prospect=prospect, from_stage=Stage.IDENTIFIED, to_stage=Stage.CONTACTED)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.content.decode().count("Programme ") >= 5


def test_the_frises_first_exchanges_are_the_teams_own_query(world, django_assert_num_queries):
    """FIRST_EXCHANGES_FOR_TEAM (compiled once per process) reads what `project_exchanges` reads for a team
    member — the newest first, with structure, contact, author and owner — and nothing of another project."""
    from programme.batch import stand_in
    from projects.relations.selectors import FIRST_EXCHANGES_FOR_TEAM, project_exchanges
    from projects.views.project import EXCHANGES_SHOWN

    contact = PersonFactory(organisation=world.org_a)
    for i in range(EXCHANGES_SHOWN + 2):
        exchange = Exchange.objects.create(
            organisation=world.org_a,
            contact=contact,
            user=world.staff,
            owner=world.staff,
            kind="call",
            date=date(2026, 1, 1) + timedelta(days=i % 3),  # same days: the id breaks the tie
            summary=f"Appel n° {i}",
        )
        exchange.projects.add(world.project_a)
    Exchange.objects.create(organisation=world.org_b, kind="call", date=date(2026, 2, 1)).projects.add(
        world.project_b
    )
    for project in (world.project_a, world.project_b):
        expected = list(project_exchanges(user=world.staff, project=project)[: EXCHANGES_SHOWN + 1])
        with django_assert_num_queries(1):
            found = FIRST_EXCHANGES_FOR_TEAM.objects(
                EXCHANGES_SHOWN + 1, values={stand_in(0): project.pk}, today=date(2026, 3, 1)
            )
        assert found == expected and found
        with django_assert_num_queries(0):
            assert [(e.organisation, e.contact, e.user, e.owner) for e in found] == [
                (e.organisation, e.contact, e.user, e.owner) for e in expected
            ]
    assert len(
        FIRST_EXCHANGES_FOR_TEAM.objects(
            EXCHANGES_SHOWN + 1, values={stand_in(0): world.project_a.pk}, today=date(2026, 3, 1)
        )
    ) == (EXCHANGES_SHOWN + 1)


def test_the_structure_pieces_compiled_reads_are_the_teams_own_queries(world, django_assert_num_queries):
    """The structure page's team reads compiled once per process — the structure, its open next actions,
    the titles of a timeline page's projects — read what the ORM's scoped queries read, and nothing of
    another structure; a partner still goes through the ORM's own query (404 outside their scope)."""
    from django.http import Http404

    from programme.access import scoped
    from projects.models import Project
    from projects.relations import selectors

    for n in range(selectors.OPEN_ACTIONS_LIMIT + 2):
        Exchange.objects.create(
            organisation=world.org_a,
            kind="call",
            date=date(2026, 1, 1),
            next_action=f"Relancer n° {n}",
            next_action_date=date(2026, 2, 1) + timedelta(days=n % 3),  # same days: the id breaks the tie
        )
    Exchange.objects.create(
        organisation=world.org_a,
        kind="call",
        date=date(2026, 1, 1),
        next_action="Fait",
        next_action_done_on=date(2026, 1, 2),
    )
    Exchange.objects.create(
        organisation=world.org_b, kind="call", date=date(2026, 1, 1), next_action="Ailleurs"
    )
    for org in (world.org_a, world.org_b):
        with django_assert_num_queries(1):
            assert selectors.organisation_for(world.staff, org.pk) == org
        expected = list(
            scoped(world.staff, Exchange)
            .filter(organisation=org, next_action_done_on__isnull=True)
            .order_by("next_action_date", "pk")[: selectors.OPEN_ACTIONS_LIMIT]
        )
        with django_assert_num_queries(1):
            found = selectors.open_next_actions(user=world.staff, organisation=org)
        assert found == expected and found
    assert (
        len(selectors.open_next_actions(user=world.staff, organisation=world.org_a))
        == selectors.OPEN_ACTIONS_LIMIT
    )
    with pytest.raises(Http404):
        selectors.organisation_for(world.staff, 10**9)
    projects = {world.project_a.pk, world.project_b.pk}
    with django_assert_num_queries(1):
        titles = selectors._project_titles(world.staff, projects)
    assert titles == dict(Project.objects.filter(pk__in=projects).values_list("pk", "title"))
    assert selectors._project_titles(world.partner_a, projects) == {world.project_a.pk: world.project_a.title}
    with pytest.raises(Http404):
        selectors.organisation_for(world.partner_a, world.org_b.pk)


@pytest.mark.parametrize(
    "text",
    ["Court.", "é" * 240, "e\u0301" * 200, "x" * 241, "Un compte rendu. " * 40, "cafe\u0301 " * 60],
)
def test_a_timeline_rows_text_is_cut_as_truncator_cuts_it(text):
    from django.utils.text import Truncator

    from projects.relations.views import _shortened

    assert _shortened(text) == Truncator(text).chars(240)

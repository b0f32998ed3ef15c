"""Project pages: it works, it checks access, it refuses bad input."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programme.models import AuditEntry
from projects.models import Attendance, GateDecision, Phase, Project, Workshop, WorkshopItem
from tests.factories import PersonFactory, ProjectFactory

from .factories import (
    CommitteeFactory,
    DeliverableFactory,
    MilestoneFactory,
    PhasePeriodFactory,
    WorkshopFactory,
)
from .test_pipeline import at_phase

pytestmark = pytest.mark.django_db


def test_staff_creates_a_project_in_emergence_with_its_planned_period(staff_client, world):
    start = timezone.localdate()
    response = staff_client.post(
        reverse("projects:project.create"),
        {
            "title": "Cantine solidaire",
            "programme": world.programme.pk,
            "cohort": world.cohort.pk,
            "lead_organisation": world.org_a.pk,
            "phase": "emergence",
            "start_date": start.isoformat(),
            "staff_leads": [world.staff.pk],
        },
    )
    project = Project.objects.get(title="Cantine solidaire")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    period = project.phase_periods.get()
    assert period.phase == Phase.EMERGENCE and period.planned_end is not None
    assert AuditEntry.objects.filter(action="project.created").exists()


def test_project_form_refuses_a_cohort_of_another_programme_and_keeps_input(staff_client, world):
    from tests.factories import CohortFactory

    other = CohortFactory()
    count = Project.objects.count()
    response = staff_client.post(
        reverse("projects:project.create"),
        {
            "title": "Projet X",
            "programme": world.programme.pk,
            "cohort": other.pk,
            "lead_organisation": world.org_a.pk,
            "phase": "selection",
        },
    )
    assert response.status_code == 200
    assert "appartient à un autre programme" in response.content.decode()
    assert 'value="Projet X"' in response.content.decode()
    assert Project.objects.count() == count


def test_list_filters_by_phase_and_late(staff_client, world):
    at_phase(world.project_a, Phase.EMERGENCE)
    period = world.project_a.phase_periods.get()
    period.planned_end = timezone.localdate() - timedelta(days=2)
    period.save()
    body = staff_client.get(reverse("projects:project.list"), {"late": "true"}).content.decode()
    assert "Projet A" in body and "Projet B" not in body and "En retard de décision" in body
    body = staff_client.get(reverse("projects:project.list"), {"phase": "selection"}).content.decode()
    assert "Projet B" in body and "Projet A" not in body
    partial = staff_client.get(reverse("projects:project.list"), {"q": "Projet B"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Projet B" in partial.content.decode()


def test_list_search_finds_the_lead_structure_accents_and_case_aside(staff_client, world):
    world.project_b.lead_organisation.name = "Épicerie Solidaire du Plateau"
    world.project_b.lead_organisation.save()
    for typed in ("epicerie solidaire", "ÉPICERIE", "Épicerie"):
        body = staff_client.get(reverse("projects:project.list"), {"q": typed}).content.decode()
        assert "Projet B" in body and "Projet A" not in body, typed


def test_the_list_exports_as_it_is_filtered(staff_client, director_client, world):
    """« Exporter cette liste »: the projects the filters keep, one row each, what the table shows and a
    little more (the lead structure's SIREN, the start) — as CSV for French spreadsheets and as XLSX with
    real dates; a title a spreadsheet would take for a formula stays text."""
    at_phase(world.project_a, Phase.EMERGENCE)
    period = world.project_a.phase_periods.get()
    period.planned_end = timezone.localdate() - timedelta(days=2)
    period.save()
    world.project_a.staff_leads.add(world.staff, world.director)
    Project.objects.filter(pk=world.project_a.pk).update(title="=Projet A")
    page = staff_client.get(reverse("projects:project.list"), {"late": "true"}).content.decode()
    assert f'href="{reverse("projects:project.export", args=["csv"])}?late=true"' in page

    response = director_client.get(reverse("projects:project.export", args=["csv"]), {"late": "true"})
    assert response["Content-Disposition"].startswith('attachment; filename="projets-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Projet", "Phase"] and len(rows) == 2  # project B is not late
    assert rows[1][:2] == ["'=Projet A", "Émergence"]
    leads = sorted([world.staff, world.director], key=lambda u: u.first_name)  # by first name, as the list
    assert rows[1][6] == ", ".join(u.get_full_name() or u.email for u in leads)
    assert rows[1][8] == period.planned_end.strftime("%d/%m/%Y")
    assert rows[1][9] == "oui"

    workbook = load_workbook(
        io.BytesIO(staff_client.get(reverse("projects:project.export", args=["xlsx"])).content)
    )
    table = [[cell.value for cell in row] for row in workbook.active.iter_rows()]
    assert sorted(row[0] for row in table[1:]) == ["'=Projet A", "Projet B"]
    (a,) = [row for row in table if row[0] == "'=Projet A"]
    assert a[8].date() == period.planned_end
    assert staff_client.get(reverse("projects:project.export", args=["pdf"])).status_code == 404


def test_board_groups_projects_by_phase(staff_client, world):
    at_phase(world.project_a, Phase.EXPERIMENTATION)
    response = staff_client.get(reverse("projects:project.board"))
    columns = {c["phase"]: [p.title for p in c["projects"]] for c in response.context["columns"]}
    assert columns[Phase.EXPERIMENTATION] == ["Projet A"]
    assert columns[Phase.SELECTION] == ["Projet B"]


def _decide(client, project, outcome, committee, rationale, **options):
    """The gate decision form of `project`, dated today, posted from a page that showed version 0."""
    data = {
        "outcome": outcome,
        "decided_on": timezone.localdate().isoformat(),
        "committee": committee,
        "rationale": rationale,
        "expected_version": 0,
        # Without a prepared dossier (evaluation/judgement), a decision says why.
        "no_dossier_reason": "Dossier présenté sur papier.",
    }
    return client.post(reverse("projects:gate.decide", args=[project.pk]), data, **options)


def test_director_takes_the_gate_decision_from_the_dossier(director_client, world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    WorkshopFactory(project=project, title="Atelier besoins", outputs="Trois besoins prioritaires")
    MilestoneFactory(project=project, title="Jalon raté", due_date=timezone.localdate() - timedelta(days=5))
    dossier = director_client.get(reverse("projects:gate.dossier", args=[project.pk])).content.decode()
    assert "Trois besoins prioritaires" in dossier
    assert "Jalon en retard : Jalon raté" in dossier
    assert "Prendre la décision" in dossier
    response = _decide(director_client, project, "continue", "Comité d’engagement", "Prototype concluant")
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.EXPERIMENTATION
    assert GateDecision.objects.get().decided_by == world.director


def test_staff_sees_the_dossier_without_the_decision_form(staff_client, world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    body = staff_client.get(reverse("projects:gate.dossier", args=[project.pk])).content.decode()
    assert "Dossier de décision" in body and "Prendre la décision" not in body
    response = staff_client.post(reverse("projects:gate.decide", args=[project.pk]), {"outcome": "stop"})
    assert response.status_code == 404


def test_gate_decision_with_missing_fields_shows_errors_and_changes_nothing(director_client, world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    response = _decide(director_client, project, "extend", committee="", rationale="")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in body
    assert "nouvelle date de fin prévue" in body
    assert Project.objects.get(pk=project.pk).phase_version == 0


def test_gate_decision_from_a_stale_page_is_refused_in_the_form(director_client, world):
    project = at_phase(world.project_a, Phase.EMERGENCE)
    assert _decide(director_client, project, "stop", "Comité", "Fin").status_code == 302
    project.refresh_from_db()
    assert project.phase == Phase.STOPPED
    # The second click on the same (stale) page: the project is closed now.
    response = _decide(director_client, project, "stop", "Comité", "Fin", follow=True)
    assert "plus aucune décision d’étape n’est possible" in response.content.decode()
    assert GateDecision.objects.count() == 1


def test_staff_records_a_workshop_with_attendance_and_items(staff_client, world):
    guest = PersonFactory(organisation=world.org_a, first_name="Gaëlle", last_name="Invitée")
    url = reverse("projects:workshop.create", args=[world.project_a.pk])
    page = staff_client.get(url).content.decode()
    assert "Alice Alpha" in page and "Gaëlle Invitée" in page and "Bruno" not in page
    response = staff_client.post(
        url,
        {
            "title": "Analyse des besoins",
            "step": "needs",
            "starts_at": "2026-03-10T14:00",
            "duration_minutes": 120,
            "invited": [world.person_a.pk, guest.pk],
            "present": [world.person_a.pk],
            "shared_with_collective": "on",
        },
    )
    workshop = Workshop.objects.get(title="Analyse des besoins")
    assert response.status_code == 302
    rows = {a.person_id: (a.invited, a.present) for a in Attendance.objects.filter(workshop=workshop)}
    assert rows == {world.person_a.pk: (True, True), guest.pk: (True, False)}
    item_url = reverse("projects:workshop.item.create", args=[workshop.pk])
    staff_client.post(item_url, {"kind": "need", "title": "Se nourrir sainement"})
    need = WorkshopItem.objects.get(kind="need")
    staff_client.post(item_url, {"kind": "idea", "title": "Épicerie mobile", "answers": need.pk})
    assert WorkshopItem.objects.get(kind="idea").answers == need
    # A prototype cannot answer a need directly.
    response = staff_client.post(item_url, {"kind": "prototype", "title": "Camion", "answers": need.pk})
    assert "Une idée répond à un besoin" in response.content.decode()
    assert not WorkshopItem.objects.filter(kind="prototype").exists()
    body = staff_client.get(reverse("projects:project.workshops", args=[world.project_a.pk])).content.decode()
    assert "Épicerie mobile" in body and "1 / 2" in body


def test_the_workshops_tab_lists_the_newest_first_and_the_design_items_as_a_tree(staff_client, world):
    """The table is newest first (with its counts, Django's grouping drops the model's order: it was in
    whatever order the database gave); ideas sit under the need they answer, prototypes under their idea,
    each need with its workshop's title; an item answering nothing is « non rattaché »."""
    project = world.project_a
    for day in (5, 20, 12):
        WorkshopFactory(
            project=project,
            title=f"Atelier du {day}",
            starts_at=timezone.make_aware(datetime(2026, 3, day, 14)),
        )
    origin = Workshop.objects.get(title="Atelier du 12")
    need = WorkshopItem.objects.create(project=project, workshop=origin, kind="need", title="Se nourrir")
    idea = WorkshopItem.objects.create(project=project, kind="idea", title="Épicerie mobile", answers=need)
    WorkshopItem.objects.create(project=project, kind="prototype", title="Camion", answers=idea)
    WorkshopItem.objects.create(project=project, kind="prototype", title="Étal seul")
    WorkshopItem.objects.create(project=world.project_b, kind="need", title="Besoin de B")
    body = staff_client.get(reverse("projects:project.workshops", args=[project.pk])).content.decode()
    positions = [body.index(f"Atelier du {day}<") for day in (20, 12, 5)]
    assert positions == sorted(positions)
    tree = body[body.index('<ul class="trace">') :]
    assert tree.index("Se nourrir") < tree.index("— Atelier du 12") < tree.index("Épicerie mobile")
    assert tree.index("Épicerie mobile") < tree.index("Camion") < tree.index("Étal seul")
    assert "Étal seul</span>" not in tree and "(non rattaché)" in tree[tree.index("Étal seul") :]
    assert "Besoin de B" not in body


def test_workshop_of_another_project_cannot_be_reached_through_a_bad_id(partner_b_client, world):
    workshop = WorkshopFactory(project=world.project_a)
    assert partner_b_client.get(reverse("projects:workshop.detail", args=[workshop.pk])).status_code == 404


def test_action_needs_exactly_one_owner(staff_client, world):
    url = reverse("projects:action.create", args=[world.project_a.pk])
    response = staff_client.post(url, {"title": "Relancer", "due_date": "2026-12-01", "status": "open"})
    assert "Choisissez un·e responsable" in response.content.decode()
    response = staff_client.post(
        url,
        {"title": "Relancer", "due_date": "2026-12-01", "status": "open", "owner_person": world.person_a.pk},
    )
    assert response.status_code == 302


def test_tabs_render(staff_client, world):
    project = at_phase(world.project_a, Phase.EXPERIMENTATION)
    MilestoneFactory(project=project)
    WorkshopFactory(project=project)
    committee = CommitteeFactory(project=project)
    DeliverableFactory(project=project, owner_organisation=world.org_a)
    for name in (
        "project.detail",
        "project.collective",
        "project.timeline",
        "project.workshops",
        "project.governance",
        "project.deployment",
        "project.deliverables",
        "project.documents",
    ):
        response = staff_client.get(reverse(f"projects:{name}", args=[project.pk]))
        assert response.status_code == 200, name
        assert 'style="' not in response.content.decode().split("<main", 1)[1], name  # CSP: no inline styles
    timeline = staff_client.get(reverse("projects:project.timeline", args=[project.pk])).content.decode()
    assert "<svg" in timeline and "tl-today" in timeline and "tl-phase--experimentation" in timeline
    assert staff_client.get(reverse("projects:committee.detail", args=[committee.pk])).status_code == 200


def test_the_frieze_draws_the_projects_own_markers_in_date_order_with_late_milestones_marked(
    staff_client, world
):
    from datetime import date

    from projects.models import Milestone

    project = world.project_a
    today = timezone.localdate()
    Milestone.objects.create(project=project, title="Bilan en retard", due_date=today - timedelta(days=9))
    Milestone.objects.create(
        project=project, title="Bilan fait", due_date=today - timedelta(days=30), status="done"
    )
    Milestone.objects.create(project=world.project_b, title="Jalon de B", due_date=today)
    WorkshopFactory(
        project=project, title="Atelier tard", starts_at=timezone.make_aware(datetime(2026, 3, 2, 23, 30))
    )
    CommitteeFactory(project=project, kind="cotech", date=date(2026, 5, 4))
    body = staff_client.get(reverse("projects:project.timeline", args=[project.pk])).content.decode()
    frieze = body[body.index("<svg") : body.index("</svg>")]
    late, done = frieze.index("— Bilan en retard</title>"), frieze.index("— Bilan fait</title>")
    assert done < late  # by due date
    assert frieze.rfind("tl-marker--late", 0, late) > frieze.rfind("<g ", 0, late)  # its own marker is late
    assert frieze.rfind("tl-marker--late", 0, done) < frieze.rfind("<g ", 0, done)  # a done one is not
    assert "2 mars 2026 — Atelier tard</title>" in frieze  # the workshop's day in Paris
    assert "4 mai 2026 — COTECH du 4 mai 2026</title>" in frieze
    assert "Jalon de B" not in body


def test_home_panel_lists_my_deadlines(staff_client, world):
    world.project_a.staff_leads.add(world.staff)
    MilestoneFactory(
        project=world.project_a, title="Rendu de l'étude", due_date=timezone.localdate() + timedelta(days=3)
    )
    MilestoneFactory(
        project=world.project_b, title="Pas à moi", due_date=timezone.localdate() + timedelta(days=3)
    )
    PhasePeriodFactory(project=world.project_a, planned_end=timezone.localdate() - timedelta(days=1))
    body = staff_client.get(reverse("projects:panel.deadlines")).content.decode()
    assert "Mes échéances" in body and "Rendu de l&#x27;étude" in body
    assert "Pas à moi" not in body
    assert "Fin de la phase « Émergence »" in body


def test_home_loads_the_deadlines_panel_by_url(staff_client, world):
    # The panel's content is tested on its own view (projects:panel.deadlines).
    body = staff_client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("projects:panel.deadlines")}"' in body
    assert reverse("projects:deadline.list") in body  # the link without JavaScript


def test_project_of_partner_b_is_404_for_team_pages_as_partner(partner_a_client, world):
    project = ProjectFactory(programme=world.programme)
    assert partner_a_client.get(reverse("projects:project.detail", args=[project.pk])).status_code == 404


def test_an_empty_post_is_refused_with_errors_not_ignored(world, staff_client):
    from projects.models import Milestone

    response = staff_client.post(reverse("projects:milestone.create", args=[world.project_a.pk]), {})
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in response.content.decode()
    assert not Milestone.objects.exists()


def test_the_export_carries_each_project_s_money_as_its_funding_tab_counts_it(staff_client, world):
    """Besoin, acquis, demandé, à trouver, reçu, reste à percevoir, échu non reçu: the figures of the
    project's Financement tab (one definition, `funding.selectors.Money`), zeros for a project without money;
    numbers in XLSX, the same number of queries for 2 projects or 6."""
    from datetime import date
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.funding import selectors as funding_selectors
    from projects.funding import services as funding_services
    from projects.funding.models import RequestStatus

    from .funding.factories import ADVANCE, budget_line, convention, request

    def give_money(project):
        budget_line(world.staff, project, amount="50000")
        granted = request(world.staff, project, amount="30000", status=RequestStatus.GRANTED)
        conv = convention(world.staff, granted, schedule=[(ADVANCE, date(2026, 2, 1), "10000")])
        funding_services.payment_record(
            actor=world.staff,
            convention=conv,
            received_on=date(2026, 2, 1),
            amount=Decimal("4000"),
            reference=f"VIR-{project.pk}",
        )
        request(world.staff, project, title="Autre demande", amount="5000", status=RequestStatus.SUBMITTED)

    give_money(world.project_a)
    url = reverse("projects:project.export", args=["csv"])
    with CaptureQueriesContext(connection) as two:
        response = staff_client.get(url)
    rows = {
        row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    }
    assert rows["Projet"][10:] == [
        "Besoin (€)",
        "Acquis (€)",
        "Demandé (€)",
        "À trouver (€)",
        "Reçu (€)",
        "Reste à percevoir (€)",
        "Échu non reçu (€)",
    ]
    assert rows["Projet A"][10:] == ["50000", "30000", "5000", "15000", "4000", "26000", "6000"]
    assert rows["Projet B"][10:] == ["0"] * 7
    tab = funding_selectors.project_money(user=world.staff, project_id=world.project_a.pk)
    assert [Decimal(v) for v in rows["Projet A"][10:]] == [
        tab.need,
        tab.secured,
        tab.requested,
        tab.to_find,
        tab.received,
        tab.remaining,
        tab.overdue,
    ]

    workbook = load_workbook(
        io.BytesIO(staff_client.get(reverse("projects:project.export", args=["xlsx"])).content)
    )
    (a,) = [[cell.value for cell in row] for row in workbook.active.iter_rows() if row[0].value == "Projet A"]
    assert a[10:] == [50000, 30000, 5000, 15000, 4000, 26000, 6000]

    # A format that is not offered is refused before any project or money is read (session and user only).
    with CaptureQueriesContext(connection) as refused:
        assert staff_client.get(reverse("projects:project.export", args=["pdf"])).status_code == 404
    assert len(refused) == 2

    for _ in range(4):
        give_money(ProjectFactory(programme=world.programme))
    with CaptureQueriesContext(connection) as six:
        staff_client.get(url)
    assert len(six) == len(two)

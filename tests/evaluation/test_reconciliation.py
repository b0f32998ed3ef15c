"""Reconciliation: for a generated programme, every dashboard figure equals the same figure in the PDF's
text, in the CSV/XLSX exports and in an independent ORM count written here; indicator totals equal the
sum (flows), the last value (stocks) or the ratio of sums (rates) of the validated measurements of the
period. A figure a director forwards to a funder must read the same wherever it is read."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q, Sum
from django.urls import reverse
from openpyxl import load_workbook

from evaluation.figures import FIGURES
from evaluation.models import Indicator, Lesson, Measurement
from evaluation.selectors import Filters, indicator_progress, programme_figures
from programme.formatting import fr_amount, fr_number, fr_percent, indicator_value
from projects.funding.models import Convention
from projects.models import Attendance, GateDecision, Membership, Project, Workshop
from prospects.models import Prospect
from tests.evaluation.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProjectIndicatorFactory,
    assess,
    even_scores,
    record,
)
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, ProjectFactory
from tests.projects.funding import factories as money
from tests.prospects.factories import prospect_in
from tests.reports.helpers import order_activity, pdf_pages_text

PARIS = ZoneInfo("Europe/Paris")
URL = "/evaluation/tableau-de-bord/"
START, END = date(2026, 1, 1), date(2026, 12, 31)
IN_2026 = (START, END)


@dataclass
class Generated:
    world: object
    flow: object
    stock: object
    rate: object
    funding: object
    late_project: object


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=PARIS)


def _quarters(year: int):
    for q in range(4):
        start = date(year, 1 + 3 * q, 1)
        end = (date(year + (q == 3), (4 + 3 * q - 1) % 12 + 1, 1)) - timedelta(days=1)
        yield start, end


@pytest.fixture
def generated(world) -> Generated:
    """Three projects of 2025–2026 (and one starting in 2027), collectives joining and leaving, workshops
    on both sides of 1 January, gate decisions, a flow, a stock, a rate and the funding indicator
    measured each quarter, maturity at both moments and some prospects."""
    staff = world.staff
    c = ProjectFactory(programme=world.programme, cohort=world.cohort, title="Projet C", phase="stopped")
    c.start_date = date(2025, 3, 1)
    c.save()
    late = ProjectFactory(programme=world.programme, cohort=world.cohort, title="Projet 2027")
    late.start_date = date(2027, 1, 10)
    late.save()
    for project in (world.project_a, world.project_b):
        project.start_date, project.phase = date(2025, 6, 1), "emergence"
        project.save()
    shared = OrganisationFactory(name="Structure partagée", kind="company")
    MembershipFactory(project=world.project_a, organisation=shared, joined_on=date(2025, 6, 1))
    MembershipFactory(project=world.project_b, organisation=shared, joined_on=date(2025, 6, 1))
    left = OrganisationFactory(name="Structure partie")
    MembershipFactory(project=c, organisation=left, joined_on=date(2025, 3, 1), left_on=date(2026, 2, 1))
    for project, to_phase, outcome, day in [
        (world.project_a, "emergence", "continue", date(2025, 6, 1)),
        (world.project_b, "emergence", "continue", date(2026, 2, 10)),
        (c, "stopped", "stop", date(2026, 5, 5)),
    ]:
        GateDecision.objects.create(
            project=project,
            from_phase="selection",
            to_phase=to_phase,
            outcome=outcome,
            decided_by=world.director,
            decided_on=day,
            committee="Comité",
            rationale="Décidé.",
        )
    people = PersonFactory.create_batch(4)
    for index, (project, day, present) in enumerate(
        [
            (world.project_a, date(2025, 11, 4), 2),
            (world.project_a, date(2026, 2, 3), 3),
            (world.project_b, date(2026, 3, 12), 2),
            (c, date(2026, 4, 20), 4),
            (world.project_b, date(2026, 9, 8), 1),
        ]
    ):
        workshop = Workshop.objects.create(
            project=project, title=f"Atelier {index}", step="needs", starts_at=_at(day)
        )
        for position, person in enumerate(people):
            Attendance.objects.create(workshop=workshop, person=person, present=position < present)

    flow = IndicatorFactory(name="Emplois créés (test)", unit="emplois", unit_singular="emploi")
    stock = IndicatorFactory(name="Structures impliquées (test)", unit="structures", aggregation="latest")
    rate = IndicatorFactory(name="Taux de sortie (test)", type="percentage", aggregation="sum", unit="%")
    funding = Indicator.objects.get(code="fonds-leves")  # shipped by the starter library migration
    values = {"flow": 1, "stock": 3, "num": 2, "fund": 1000}
    for project in (world.project_a, world.project_b, c):
        pis = {
            "flow": ProjectIndicatorFactory(
                project=project, indicator=flow, baseline_value=0, target_value=20
            ),
            "stock": ProjectIndicatorFactory(
                project=project, indicator=stock, baseline_value=2, target_value=8
            ),
            "rate": ProjectIndicatorFactory(
                project=project, indicator=rate, baseline_value=40, target_value=70
            ),
            "fund": ProjectIndicatorFactory(
                project=project, indicator=funding, baseline_value=0, target_value=50000
            ),
        }
        for year in (2025, 2026):
            for start, end in _quarters(year):
                values = {k: v + 1 for k, v in values.items()}
                record(staff, pis["flow"], start, end, value=D(values["flow"] % 4))
                record(staff, pis["stock"], start, end, value=D(values["stock"] % 7))
                record(staff, pis["rate"], start, end, numerator=D(values["num"] % 5), denominator=D(6))
                record(staff, pis["fund"], start, end, value=D(values["fund"] * 10))
        # Submitted by a partner, not validated: never counted.
        MeasurementFactory(
            project_indicator=pis["flow"],
            period_start=date(2027, 1, 1),
            period_end=date(2027, 3, 31),
            value=999,
            status="submitted",
        )
    assess(staff, world.project_a, even_scores(1), assessed_on=date(2026, 1, 20))
    assess(staff, world.project_a, even_scores(3), moment="end", assessed_on=date(2026, 10, 2))
    assess(staff, world.project_b, even_scores(2), assessed_on=date(2026, 3, 1))
    assess(staff, c, even_scores(4), assessed_on=date(2025, 4, 1))
    for index in range(3):
        prospect_in(world, stage="contacted", organisation=OrganisationFactory(name=f"Prospect {index}"))
    prospect_in(world)
    # Money: a convention signed in 2026 counts in "Fonds levés" for 2026, the one signed in 2025 does not;
    # the funding indicator measured above stays an indicator.
    for reference, signed, amount in (
        ("CONV-2026", date(2026, 3, 2), "24000"),
        ("CONV-2025", date(2025, 9, 1), "7000"),
    ):
        req = money.request(
            staff,
            world.project_a,
            title=reference,
            amount=amount,
            status="granted",
            start=signed,
            end=date(2026, 12, 31),
        )
        money.convention(staff, req, reference=reference)
    return Generated(world, flow, stock, rate, funding, late)


def _validated(indicator, start: date | None, end: date):
    period = Q(period_end__lte=end) & (Q(period_end__gte=start) if start else Q())
    return Measurement.objects.filter(
        period,
        project_indicator__indicator=indicator,
        project_indicator__project__programme_id__isnull=False,
        project_indicator__project__start_date__lte=end,
        status="validated",
    )


def _orm_headline(world, start: date, end: date) -> dict:
    """The headline figures, counted here straight from the tables (no selector)."""
    projects = Project.objects.filter(programme=world.programme).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=end)
    )
    held = Workshop.objects.filter(project__in=projects, starts_at__date__range=(start, end))
    present = Attendance.objects.filter(workshop__in=held, present=True)
    members = Membership.objects.filter(project__in=projects).filter(
        (Q(joined_on__isnull=True) | Q(joined_on__lte=end)) & (Q(left_on__isnull=True) | Q(left_on__gt=end))
    )
    funding = Convention.objects.filter(project__in=projects, signed_on__range=(start, end)).aggregate(
        total=Sum("amount_granted")
    )["total"]
    prospects = Prospect.objects.filter(programme=world.programme, created_at__date__range=(start, end))
    return {
        "projects": projects.count(),
        "projects_active": projects.exclude(phase__in=["stopped", "completed"]).count(),
        "member_organisations": members.values("organisation").distinct().count(),
        "workshops": held.count(),
        "attendances": present.count(),
        "people": present.values("person").distinct().count(),
        "gate_decisions": GateDecision.objects.filter(
            project__in=projects, decided_on__range=(start, end)
        ).count(),
        "funding_raised": funding,
        "prospects_identified": prospects.count(),
        "interviews": 0,
        "retained": 0,
    }


def _plain(text: str) -> str:
    """A French-formatted figure as the PDF's text reads back (every space a plain one)."""
    return " ".join(text.replace("’", "'").split())


def _key_figure(page: str, label: str) -> str:
    match = re.search(r"(\d{1,3}(?: \d{3})*(?: €)?)\s+" + re.escape(label), page)
    assert match, f"{label!r} not on the key figures page"
    return match.group(1)


def _csv(client, table: str) -> list[list[str]]:
    response = client.get(reverse("evaluation:dashboard.export", args=[table, "csv"]), {"year": 2026})
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(client, table: str) -> list[tuple]:
    response = client.get(reverse("evaluation:dashboard.export", args=[table, "xlsx"]), {"year": 2026})
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_every_figure_reads_the_same_on_the_dashboard_in_the_pdf_in_the_exports_and_in_the_database(
    generated, director_client, django_capture_on_commit_callbacks
):
    world = generated.world
    orm = _orm_headline(world, START, END)
    # The 2027 project, the membership left in February and the 2025 workshop do not count in 2026.
    assert orm["projects"] == 3 and orm["member_organisations"] == 3 and orm["workshops"] == 4

    dashboard = director_client.get(URL, {"year": 2026})
    headline = dashboard.context["headline"]
    for key, expected in orm.items():
        assert headline[key] == expected, key

    pages = pdf_pages_text(order_activity(world, django_capture_on_commit_callbacks))
    key_page = next(p for p in pages if p.startswith("Chiffres clés"))
    assert "Données du 1er janv. 2026 au 31 déc. 2026" in key_page
    for key, value in orm.items():
        label = _plain(str(FIGURES[key].label))
        shown = fr_amount(value) if key == "funding_raised" else fr_number(value)
        assert _key_figure(key_page, label) == _plain(shown), key
        # ...and its definition as a footnote.
        assert f"{label} : {_plain(str(FIGURES[key].meaning))[:40]}" in key_page, key

    # The dashboard's page says the same, with each definition on the page.
    html = dashboard.content.decode()
    for key in orm:
        assert str(FIGURES[key].meaning).replace("'", "&#x27;")[:40] in html, key
    assert "Données du 1er janv. 2026 au 31 déc. 2026" in html

    # Tables: the exports carry the same rows as the figures.
    phases = {
        row[0]: int(row[1])
        for row in _csv(director_client, "phases")[1:]
        if len(row) == 2 and row[1].isdigit()
    }
    assert sum(phases.values()) == orm["projects"]
    assert phases["Arrêté"] == 1 and phases["Émergence"] == 2
    gates = {row[0]: row[1] for row in _xlsx(director_client, "gates")[1:] if row and row[0]}
    assert gates["Poursuite"] + gates["Arrêt"] == orm["gate_decisions"]
    partners = _csv(director_client, "partners")
    assert sum(int(r[1]) for r in partners[1:4]) == orm["member_organisations"]
    activity = _xlsx(director_client, "activity")
    assert sum(r[1] for r in activity[1:] if isinstance(r[1], int)) == orm["workshops"]
    assert sum(r[2] for r in activity[1:] if isinstance(r[2], int)) == orm["attendances"]


def _flow_total(indicator, start, end) -> D:
    return _validated(indicator, start, end).aggregate(total=Sum("value"))["total"]


def _stock_total(indicator, end) -> D:
    """Each project's last validated value by `end`, added up."""
    total = D(0)
    for project_id in set(
        _validated(indicator, None, end).values_list("project_indicator__project", flat=True)
    ):
        last = (
            _validated(indicator, None, end)
            .filter(project_indicator__project=project_id)
            .order_by("-period_end")
            .first()
        )
        total += last.value
    return total


def _rate(indicator, start, end) -> D:
    sums = _validated(indicator, start, end).aggregate(n=Sum("numerator"), d=Sum("denominator"))
    return (sums["n"] / sums["d"] * 100).quantize(D("0.01"))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2025, 5, 1), date(2026, 8, 15)),
    ],
)
def test_indicator_totals_are_the_validated_measurements_of_the_period(generated, start, end):
    """Whole years come from the yearly roll-up, cut years from the measurements: both add up alike."""
    world = generated.world
    filters = Filters(programme_id=world.programme.pk, start=start, end=end)
    rows = {r["name"]: r for r in indicator_progress(user=world.director, filters=filters)}
    flow = rows["Emplois créés (test)"]
    assert flow["value"] == _flow_total(generated.flow, start, end)
    assert flow["compared"] == _flow_total(generated.flow, None, end)  # the cumul, for a cumulative target
    assert flow["progress"] == (flow["compared"] / flow["target"] * 100).quantize(D("0.1"))
    stock = rows["Structures impliquées (test)"]
    assert stock["value"] == stock["compared"] == _stock_total(generated.stock, end)
    assert rows["Taux de sortie (test)"]["value"] == _rate(generated.rate, start, end)
    funding = rows["Fonds levés"]
    assert funding["value"] == _flow_total(generated.funding, start, end)
    # The headline "Fonds levés" is the conventions signed in the period, not the indicator.
    figures = programme_figures(user=world.director, filters=filters)
    signed = Convention.objects.filter(signed_on__range=(start, end)).aggregate(total=Sum("amount_granted"))
    assert figures["headline"]["funding_raised"] == (signed["total"] or 0)


def test_the_indicators_of_the_pdf_and_of_the_exports_are_the_dashboard_s(
    generated, director_client, django_capture_on_commit_callbacks
):
    world = generated.world
    rows = director_client.get(URL, {"year": 2026}).context["figures"]["indicators"]
    text = "\n".join(pdf_pages_text(order_activity(world, django_capture_on_commit_callbacks)))
    exported = {row[0]: row for row in _csv(director_client, "indicators")[1:] if len(row) > 5}
    for row in rows:
        fmt = {"kind": row["type"], "unit": row["unit"], "unit_one": row["unit_one"]}
        value, compared = (_plain(indicator_value(row[k], **fmt)) for k in ("value", "compared"))
        assert f"{row['name']} {row['nature_label']} {row['reporting']} / {row['projects']}" in text
        assert f"{value} {compared} {row['compared_label']}" in text, row["name"]
        line = exported[row["name"]]
        assert (
            D(line[3].replace(",", ".")) == row["value"] and D(line[4].replace(",", ".")) == row["compared"]
        )
    # 2026's flow: 1 + 2 + 3 + 0 of each project… as the ORM says.
    flow = next(r for r in rows if r["name"] == "Emplois créés (test)")
    assert flow["value"] == _flow_total(generated.flow, START, END)


def test_a_report_for_an_earlier_period_uses_only_that_period_and_says_so(
    generated, django_capture_on_commit_callbacks
):
    world = generated.world
    Lesson.objects.create(programme=world.programme, title="Écrite après", body="…", kind="difficulty")
    report = order_activity(
        world, django_capture_on_commit_callbacks, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31)
    )
    pages = pdf_pages_text(report)
    text = "\n".join(pages)
    assert "Données du 1er janv. 2026 au 31 mars 2026" in text
    key_page = next(p for p in pages if p.startswith("Chiffres clés"))
    orm = _orm_headline(world, date(2026, 1, 1), date(2026, 3, 31))
    assert _key_figure(key_page, "Ateliers tenus") == str(orm["workshops"]) == "2"
    assert _key_figure(key_page, "Décisions d'étape prises") == str(orm["gate_decisions"]) == "1"
    # Maturity of the quarter only: A's start (1) and B's start (2), not A's end of October.
    maturity = next(p for p in pages if p.startswith("Évolution de la maturité"))
    assert "Émergence Vision partagée 1,5 — —" in maturity
    # The lesson recorded today is outside the period: said, not left blank.
    lessons = next(p for p in pages if p.startswith("Enseignements par thème"))
    assert (
        "Aucun enseignement capitalisé sur la période. 1 enseignement a été enregistré en dehors" in lessons
    )
    # Project pages: the flow of the quarter, and its cumul up to 31 March 2026 against the cumulative
    # target (never the last quarter against a multi-year target), in French grammar ("1 emploi").
    a_flow = Measurement.objects.filter(
        project_indicator__project=world.project_a,
        project_indicator__indicator=generated.flow,
        status="validated",
    )
    quarter = a_flow.get(period_end=date(2026, 3, 31)).value
    cumul = a_flow.filter(period_end__lte=date(2026, 3, 31)).aggregate(total=Sum("value"))["total"]
    unit = {True: "emploi", False: "emplois"}
    expected = (
        f"Emplois créés (test) flux 0 emploi {fr_number(quarter)} {unit[quarter < 2]} "
        f"{fr_number(cumul)} {unit[cumul < 2]} cumul depuis le début 20 emplois cible cumulée "
        f"{_plain(fr_percent((cumul / 20 * 100).quantize(D('0.1'))))}"
    )
    project_a = next(p for p in pages if "Annexe — fiches projets Projet A" in p)
    assert expected in project_a, project_a
    assert "1 emplois" not in text and "Promotion Promotion" not in text
    # Projet C was stopped in May 2026: at the end of March it was still in Sélection (no gate decision
    # yet), on its page as in the phases section.
    project_c = next(p for p in pages if re.search(r"(^|fiches projets )Projet C ", p))
    assert "Sélection · Promotion Test" in project_c and "Arrêté ·" not in project_c
    phases = next(p for p in pages if p.startswith("Projets par phase"))
    assert "Sélection 1" in phases and "Arrêté" not in phases.split("Décisions")[0]

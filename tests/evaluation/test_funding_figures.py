"""The dashboard's funding block: every figure equals an independent sum written here (amounts typed by
hand, then the ORM), the page and the CSV/XLSX exports say the same, partners see only their project's
money, and the block's query count does not grow with the number of conventions."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from evaluation import selectors
from evaluation.selectors import Filters
from programme.formatting import fr_amount
from programme.models import FunderKind
from projects.funding import services as funding_services
from projects.funding.models import Convention, Justification, Payment
from tests.factories import ProjectFactory
from tests.projects.funding import factories as money
from tests.projects.funding.factories import ADVANCE, BALANCE, INTERIM

TODAY = date(2026, 11, 15)
URL = "/evaluation/tableau-de-bord/"


def pay(staff, convention, day: date, amount: str) -> Payment:
    return funding_services.payment_record(
        actor=staff, convention=convention, received_on=day, amount=D(amount), reference=f"VIR-{day}"
    )


@pytest.fixture
def funded(world):
    """Project A: a Région convention of 2026 (30 000 €: 12 000 € received, the 9 000 € acompte of June
    overdue, the 9 000 € solde due in March 2027) and a foundation's of 2025 fully paid; project B: a
    Métropole grant without a convention yet and a request to the State awaiting its decision."""
    staff = world.staff
    a, b = world.project_a, world.project_b
    for project in (a, b):
        project.staff_leads.add(staff)
    region = money.request(
        staff, a, funder_org=money.funder("Région Test", FunderKind.REGION), amount="30000", status="granted"
    )
    conv_a = money.convention(
        staff,
        region,
        reference="REG-2026",
        schedule=[
            (ADVANCE, date(2026, 1, 15), "12000"),
            (INTERIM, date(2026, 6, 30), "9000"),
            (BALANCE, date(2026, 12, 31), "9000"),
        ],
    )
    pay(staff, conv_a, date(2026, 1, 20), "12000")
    foundation = money.request(
        staff,
        a,
        funder_org=money.funder("Fondation Test", FunderKind.FOUNDATION),
        title="Fondation",
        amount="10000",
        status="partial",
        granted="8000",
        start=date(2025, 6, 1),
        end=date(2025, 12, 31),
    )
    conv_f = money.convention(
        staff, foundation, reference="FDN-2025", schedule=[(ADVANCE, date(2025, 6, 15), "8000")]
    )
    pay(staff, conv_f, date(2025, 7, 1), "8000")
    money.request(
        staff,
        b,
        funder_org=money.funder("Métropole Test", FunderKind.METROPOLE),
        amount="5000",
        status="granted",
    )
    money.request(
        staff, b, funder_org=money.funder("État Test", FunderKind.STATE), amount="20000", status="submitted"
    )
    money.budget_line(staff, a, label="Salaires", amount="40000")
    money.budget_line(staff, a, label="Prestations", nature="services", amount="10000")
    money.budget_line(staff, a, label="Bénévoles", side="in_kind", nature="volunteering", amount="3000")
    money.budget_line(staff, b, label="Salaires", amount="25000")
    return world


def figures(world, user=None, **filters):
    return selectors.funding(
        user=user or world.director, filters=Filters(programme_id=world.programme.pk, today=TODAY, **filters)
    )


def test_the_block_equals_sums_written_by_hand_and_counted_in_the_tables(funded):
    block = figures(funded, year=2026)
    # Written by hand from the fixture.
    assert block["granted"] == D(30000)  # the Région's convention signed in 2026 (the foundation's: 2025)
    assert block["received"] == D(12000)  # 2026 payments only
    assert block["remaining"] == D(18000) + D(5000)  # A: 38 000 − 20 000; B: 5 000 granted, nothing paid
    assert block["secured"] == D(43000) and block["need"] == D(75000)
    assert block["cofunding_rate"] == D("57.33")  # 43 000 / 75 000
    assert block["requested"] == D(20000)
    assert block["in_kind"] == D(3000)
    assert block["overdue"] == D(9000)  # the June acompte
    assert [(r["reference"], r["outstanding"], r["days"]) for r in block["overdue_instalments"]] == [
        ("REG-2026", D(9000), (TODAY - date(2026, 6, 30)).days)
    ]
    forecast = {row["month"]: row["due"] for row in block["forecast"]}
    assert len(forecast) == 12 and min(forecast) == date(2026, 11, 1)
    assert forecast[date(2026, 12, 1)] == D(9000) and sum(forecast.values()) == D(9000)
    # ...and counted again from the tables, independently of the selector.
    signed = Convention.objects.filter(signed_on__year=2026).aggregate(s=Sum("amount_granted"))["s"]
    paid = Payment.objects.filter(received_on__year=2026).aggregate(s=Sum("amount"))["s"]
    assert (block["granted"], block["received"]) == (signed, paid)
    late = Justification.objects.filter(status="due", due_on__lt=TODAY)
    assert sorted(r["reference"] for r in block["late_justifications"]) == sorted(
        j.convention.reference for j in late
    )
    # The table by type of funder adds up to the headline figures.
    kinds = {r["kind"]: r for r in block["by_kind"]}
    assert sum(r["granted"] for r in kinds.values()) == block["granted"]
    assert sum(r["received"] for r in kinds.values()) == block["received"]
    assert sum(r["remaining"] for r in kinds.values()) == block["remaining"]
    assert (kinds["region"]["granted"], kinds["region"]["remaining"]) == (D(30000), D(18000))
    assert kinds["metropole"]["remaining"] == D(5000) and kinds["state"]["requested"] == D(20000)
    assert kinds["foundation"]["granted"] == 0  # signed in 2025


def test_without_a_period_everything_signed_and_received_counts(funded):
    block = figures(funded)
    assert (block["granted"], block["received"]) == (D(38000), D(20000))
    assert block["remaining"] == D(23000)  # as of today, whatever the period


def test_a_payment_moves_reste_a_percevoir_and_the_overdue_instalment(funded):
    conv = Convention.objects.get(reference="REG-2026")
    pay(funded.staff, conv, date(2026, 11, 2), "9000")
    block = figures(funded, year=2026)
    assert block["remaining"] == D(14000)
    assert block["overdue"] == 0 and block["overdue_instalments"] == []


def test_partners_see_only_their_own_project_s_shared_money(funded):
    assert figures(funded, user=funded.partner_a)["granted"] == 0  # not shared
    funding_services.funding_share(actor=funded.staff, project=funded.project_a, shared=True)
    block = figures(funded, user=funded.partner_a)
    assert block["granted"] == D(38000) and block["remaining"] == D(18000)
    assert figures(funded, user=funded.partner_b)["remaining"] == 0


def test_the_page_and_the_exports_show_the_block(funded, director_client):
    # The page reads today's date: the June acompte is overdue from July 2026 on.
    response = director_client.get(URL, {"year": 2026})
    html = response.content.decode()
    assert 'id="funding"' in html
    for value in (D(30000), D(23000)):
        assert fr_amount(value) in html
    assert "REG-2026" in html
    exported = director_client.get(
        reverse("evaluation:dashboard.export", args=["funding_kinds", "csv"]), {"year": 2026}
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    region = next(r for r in rows if r and r[0] == "Région")
    assert region[1:5] == ["0", "30000", "12000", "18000"]
    sheet = load_workbook(
        io.BytesIO(
            director_client.get(
                reverse("evaluation:dashboard.export", args=["overdue_instalments", "xlsx"]), {"year": 2026}
            ).content
        )
    ).active
    overdue = [r for r in sheet.iter_rows(values_only=True) if r[2] == "REG-2026"]
    assert overdue and overdue[0][6] == 9000


def test_the_block_s_query_count_does_not_grow_with_conventions(funded, django_assert_num_queries):
    # 1–4 the projects' money (money_by_project: budget lines, requests, payments, instalments fallen
    # due) · 5 conventions by type · 6 payments by type · 7 requests by type · 8 the 12-month forecast
    # · 9 overdue instalments · 10 late justifications.
    with django_assert_num_queries(10):
        figures(funded, year=2026)
    for n in range(4):
        project = ProjectFactory(programme=funded.programme, cohort=funded.cohort, title=f"Projet {n}")
        req = money.request(funded.staff, project, title=f"Demande {n}", amount="1000", status="granted")
        conv = money.convention(
            funded.staff, req, reference=f"C-{n}", schedule=[(ADVANCE, date(2026, 2, 1), "1000")]
        )
        pay(funded.staff, conv, date(2026, 2, 3), "400")
    with django_assert_num_queries(10):
        block = figures(funded, year=2026)
    assert block["granted"] == D(34000) and block["overdue"] == D(9000) + 4 * D(600)

"""The money pages: they work for the team, refuse outsiders with 404, refuse bad input with a French
message and save nothing; the funding page's queries stay constant as conventions grow."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.models import AuditEntry
from projects.funding.models import (
    BudgetLine,
    Convention,
    FundingRequest,
    FundingSettings,
    Instalment,
    Payment,
    RequestStatus,
)
from tests.conftest import client_for

from .factories import ADVANCE, BALANCE, INTERIM, budget_line, convention, funder, page_text, request

pytestmark = pytest.mark.django_db


def test_staff_follows_a_request_to_its_payment_and_sees_what_remains(world, staff_client):
    project = world.project_a
    region = funder("Région Test")
    page = reverse("projects:funding.page", args=[project.pk])
    response = staff_client.post(
        reverse("projects:funding.request.create", args=[project.pk]),
        {
            "funder": region.pk,
            "title": "Fonctionnement 2026",
            "phase": "",
            "amount_requested": "20 000",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content
    req = FundingRequest.objects.get()
    assert req.amount_requested == 20000 and req.status == RequestStatus.PREPARING
    move = reverse("projects:funding.request.move", args=[req.pk])
    assert staff_client.post(move, {"status": "submitted", "on": "2026-01-10"}).status_code == 302
    assert (
        staff_client.post(move, {"status": "granted", "on": "2026-03-01", "amount": "20 000"}).status_code
        == 302
    )
    response = staff_client.post(
        reverse("projects:funding.convention.create", args=[req.pk]),
        {
            "reference": "REG-2026-1",
            "signed_on": "2026-03-05",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "amount_granted": "20000",
        },
    )
    assert response.status_code == 302
    conv = Convention.objects.get()
    response = staff_client.post(
        reverse("projects:funding.instalment.create", args=[conv.pk]),
        {"kind": "advance", "due_on": "2026-03-15", "amount": "12 000"},
        follow=True,
    )
    # The schedule is short of the granted amount: saved, and the team told by how much.
    assert "il manque 8 000 €" in page_text(response)
    assert "Reste à percevoir" in page_text(staff_client.get(page))
    assert "20 000 €" in page_text(staff_client.get(page))
    response = staff_client.post(
        reverse("projects:funding.payment.create", args=[conv.pk]),
        {"received_on": "2026-03-20", "amount": "12000", "reference": "VIR-1"},
    )
    assert response.status_code == 302
    body = page_text(staff_client.get(page))
    assert '<p class="figure" data-figure="remaining">8 000 €</p>' in body


def test_outsiders_get_404_on_the_money_pages(world):
    req = request(world.staff, world.project_a, title="Demande A", status=RequestStatus.GRANTED)
    conv = convention(world.staff, req)
    for client in (client_for(world.partner_a), client_for(world.partner_b)):
        for url in (
            reverse("projects:funding.page", args=[world.project_a.pk]),
            reverse("projects:funding.request.edit", args=[req.pk]),
            reverse("projects:funding.payment.create", args=[conv.pk]),
        ):
            assert client.get(url).status_code == 404
        assert (
            client.post(
                reverse("projects:funding.payment.create", args=[conv.pk]),
                {"received_on": "2026-03-01", "amount": "10"},
            ).status_code
            == 404
        )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-500", "ne peut pas être négatif"),
        ("0", "supérieur à zéro"),
        ("12.500", "peut se lire de deux façons"),
        ("douze mille", "Saisissez seulement un nombre"),
        ("12,345", "peut se lire de deux façons"),
        ("10,555", "peut se lire de deux façons"),
        ("1,555", "peut se lire de deux façons"),
        ("10,5555", "au plus deux décimales"),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_saved(world, staff_client, amount, message):
    response = staff_client.post(
        reverse("projects:funding.request.create", args=[world.project_a.pk]),
        {
            "funder": funder().pk,
            "title": "Demande",
            "amount_requested": amount,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 200
    assert message in page_text(response)
    assert not FundingRequest.objects.exists()


def test_a_duplicate_request_is_a_form_error(world, staff_client):
    org = funder()
    request(world.staff, world.project_a, funder_org=org, title="Fonctionnement")
    data = {
        "funder": org.pk,
        "title": "Fonctionnement",
        "amount_requested": "100",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
    }
    url = reverse("projects:funding.request.create", args=[world.project_a.pk])
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "existe déjà auprès de ce financeur" in page_text(response)
    assert FundingRequest.objects.count() == 1


def test_dates_outside_the_convention_period_are_refused(world, staff_client):
    conv = convention(world.staff, request(world.staff, world.project_a, status=RequestStatus.GRANTED))
    response = staff_client.post(
        reverse("projects:funding.instalment.create", args=[conv.pk]),
        {"kind": "advance", "due_on": "2025-06-01", "amount": "1000"},
    )
    assert response.status_code == 200
    assert "dans la période de la convention" in page_text(response)
    response = staff_client.post(
        reverse("projects:funding.payment.create", args=[conv.pk]),
        {"received_on": "2025-06-01", "amount": "1000"},
    )
    assert "précède la période de la convention" in page_text(response)
    response = staff_client.post(
        reverse("projects:funding.instalment.create", args=[conv.pk]),
        {"kind": "balance", "due_on": "2026-06-01", "amount": "99999"},
    )
    assert "dépasserait le montant conventionné" in page_text(response)
    assert not Instalment.objects.exists() and not Payment.objects.exists()


def test_a_payment_on_a_refused_request_is_refused(world, staff_client):
    req = request(world.staff, world.project_a, status=RequestStatus.GRANTED)
    conv = convention(world.staff, req)
    FundingRequest.objects.filter(pk=req.pk).update(status=RequestStatus.REFUSED)
    response = staff_client.post(
        reverse("projects:funding.payment.create", args=[conv.pk]),
        {"received_on": "2026-03-01", "amount": "100"},
    )
    assert response.status_code == 200
    assert "La demande a été refusée" in page_text(response)
    assert not Payment.objects.exists()


def test_a_refusal_needs_its_reason(world, staff_client):
    req = request(world.staff, world.project_a, status=RequestStatus.SUBMITTED)
    response = staff_client.post(
        reverse("projects:funding.request.move", args=[req.pk]), {"status": "refused", "on": "2026-03-01"}
    )
    assert response.status_code == 200
    assert "Indiquez le motif de la décision" in page_text(response)
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED


def test_budget_lines_show_the_balance_and_the_variance(world, staff_client):
    project = world.project_a
    url = reverse("projects:funding.line.create", args=[project.pk])
    for data in (
        {
            "phase": "emergence",
            "version": "planned",
            "side": "expense",
            "nature": "personnel",
            "label": "Salaires",
            "amount": "30 000",
        },
        {
            "phase": "emergence",
            "version": "planned",
            "side": "resource",
            "nature": "own_funds",
            "label": "Fonds propres",
            "amount": "10 000",
        },
        {
            "phase": "emergence",
            "version": "actual",
            "side": "expense",
            "nature": "personnel",
            "label": "Salaires",
            "amount": "33 000",
        },
    ):
        assert staff_client.post(url, data).status_code == 302
    # A nature of the other side is refused.
    response = staff_client.post(
        url,
        {
            "phase": "emergence",
            "version": "planned",
            "side": "expense",
            "nature": "grant",
            "label": "X",
            "amount": "1",
        },
    )
    assert "ne correspond pas à ce côté" in page_text(response)
    assert BudgetLine.objects.count() == 3
    body = page_text(staff_client.get(reverse("projects:funding.page", args=[project.pk])))
    assert "déséquilibré" in body and "produits − charges = -20 000 €" in body
    assert "+10 %" in body  # personnel: réalisé 33 000 against 30 000 planned


def test_sharing_is_a_switch_the_audit_trail_records(world, staff_client):
    url = reverse("projects:funding.share", args=[world.project_a.pk])
    portal = reverse("portal:funding", args=[world.project_a.pk])
    budget_line(world.staff, world.project_a, label="Salaires partagés")
    assert client_for(world.partner_a).get(portal).status_code == 404
    staff_client.post(url, {"shared": "1"})
    assert FundingSettings.objects.get().shared_with_collective
    response = client_for(world.partner_a).get(portal)
    assert response.status_code == 200 and "Salaires partagés" in page_text(response)
    assert "Modifier" not in page_text(response)  # read-only
    assert client_for(world.partner_b).get(portal).status_code == 404
    staff_client.post(url, {"shared": "0"})
    assert client_for(world.partner_a).get(portal).status_code == 404
    assert list(
        AuditEntry.objects.filter(action__startswith="funding_settings.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "funding_settings.shared",
        "funding_settings.unshared",
    ]


def _grow(world, n: int) -> None:
    """n more funders, each with a granted request, a convention, three instalments, a payment, lines."""
    today = timezone.localdate()
    start = today - timedelta(days=200)
    for i in range(n):
        req = request(
            world.staff,
            world.project_a,
            funder_org=funder(f"Financeur {i}"),
            title=f"Demande {i}",
            amount="9000",
            status=RequestStatus.GRANTED,
            start=start,
            end=start + timedelta(days=700),
        )
        conv = convention(
            world.staff,
            req,
            reference=f"C-{i}",
            schedule=[
                (ADVANCE, start + timedelta(days=10), "3000"),
                (INTERIM, start + timedelta(days=100), "3000"),
                (BALANCE, start + timedelta(days=600), "3000"),
            ],
        )
        from decimal import Decimal

        from projects.funding import services

        services.payment_record(
            actor=world.staff, convention=conv, received_on=start + timedelta(days=20), amount=Decimal("3000")
        )
        budget_line(world.staff, world.project_a, label=f"Ligne {i}", amount="1000")
        budget_line(world.staff, world.project_a, version="actual", label=f"Ligne {i}", amount="1100")


# The project's row carries the head's open phase period (projects.selectors.with_open_period): no
# prefetch of periods, leads or themes, which the page does not show.
FUNDING_PAGE_QUERIES = 12


@pytest.mark.parametrize("n", [1, 6])
def test_the_funding_page_queries_are_constant(world, staff_client, django_assert_num_queries, n):
    _grow(world, n)
    url = reverse("projects:funding.page", args=[world.project_a.pk])
    with django_assert_num_queries(FUNDING_PAGE_QUERIES):
        response = staff_client.get(url)
    assert response.status_code == 200
    assert page_text(response).count("En retard") == n  # every interim is overdue


def test_money_by_project_runs_the_same_queries_for_many_projects(world, django_assert_num_queries):
    from projects.funding import selectors

    _grow(world, 3)
    with django_assert_num_queries(4):
        money = selectors.money_by_project(user=world.staff)
    assert money[world.project_a.pk].secured == 27000
    assert money[world.project_a.pk].overdue == 9000


__all__ = ["date"]


def test_a_structure_becomes_a_funder_from_its_record(world, staff_client):
    org = world.org_b
    detail = reverse("programme:organisation.detail", args=[org.pk])
    assert "Financeur" not in page_text(staff_client.get(detail))
    form = staff_client.get(reverse("programme:organisation.edit", args=[org.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "themes"}
    data.update({"funder_kind": "foundation", "confirm_duplicate": "on"})
    response = staff_client.post(reverse("programme:organisation.edit", args=[org.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    org.refresh_from_db()
    assert org.funder_kind == "foundation"
    assert "Financeur : Fondation" in page_text(staff_client.get(detail))
    # And it is offered as a funder on a new request.
    page = page_text(staff_client.get(reverse("projects:funding.request.create", args=[world.project_a.pk])))
    assert f'<option value="{org.pk}">{org.name}</option>' in page

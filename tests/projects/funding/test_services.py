from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from programme.audit import Edit
from programme.models import AuditEntry
from projects.funding import selectors, services
from projects.funding.models import (
    Convention,
    FundingRequest,
    Instalment,
    Justification,
    JustificationKind,
    LineNature,
    LineSide,
    Payment,
    RequestStatus,
)

from .factories import ADVANCE, BALANCE, INTERIM, D, budget_line, convention, funder, request

TODAY = date(2026, 9, 1)


def test_money_figures_follow_requests_conventions_and_payments(world):
    staff, project = world.staff, world.project_a
    budget_line(staff, project, amount="60000")
    budget_line(
        staff,
        project,
        side=LineSide.IN_KIND,
        nature=LineNature.VOLUNTEERING,
        label="Bénévoles",
        amount="5000",
    )
    region = funder("Région")
    granted = request(
        staff,
        project,
        funder_org=region,
        title="Fonctionnement",
        amount="30000",
        status=RequestStatus.GRANTED,
    )
    for name, kind, title, amount, status in (
        ("Fondation X", "foundation", "Essaimage", "10000", RequestStatus.SUBMITTED),
        ("Mécène", "patron", "Refusée", "8000", RequestStatus.REFUSED),
    ):
        request(staff, project, funder_org=funder(name, kind), title=title, amount=amount, status=status)
    conv = convention(
        staff,
        granted,
        schedule=[
            (ADVANCE, date(2026, 2, 1), "15000"),
            (INTERIM, date(2026, 6, 1), "9000"),
            (BALANCE, date(2027, 3, 1), "6000"),
        ],
    )
    services.payment_record(
        actor=staff, convention=conv, received_on=date(2026, 2, 10), amount=D("15000"), reference="VIR1"
    )

    money = selectors.project_money(user=staff, project_id=project.pk, today=TODAY)
    assert (money.need, money.secured, money.requested, money.to_find) == (
        D("60000"),
        D("30000"),
        D("10000"),
        D("20000"),
    )
    assert (money.received, money.remaining, money.overdue, money.in_kind) == (
        D("15000"),
        D("15000"),
        D("9000"),
        D("5000"),
    )

    page = selectors.project_funding(user=staff, project_id=project.pk, today=TODAY)
    assert page["totals"] == money
    states = [row["state"] for row in page["conventions"][0]["instalments"]]
    assert states == ["received", "overdue", "upcoming"]
    assert page["conventions"][0]["remaining"] == D("15000")
    # The usual deadlines: a compte-rendu financier six months after the year end, and the final report.
    kinds = sorted(Justification.objects.filter(convention=conv).values_list("kind", "due_on"))
    assert kinds == [
        (JustificationKind.ACTIVITY, date(2027, 6, 30)),
        (JustificationKind.FINANCIAL, date(2027, 6, 30)),
    ]


def test_partners_see_nothing_until_staff_share(world):
    staff, project = world.staff, world.project_a
    req = request(staff, project, status=RequestStatus.GRANTED)
    convention(staff, req)
    assert selectors.project_funding(user=world.partner_a, project_id=project.pk)["requests"] == []
    services.funding_share(actor=staff, project=project, shared=True)
    assert AuditEntry.objects.filter(action="funding_settings.shared").count() == 1
    assert len(selectors.project_funding(user=world.partner_a, project_id=project.pk)["requests"]) == 1
    assert selectors.project_funding(user=world.partner_b, project_id=project.pk)["requests"] == []
    with pytest.raises(PermissionDenied):
        services.funding_share(actor=world.partner_a, project=project, shared=False)


def test_request_moves_are_data_and_refusals_say_why(world):
    staff = world.staff
    req = request(staff, world.project_a, amount="20000")
    with pytest.raises(ValidationError) as error:
        services.funding_request_move(
            actor=staff, request=req, to_status=RequestStatus.GRANTED, on=TODAY, amount=D("20000")
        )
    assert "impossible" in str(error.value)
    req = services.funding_request_move(
        actor=staff, request=req, to_status=RequestStatus.SUBMITTED, on=date(2026, 1, 5)
    )
    with pytest.raises(ValidationError) as error:
        services.funding_request_move(
            actor=staff, request=req, to_status=RequestStatus.PARTIAL, on=TODAY, amount=D("25000"), reason="x"
        )
    assert "inférieur" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.funding_request_move(actor=staff, request=req, to_status=RequestStatus.REFUSED, on=TODAY)
    assert "motif" in str(error.value)
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED
    assert services.allowed_moves(RequestStatus.PREPARING) == [RequestStatus.SUBMITTED]


def test_payment_on_refused_request_or_beyond_due_is_refused(world):
    staff = world.staff
    req = request(staff, world.project_a, amount="10000", status=RequestStatus.GRANTED)
    conv = convention(staff, req)
    with pytest.raises(ValidationError) as error:
        services.payment_record(actor=staff, convention=conv, received_on=date(2026, 3, 1), amount=D("12000"))
    assert "motif du dépassement" in str(error.value)
    assert not Payment.objects.exists()
    for _ in range(2):  # the same payment sent twice is one row
        services.payment_record(
            actor=staff,
            convention=conv,
            received_on=date(2026, 3, 1),
            amount=D("12000"),
            excess_reason="Intérêts",
        )
    assert Payment.objects.count() == 1
    FundingRequest.objects.filter(pk=req.pk).update(status=RequestStatus.REFUSED)
    with pytest.raises(ValidationError) as error:
        services.payment_record(actor=staff, convention=conv, received_on=date(2026, 4, 1), amount=D("100"))
    assert "refusée" in str(error.value)
    assert Payment.objects.count() == 1


def test_schedule_refuses_dates_outside_and_too_much(world):
    staff = world.staff
    req = request(staff, world.project_a, amount="10000", status=RequestStatus.GRANTED)
    conv = convention(staff, req)
    with pytest.raises(ValidationError) as error:
        services.instalment_save(
            actor=staff,
            edit=Edit(obj=Instalment(kind=ADVANCE, due_on=date(2025, 12, 1), amount=D("1000"))),
            convention=conv,
        )
    assert "période de la convention" in str(error.value)
    services.instalment_save(
        actor=staff,
        edit=Edit(obj=Instalment(kind=ADVANCE, due_on=date(2026, 1, 15), amount=D("6000"))),
        convention=conv,
    )
    with pytest.raises(ValidationError) as error:
        services.instalment_save(
            actor=staff,
            edit=Edit(obj=Instalment(kind=BALANCE, due_on=date(2027, 1, 15), amount=D("5000"))),
            convention=conv,
        )
    assert "de 1\xa0000\xa0€" in error.value.messages[0]
    assert selectors.schedule_gap(conv) == D("4000")
    assert Instalment.objects.count() == 1


def test_convention_only_for_a_granted_request(world):
    staff = world.staff
    req = request(staff, world.project_a, status=RequestStatus.REFUSED)
    with pytest.raises(ValidationError):
        convention(staff, req)
    assert not Convention.objects.exists()

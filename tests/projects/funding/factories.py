"""Builders of money records for tests: each goes through the services, as a person would."""

from datetime import date
from decimal import Decimal

from programme.audit import Edit
from programme.models import FunderKind, Organisation
from projects.funding import services
from projects.funding.models import (
    Budget,
    BudgetLine,
    BudgetVersion,
    Convention,
    FundingRequest,
    Instalment,
    InstalmentKind,
    LineNature,
    LineSide,
    RequestStatus,
)
from tests.factories import OrganisationFactory

D = Decimal


def page_text(response) -> str:
    """A page's HTML with its no-break spaces as plain spaces (amounts read « 20 000 € » in assertions)."""
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


def funder(name: str = "Région Test", kind: str = FunderKind.REGION):
    """The funder of that name, created once: a structure's name is unique in its town."""
    found = Organisation.objects.filter(name=name, town=OrganisationFactory.town).first()
    return found or OrganisationFactory(name=name, kind="collectivite", funder_kind=kind)


def budget_line(
    staff,
    project,
    *,
    phase="emergence",
    version=BudgetVersion.PLANNED,
    side=LineSide.EXPENSE,
    nature=LineNature.PERSONNEL,
    label="Salaires",
    amount="10000",
    request=None,
) -> BudgetLine:
    budget = services.budget_get_or_create(actor=staff, project=project, phase=phase, version=version)
    line = BudgetLine(budget=budget, side=side, nature=nature, label=label, amount=D(amount), request=request)
    return services.budget_line_save(actor=staff, edit=Edit(obj=line))


def request(
    staff,
    project,
    *,
    funder_org=None,
    title="Demande",
    amount="20000",
    status=RequestStatus.PREPARING,
    granted: str | None = None,
    phase="",
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
) -> FundingRequest:
    funder_org = funder_org or funder()
    obj = FundingRequest(
        funder=funder_org,
        title=title,
        amount_requested=D(amount),
        period_start=start,
        period_end=end,
        phase=phase,
    )
    req = services.funding_request_save(actor=staff, edit=Edit(obj=obj), project=project)
    if status != RequestStatus.PREPARING:
        req = services.funding_request_move(
            actor=staff, request=req, to_status=RequestStatus.SUBMITTED, on=start
        )
    if status in (RequestStatus.GRANTED, RequestStatus.PARTIAL, RequestStatus.REFUSED):
        req = services.funding_request_move(
            actor=staff,
            request=req,
            to_status=status,
            on=start,
            amount=D(granted or amount) if status != RequestStatus.REFUSED else None,
            reason="" if status == RequestStatus.GRANTED else "Motif",
        )
    return req


def convention(
    staff, req: FundingRequest, *, reference="CONV-1", amount: str | None = None, schedule=()
) -> Convention:
    obj = Convention(
        reference=reference,
        signed_on=req.period_start,
        period_start=req.period_start,
        period_end=req.period_end,
        amount_granted=D(amount) if amount else req.amount_granted,
    )
    conv = services.convention_save(actor=staff, edit=Edit(obj=obj), request=req)
    for kind, due_on, value in schedule:
        services.instalment_save(
            actor=staff, edit=Edit(obj=Instalment(kind=kind, due_on=due_on, amount=D(value))), convention=conv
        )
    return conv


ADVANCE, INTERIM, BALANCE = InstalmentKind.ADVANCE, InstalmentKind.INTERIM, InstalmentKind.BALANCE
__all__ = ["Budget", "D"]


def funding_side(staff, project, marker: str) -> dict:
    """A collective's money, shared with it, every text marked: the portal's isolation test maps the money
    URLs to these objects."""
    from programme.audit import Edit as _Edit
    from projects.funding.models import FunderProgramme

    from ..factories import pdf_file

    org = funder(f"Financeur {marker}")
    programme = services.funder_programme_save(
        actor=staff, edit=_Edit(obj=FunderProgramme(funder=org, name=f"Programme {marker}"))
    )
    line = budget_line(staff, project, label=f"Ligne {marker}", amount="4000")
    req = request(
        staff, project, funder_org=org, title=f"Demande {marker}", amount="3000", status=RequestStatus.GRANTED
    )
    conv = convention(staff, req, reference=f"CONV-{marker}", schedule=[(ADVANCE, date(2026, 2, 1), "1000")])
    document = services.request_document_add(actor=staff, request=req, file=pdf_file(f"dossier-{marker}.pdf"))
    payment = services.payment_record(
        actor=staff, convention=conv, received_on=date(2026, 2, 1), amount=D("400"), reference=f"VIR-{marker}"
    )
    services.funding_share(actor=staff, project=project, shared=True)
    return {
        "payment": payment,
        "funder_programme": programme,
        "budget_line": line,
        "funding_request": req,
        "request_document": document,
        "convention": conv,
        "instalment": conv.instalments.get(),
        "justification": conv.justifications.first(),
    }

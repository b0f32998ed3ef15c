"""Benchmark data for money: every project of the benchmark programme (2,000 at scale 1) gets 10
conventions with 6 instalments each (120,000 instalments), payments for most instalments already due,
two justifications per convention and a forecast budget. Funders are one organisation per funder kind.

Bulk inserts only; re-runnable: the benchmark programme's previous money rows are removed first."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from programme.models import Family, FunderKind, Organisation
from projects.funding.models import (
    Budget,
    BudgetLine,
    BudgetVersion,
    Convention,
    FundingRequest,
    Instalment,
    InstalmentKind,
    Justification,
    JustificationKind,
    LineNature,
    LineSide,
    Payment,
    RequestStatus,
)
from projects.models import Phase, Project

from .gen_projects import organisations_in_lyon

CONVENTIONS_PER_PROJECT = 10
INSTALMENTS_PER_CONVENTION = 6
BATCH = 5000


def _funders() -> list[Organisation]:
    public = {"kind": "collectivite", "family": Family.PUBLIC}
    rows = {str(kind.label): {**public, "funder_kind": kind.value} for kind in FunderKind}
    return list(organisations_in_lyon("Financeur bench ", rows))


def clear(programme) -> None:
    """Remove the programme's money rows (a convention protects its request, which would stop the
    projects generator from removing the projects)."""
    projects = Project.objects.filter(programme=programme)
    for model, lookup in (
        (Payment, "convention__project__in"),
        (Justification, "convention__project__in"),
        (Instalment, "convention__project__in"),
        (Convention, "project__in"),
        (BudgetLine, "budget__project__in"),
        (Budget, "project__in"),
        (FundingRequest, "project__in"),
    ):
        model.objects.filter(**{lookup: projects})._raw_delete(model.objects.db)


def exists(programme) -> bool:
    return Convention.objects.filter(project__programme=programme).exists()


@transaction.atomic
def generate(*, programme, scale: float) -> None:
    rng = random.Random(7)
    today = timezone.localdate()
    projects = list(Project.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True))
    clear(programme)
    funders = _funders()
    requests = []
    for pid in projects:
        for n in range(CONVENTIONS_PER_PROJECT):
            start = today - timedelta(days=rng.randint(0, 900))
            amount = Decimal(rng.randrange(6000, 120000, 600))
            requests.append(
                FundingRequest(
                    project_id=pid,
                    funder=funders[n % len(funders)],
                    title=f"Demande {n}",
                    amount_requested=amount,
                    period_start=start,
                    period_end=start + timedelta(days=730),
                    submitted_on=start - timedelta(days=60),
                    status=RequestStatus.GRANTED,
                    decided_on=start - timedelta(days=10),
                    amount_granted=amount,
                )
            )
    FundingRequest.objects.bulk_create(requests, batch_size=BATCH)
    conventions = Convention.objects.bulk_create(
        [
            Convention(
                project_id=r.project_id,
                request=r,
                reference=f"BENCH-{r.project_id}-{i}",
                signed_on=r.period_start,
                period_start=r.period_start,
                period_end=r.period_end,
                amount_granted=r.amount_granted,
            )
            for i, r in enumerate(requests)
        ],
        batch_size=BATCH,
    )
    instalments, payments, justifications = [], [], []
    kinds = [InstalmentKind.ADVANCE] + [InstalmentKind.INTERIM] * (INSTALMENTS_PER_CONVENTION - 2)
    kinds.append(InstalmentKind.BALANCE)
    for c in conventions:
        part = (c.amount_granted / INSTALMENTS_PER_CONVENTION).quantize(Decimal("0.01"))
        paid = Decimal(0)
        for k, kind in enumerate(kinds):
            due = c.period_start + timedelta(days=120 * k)
            amount = (
                c.amount_granted - part * (INSTALMENTS_PER_CONVENTION - 1) if k == len(kinds) - 1 else part
            )
            instalments.append(Instalment(convention=c, kind=kind, due_on=due, amount=amount))
            # Most instalments fallen due are paid a few days late; about one in twelve is still awaited.
            if due < today and rng.random() > 0.08:
                paid_on = min(due + timedelta(days=rng.randint(0, 30)), today)
                payments.append(
                    Payment(convention=c, received_on=paid_on, amount=amount, reference=f"VIR-{c.pk}-{k}")
                )
                paid += amount
        year_end = date(c.period_start.year, 12, 31)
        justifications += [
            Justification(
                convention=c,
                kind=JustificationKind.FINANCIAL,
                covers_until=year_end,
                due_on=year_end + timedelta(days=182),
                status="due" if rng.random() < 0.3 else "sent",
            ),
            Justification(
                convention=c, kind=JustificationKind.ACTIVITY, due_on=c.period_end + timedelta(days=182)
            ),
        ]
    Instalment.objects.bulk_create(instalments, batch_size=BATCH)
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    Justification.objects.bulk_create(justifications, batch_size=BATCH)
    budgets = Budget.objects.bulk_create(
        [Budget(project_id=pid, phase=Phase.EMERGENCE, version=BudgetVersion.PLANNED) for pid in projects],
        batch_size=BATCH,
    )
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                budget=b, side=side, nature=nature, label=label, amount=Decimal(rng.randrange(5000, 90000))
            )
            for b in budgets
            for side, nature, label in (
                (LineSide.EXPENSE, LineNature.PERSONNEL, "Salaires"),
                (LineSide.EXPENSE, LineNature.SERVICES, "Prestations"),
                (LineSide.IN_KIND, LineNature.VOLUNTEERING, "Bénévolat"),
            )
        ],
        batch_size=BATCH,
    )

"""Reads of the money sub-domain, taking the acting user and scoping through `programme.access`.

One definition per figure (every page, export and report reads them from here):

- **besoin** (need): the total of the expense lines of the prévisionnel budgets (in-kind contributions apart);
- **acquis** (secured): requests accordées or partiellement accordées, for the convention's amount when one is
  signed, else the decision's amount;
- **demandé** (requested): requests en préparation or déposées, for the amount requested;
- **à trouver** (to find): need − secured − requested, never below zero;
- **reçu** (received): the payments recorded;
- **reste à percevoir** (remaining): secured − received, never below zero;
- **échu non reçu** (overdue): what is still unpaid on instalments whose due date has passed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from programme import access
from programme.batch import Plan, planned
from programme.formatting import fr_amount
from programme.models import FunderKind, User

from ..models import Phase, Project
from .models import (
    PENDING_STATUSES,
    SECURED_STATUSES,
    ZERO,
    Budget,
    BudgetLine,
    BudgetVersion,
    Convention,
    FundingRequest,
    FundingSettings,
    Instalment,
    Justification,
    JustificationStatus,
    LineNature,
    LineSide,
    Payment,
    RequestStatus,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _zero() -> Any:
    return Value(ZERO, output_field=MONEY)


def secured_expression(prefix: str = "") -> Any:
    """The secured amount of a request row (`prefix` leads to the request): the convention's amount when
    one is signed, else the decision's. Only meaningful on secured statuses."""
    return Coalesce(
        F(f"{prefix}convention__amount_granted"), F(f"{prefix}amount_granted"), _zero(), output_field=MONEY
    )


def _sum_subquery(queryset: QuerySet[Any], field: str) -> Any:
    """The sum of `field` over `queryset` (already filtered on OuterRef), zero when empty."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(group=Value(1)).annotate(s=Sum(field)).values("s"), output_field=MONEY
        ),
        _zero(),
        output_field=MONEY,
    )


def allocate(amounts: list[Decimal], received: Decimal) -> list[Decimal]:
    """What each instalment (in due-date order) has received: payments settle the earliest first."""
    settled = []
    left = received
    for amount in amounts:
        part = min(amount, max(left, ZERO))
        settled.append(part)
        left -= part
    return settled


@dataclass
class Money:
    """The money figures of one project (or of several added up), as defined in the module docstring."""

    need: Decimal = ZERO
    secured: Decimal = ZERO
    requested: Decimal = ZERO
    received: Decimal = ZERO
    overdue: Decimal = ZERO
    in_kind: Decimal = ZERO

    @property
    def to_find(self) -> Decimal:
        return max(self.need - self.secured - self.requested, ZERO)

    @property
    def remaining(self) -> Decimal:
        return max(self.secured - self.received, ZERO)

    def __add__(self, other: "Money") -> "Money":
        return Money(
            need=self.need + other.need,
            secured=self.secured + other.secured,
            requested=self.requested + other.requested,
            received=self.received + other.received,
            overdue=self.overdue + other.overdue,
            in_kind=self.in_kind + other.in_kind,
        )


@planned
def money_by_project(
    *,
    user: User,
    projects: QuerySet[Project] | None = None,
    today: date | None = None,
    phase: str | None = None,
) -> Plan[dict[int, Money]]:
    """`Money` for every project of `projects` (default: all the user may read) that has any money record,
    in four grouped queries whatever the number of projects or conventions (a plan: the dashboard reads
    them with its other figures in one statement, `programme.batch`). With `phase`, the money of that phase
    only: its prévisionnel budget, the requests made for it (not those for the whole project) and their
    conventions' payments and instalments."""
    today = today or timezone.localdate()

    def of_phase(path: str) -> Q:
        """The rows of `phase` (through the budget, the request, the convention's request), or all."""
        return Q(**{path: phase}) if phase is not None else Q()

    visible = access.scoped(user, Project)
    if projects is not None:
        visible = visible.filter(pk__in=projects.values("pk"))
    ids = visible.values("pk")
    result: dict[int, Money] = defaultdict(Money)
    lines = (
        access.scoped(user, BudgetLine)
        .filter(
            budget__project__in=ids,
            budget__version=BudgetVersion.PLANNED,
            side__in=[LineSide.EXPENSE, LineSide.IN_KIND],
        )
        .filter(of_phase("budget__phase"))
        .values("budget__project_id", "side")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    requests = (
        access.scoped(user, FundingRequest)
        .filter(project__in=ids)
        .filter(of_phase("phase"))
        .filter(Q(status__in=SECURED_STATUSES) | Q(status__in=PENDING_STATUSES))
        .values("project_id")
        .annotate(
            secured=Coalesce(
                Sum(secured_expression(), filter=Q(status__in=SECURED_STATUSES)), _zero(), output_field=MONEY
            ),
            requested=Coalesce(
                Sum("amount_requested", filter=Q(status__in=PENDING_STATUSES)), _zero(), output_field=MONEY
            ),
        )
        .order_by()
    )
    payments = (
        access.scoped(user, Payment)
        .filter(convention__project__in=ids)
        .filter(of_phase("convention__request__phase"))
        .values("convention__project_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # Échu non reçu: what fell due before today minus what the convention received (payments settle the
    # earliest instalments first), per convention, never below zero.
    overdue = (
        access.scoped(user, Convention)
        .filter(project__in=ids)
        .filter(of_phase("request__phase"))
        .annotate(
            fell_due=_sum_subquery(
                Instalment.objects.filter(convention=OuterRef("pk"), due_on__lt=today), "amount"
            ),
            got=_sum_subquery(Payment.objects.filter(convention=OuterRef("pk")), "amount"),
        )
        .filter(fell_due__gt=F("got"))
        .values("project_id", "fell_due", "got")
    )
    line_rows, request_rows, payment_rows, overdue_rows = yield (lines, requests, payments, overdue)
    for row in line_rows:
        money = result[row["budget__project_id"]]
        if row["side"] == LineSide.EXPENSE:
            money.need += row["total"]
        else:
            money.in_kind += row["total"]
    for request_row in request_rows:
        result[request_row["project_id"]].secured += request_row["secured"]
        result[request_row["project_id"]].requested += request_row["requested"]
    for payment_row in payment_rows:
        result[payment_row["convention__project_id"]].received += payment_row["total"]
    for overdue_row in overdue_rows:
        result[overdue_row["project_id"]].overdue += overdue_row["fell_due"] - overdue_row["got"]
    return dict(result)


def project_money(*, user: User, project_id: int, today: date | None = None) -> Money:
    """`Money` of one project (zeros when it has no money records)."""
    return money_by_project(user=user, projects=Project.objects.filter(pk=project_id), today=today).get(
        project_id, Money()
    )


# --- The project's funding page ---------------------------------------------------------------------


def _side_totals(lines: Iterable[BudgetLine]) -> dict[str, Decimal]:
    totals = dict.fromkeys(LineSide.values, ZERO)
    for line in lines:
        totals[line.side] += line.amount
    return totals


@dataclass
class BudgetView:
    """One version of one phase's budget, read for the page."""

    budget: Budget | None
    lines: list[BudgetLine] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, Decimal]:
        return _side_totals(self.lines)

    @property
    def expenses(self) -> Decimal:
        return self.totals[LineSide.EXPENSE]

    @property
    def resources(self) -> Decimal:
        return self.totals[LineSide.RESOURCE]

    @property
    def in_kind(self) -> Decimal:
        return self.totals[LineSide.IN_KIND]

    @property
    def gap(self) -> Decimal:
        """Resources − expenses: zero when balanced, negative when resources are missing."""
        return self.resources - self.expenses

    @property
    def balanced(self) -> bool:
        return self.gap == ZERO

    def by_side(self, side: str) -> list[BudgetLine]:
        return [line for line in self.lines if line.side == side]


def budget_variance(planned: list[BudgetLine], actual: list[BudgetLine]) -> list[dict[str, Any]]:
    """Réalisé − prévisionnel by side and nature (only the natures present in either version)."""
    labels = dict(LineNature.choices)
    sums: dict[tuple[str, str], list[Decimal]] = {}
    for index, lines in enumerate((planned, actual)):
        for line in lines:
            sums.setdefault((line.side, line.nature), [ZERO, ZERO])[index] += line.amount
    order = {value: i for i, value in enumerate(LineNature.values)}
    side_order = {value: i for i, value in enumerate(LineSide.values)}
    rows = []
    for (side, nature), (p, a) in sorted(
        sums.items(), key=lambda kv: (side_order[kv[0][0]], order[kv[0][1]])
    ):
        rows.append(
            {
                "side": side,
                "nature": nature,
                "label": labels[nature],
                "planned": p,
                "actual": a,
                "variance": a - p,
                "rate": (a - p) / p * 100 if p else None,
            }
        )
    return rows


def _instalment_state(amount: Decimal, received: Decimal, due_on: date, today: date) -> str:
    if received >= amount:
        return "received"
    if due_on < today:
        return "overdue"
    return "partial" if received > 0 else "upcoming"


INSTALMENT_STATES = {
    "received": "Reçue",
    "partial": "Partiellement reçue",
    "overdue": "En retard",
    "upcoming": "À venir",
}


def project_funding(*, user: User, project_id: int, today: date | None = None) -> dict[str, Any]:
    """Everything the project's funding page shows, in a fixed number of queries however many requests,
    conventions, instalments and payments the project has. A partner gets only what is shared (nothing when
    the project's money is not shared)."""
    today = today or timezone.localdate()
    settings = FundingSettings.objects.filter(project_id=project_id).first()
    lines = list(
        access.scoped(user, BudgetLine)
        .filter(budget__project_id=project_id)
        .select_related("budget", "request__funder")
    )
    by_budget: dict[tuple[str, str], BudgetView] = {}
    for budget in access.scoped(user, Budget).filter(project_id=project_id):
        by_budget[(budget.phase, budget.version)] = BudgetView(budget)
    for line in lines:
        by_budget[(line.budget.phase, line.budget.version)].lines.append(line)
    phase_labels = dict(Phase.choices)
    budgets = []
    for phase in Phase.values:
        planned = by_budget.get((phase, BudgetVersion.PLANNED))
        actual = by_budget.get((phase, BudgetVersion.ACTUAL))
        if planned is None and actual is None:
            continue
        budgets.append(
            {
                "phase": phase,
                "label": phase_labels[phase],
                "planned": planned or BudgetView(None),
                "actual": actual or BudgetView(None),
                "versions": [
                    (BudgetVersion.PLANNED.label, planned or BudgetView(None)),
                    (BudgetVersion.ACTUAL.label, actual or BudgetView(None)),
                ],
                "variance": budget_variance(planned.lines if planned else [], actual.lines if actual else [])
                if actual
                else [],
            }
        )

    requests = list(
        access.scoped(user, FundingRequest)
        .filter(project_id=project_id)
        .select_related("funder", "funder_programme", "convention", "contact")
        .prefetch_related("documents")
        .annotate(secured=secured_expression())
        .order_by("period_start", "id")
    )
    conventions = list(
        access.scoped(user, Convention)
        .filter(project_id=project_id)
        .select_related("request__funder")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.order_by("due_on", "id"),
            ),
            Prefetch(
                "payments",
                queryset=Payment.objects.order_by("received_on", "id"),
            ),
            Prefetch("justifications", queryset=Justification.objects.order_by("due_on", "id")),
        )
        .order_by("signed_on", "id")
    )

    # The plan, by phase and by funder.
    need_by_phase: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (phase, version), view in by_budget.items():
        if version == BudgetVersion.PLANNED:
            need_by_phase[phase] += view.expenses
    plan_phase: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"secured": ZERO, "requested": ZERO})
    funders: dict[int, dict[str, Any]] = {}
    kind_labels = dict(FunderKind.choices)
    for request in requests:
        row = funders.setdefault(
            request.funder_id,
            {
                "funder": request.funder.name,
                "kind": kind_labels.get(request.funder.funder_kind, ""),
                "secured": ZERO,
                "requested": ZERO,
                "refused": ZERO,
                "received": ZERO,
            },
        )
        if request.status in SECURED_STATUSES:
            plan_phase[request.phase]["secured"] += request.secured
            row["secured"] += request.secured
        elif request.status in PENDING_STATUSES:
            plan_phase[request.phase]["requested"] += request.amount_requested
            row["requested"] += request.amount_requested
        elif request.status == RequestStatus.REFUSED:
            row["refused"] += request.amount_requested
    by_phase = []
    for phase in ["", *Phase.values]:
        need = need_by_phase.get(phase, ZERO)
        sums = plan_phase.get(phase)
        if not need and sums is None:
            continue
        secured = sums["secured"] if sums else ZERO
        requested = sums["requested"] if sums else ZERO
        by_phase.append(
            {
                "phase": phase,
                "label": phase_labels.get(phase, "Tout le projet"),
                "need": need,
                "secured": secured,
                "requested": requested,
                "to_find": max(need - secured - requested, ZERO),
            }
        )

    # Conventions: schedule, payments, deadlines.
    total = Money(need=sum(need_by_phase.values(), ZERO))
    for request in requests:
        if request.status in SECURED_STATUSES:
            total.secured += request.secured
        elif request.status in PENDING_STATUSES:
            total.requested += request.amount_requested
    total.in_kind = sum(
        (v.in_kind for (p, ver), v in by_budget.items() if ver == BudgetVersion.PLANNED), ZERO
    )
    convention_rows = []
    for convention in conventions:
        instalments = list(convention.instalments.all())
        payments = list(convention.payments.all())
        received = sum((p.amount for p in payments), ZERO)
        scheduled = sum((i.amount for i in instalments), ZERO)
        total.received += received
        funders[convention.request.funder_id]["received"] += received
        rows = []
        for instalment, settled in zip(
            instalments, allocate([i.amount for i in instalments], received), strict=True
        ):
            state = _instalment_state(instalment.amount, settled, instalment.due_on, today)
            if state == "overdue":
                total.overdue += instalment.amount - settled
            rows.append({"instalment": instalment, "received": settled, "state": state})
        convention_rows.append(
            {
                "convention": convention,
                "funder": convention.request.funder.name,
                "received": received,
                "remaining": max(convention.amount_granted - received, ZERO),
                "scheduled": scheduled,
                "schedule_gap": convention.amount_granted - scheduled,
                "instalments": rows,
                "payments": payments,
                "justifications": [
                    {"justification": j, "late": j.is_late(today)} for j in convention.justifications.all()
                ],
            }
        )
    return {
        "shared": bool(settings and settings.shared_with_collective),
        "totals": total,
        "by_phase": by_phase,
        "by_funder": sorted(funders.values(), key=lambda r: (-r["secured"], r["funder"])),
        "budgets": budgets,
        "requests": requests,
        "conventions": convention_rows,
        "late_justifications": sum(1 for c in convention_rows for j in c["justifications"] if j["late"]),
        "today": today,
    }


def schedule_gap(convention: Convention) -> Decimal:
    """Granted − scheduled: what the instalment schedule still misses (negative: too much scheduled)."""
    scheduled: Decimal = convention.instalments.aggregate(s=Sum("amount"))["s"] or ZERO
    return Decimal(convention.amount_granted) - scheduled


def open_justifications(*, user: User, until: date | None = None) -> QuerySet[Justification]:
    """Justifications still to hand in (optionally due by `until`), for deadlines panels and digests."""
    return unpaid_justifications(access.scoped(user, Justification), until=until)


def unpaid_justifications(
    justifications: QuerySet[Justification], *, until: date | None = None
) -> QuerySet[Justification]:
    """The one definition of an open justification, over `justifications` (already scoped by the caller:
    `open_justifications` for a person, the daily digest scan for the staff leads it writes to)."""
    qs = justifications.filter(status=JustificationStatus.DUE).select_related(
        "convention__project", "convention__request__funder"
    )
    return qs.filter(due_on__lte=until) if until else qs


def open_instalments(*, user: User, until: date | None = None) -> QuerySet[Instalment]:
    """Instalments not fully received (optionally due by `until`), payments settling the earliest first;
    annotated with `outstanding` (what is still to receive on it) and `scheduled_to_date` / `received_total`."""
    return unpaid_instalments(access.scoped(user, Instalment), until=until)


def unpaid_instalments(
    instalments: QuerySet[Instalment], *, until: date | None = None
) -> QuerySet[Instalment]:
    """The one definition of an open instalment, over `instalments` (already scoped by the caller)."""
    earlier_or_same = Instalment.objects.filter(convention=OuterRef("convention")).filter(
        Q(due_on__lt=OuterRef("due_on")) | Q(due_on=OuterRef("due_on"), id__lte=OuterRef("id"))
    )
    qs = (
        instalments.annotate(
            scheduled_to_date=_sum_subquery(earlier_or_same, "amount"),
            received_total=_sum_subquery(Payment.objects.filter(convention=OuterRef("convention")), "amount"),
        )
        .filter(scheduled_to_date__gt=F("received_total"))
        .annotate(
            outstanding=Least(F("amount"), F("scheduled_to_date") - F("received_total"), output_field=MONEY)
        )
        .select_related("convention__project", "convention__request__funder")
    )
    return qs.filter(due_on__lte=until) if until else qs


def money_title(kind: str, reference: str, funder: str, *, outstanding: Decimal | None = None) -> str:
    """How an open justification (`outstanding` None) or instalment reads in a list of deadlines (the
    deadlines page, the digest): `kind` is the kind's label."""
    if outstanding is None:
        return _("%(kind)s — convention %(reference)s (%(funder)s)") % {
            "kind": kind,
            "reference": reference,
            "funder": funder,
        }
    return _("%(kind)s de %(amount)s — convention %(reference)s (%(funder)s)") % {
        "kind": kind,
        "amount": fr_amount(outstanding),
        "reference": reference,
        "funder": funder,
    }


def justification_title(justification: Justification) -> str:
    """How a justification reads in a list of deadlines (`money_title`)."""
    convention = justification.convention
    return money_title(justification.get_kind_display(), convention.reference, convention.request.funder.name)


def instalment_title(instalment: Instalment) -> str:
    """How an open instalment (from `unpaid_instalments`) reads in a list of deadlines (`money_title`)."""
    convention = instalment.convention
    return money_title(
        instalment.get_kind_display(),
        convention.reference,
        convention.request.funder.name,
        outstanding=instalment.outstanding,  # type: ignore[attr-defined]
    )

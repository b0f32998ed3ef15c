"""Programme figures computed from the data — never typed in.

Pure read functions taking the acting user and a `Filters` value, returning plain dicts and lists (no
model instances), so the dashboard, the exports and the PDF reports share them. Every function scopes
its projects through `programme.access.scoped(user, Project)`.

Each selector runs a small, constant number of queries whatever the volume: indicator figures read the
yearly roll-up table (`MeasurementRollup`) kept in step by the services, never the measurements.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import EvaluationQuestion
from programme import access
from programme.batch import Plan, Rows, gather, planned, rows_of, run_batched
from programme.formatting import fr_date
from programme.models import Family, FunderKind, Programme, User
from projects.funding.models import (
    PENDING_STATUSES,
    SECURED_STATUSES,
    ZERO,
    Convention,
    FundingRequest,
    InstalmentKind,
    JustificationKind,
    Payment,
)
from projects.funding.selectors import (
    MONEY,
    Money,
    money_by_project,
    open_instalments,
    open_justifications,
    secured_expression,
)
from projects.models import (
    Attendance,
    GateDecision,
    Membership,
    Outcome,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)
from prospects.events.models import EventKind, Registration, RegistrationStatus
from prospects.selectors import funnel_figures

from . import charts
from .charts import PHASE_COLOURS
from .figures import (
    FIGURES,
    FLOW,
    RATE,
    STOCK,
    History,
    Measured,
    Point,
    Totals,
    combine,
    indicator_figure,
    nature_of,
    percentage,
    rounded,
    target_for_period,
)
from .models import (
    ASSESSED_PHASES,
    Dimension,
    IndicatorSummary,
    IndicatorTarget,
    IndicatorType,
    MaturityAssessment,
    MaturityMoment,
    MaturityScore,
    Measurement,
    MeasurementRollup,
    MeasurementStatus,
    Moment,
    Periodicity,
    ProjectIndicator,
    maturity_moments,
)

UPCOMING_DAYS = 90
#: Late decisions and upcoming gates listed by `programme_figures` (the dashboard's tables; each is
#: counted whole, and exported whole by `late_decisions` / `upcoming_gates`).
SHOWN_DECISIONS = 20

#: A row of figures, as the dashboard tables, the exports and the templates read it.
Row = dict[str, Any]


@dataclass(frozen=True)
class Filters:
    """What the dashboard (or a report) looks at. Plain ids so it can travel in a task or a URL.

    The period is a calendar `year` (the dashboard) or `start`–`end` (a report); every figure of a
    period uses only the data dated in it, and "today" is never silently substituted for its end."""

    programme_id: int | None = None
    cohort_id: int | None = None
    territory_id: int | None = None
    theme_id: int | None = None
    year: int | None = None
    today: date | None = None
    start: date | None = None
    end: date | None = None

    @property
    def as_of(self) -> date:
        return self.today or timezone.localdate()

    def period(self) -> tuple[date, date] | None:
        if self.start and self.end:
            return (self.start, self.end)
        return (date(self.year, 1, 1), date(self.year, 12, 31)) if self.year else None

    @property
    def period_end(self) -> date | None:
        """The last day the figures look at: the period's end, None when they look at every date."""
        period = self.period()
        return period[1] if period else None

    def with_today(self, today: date) -> "Filters":
        return replace(self, today=today)


def period_text(filters: Filters) -> str:
    """What the page says of its data: « Données du 1er janv. 2026 au 31 mars 2026 »."""
    period = filters.period()
    if period is None:
        return _("Données depuis le début, au %(today)s") % {"today": fr_date(filters.as_of)}
    return _("Données du %(start)s au %(end)s") % {"start": fr_date(period[0]), "end": fr_date(period[1])}


def default_programme() -> Programme | None:
    """The programme a page is about when none is given: the active one (programmes are not scoped)."""
    return Programme.objects.order_by("-is_active", "name").first()


def scoped_projects(*, user: User, filters: Filters) -> QuerySet[Project]:
    """The projects the figures are about: what the user may see, narrowed by the filters."""
    projects = access.scoped(user, Project)
    if filters.programme_id:
        projects = projects.filter(programme_id=filters.programme_id)
    if filters.cohort_id:
        projects = projects.filter(cohort_id=filters.cohort_id)
    if filters.territory_id:
        projects = projects.filter(territory_id=filters.territory_id)
    if filters.theme_id:
        projects = projects.filter(themes=filters.theme_id)
    if end := filters.period_end:
        # Projects started by the end of the period (or whose start is not recorded).
        projects = projects.filter(Q(start_date__isnull=True) | Q(start_date__lte=end))
    return projects


def _project_ids(*, user: User, filters: Filters) -> QuerySet[Project, Mapping[str, Any]]:
    return scoped_projects(user=user, filters=filters).values("pk")


# --- Funnel ------------------------------------------------------------------------------------------------


#: The keys of prospects.selectors.funnel_figures, in funnel order, and their figure in FIGURES.
FUNNEL_STEPS = ("identified", "contacted", "interviewed", "prequalified", "candidates", "retained")
FUNNEL_FIGURES = {
    "identified": "prospects_identified",
    "contacted": "prospects_contacted",
    "interviewed": "interviews",
    "prequalified": "prequalified",
    "candidates": "candidates",
    "retained": "retained",
}


def funnel(*, user: User, filters: Filters) -> dict[str, Any]:
    """The prospects app's cumulative funnel: a prospect counts in every step it reached.

    Returns {"available": bool, "steps": [{"key", "label", "meaning", "value"}], "by_source": {...},
    "by_audience": {...}}. The steps follow every filter: programme, cohort, territory, theme and period
    (the date the prospect was identified). Projects are not a step: a project may gather several
    retained prospects, or none (see the figure "projects")."""
    steps: list[Row] = []
    figures: Mapping[str, Any] = {}
    available = False
    # The ids go straight into the funnel's one query: the dashboard and the reports have already
    # checked the programme and that the promotion is one of its own.
    if filters.programme_id and access.is_team(user):
        figures = funnel_figures(
            user=user,
            programme=filters.programme_id,
            cohort=filters.cohort_id,
            territory_id=filters.territory_id,
            theme_id=filters.theme_id,
            period=filters.period(),
        )
        available = True
        for key in FUNNEL_STEPS:
            defined = FIGURES[FUNNEL_FIGURES[key]]
            steps.append(
                {
                    "key": key,
                    "label": str(defined.label),
                    "meaning": str(defined.meaning),
                    "value": int(figures.get(key) or 0),
                }
            )
    return {
        "available": available,
        "steps": steps,
        "by_source": figures.get("by_source", {}),
        "by_audience": figures.get("by_audience", {}),
    }


# --- Projects, gates -----------------------------------------------------------------------------------


def _phase_at_end(*, user: User, filters: Filters) -> tuple[QuerySet[Project], str]:
    """The projects in scope and the name of the field holding their phase at the end of the period:
    the arrival phase of their last gate decision by then (Sélection before any), or their current
    phase when the period reaches today."""
    projects = scoped_projects(user=user, filters=filters)
    end = filters.period_end
    if end is None or end >= filters.as_of:
        return projects, "phase"
    last = (
        GateDecision.objects.filter(project=OuterRef("pk"), decided_on__lte=end)
        .order_by("-decided_on", "-pk")
        .values("to_phase")[:1]
    )
    return projects.annotate(phase_then=Coalesce(Subquery(last), Value(Phase.SELECTION.value))), "phase_then"


def project_phases(*, user: User, filters: Filters) -> dict[int, str]:
    """{project id: its phase at the end of the period} (see `projects_by_phase`)."""
    projects, field = _phase_at_end(user=user, filters=filters)
    return dict(projects.order_by().values_list("pk", field))


@planned
def projects_by_phase(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Phase of the projects in scope at the end of the period (the arrival phase of their last gate
    decision by then, Sélection before any), their current phase when the period reaches today."""
    projects, field = _phase_at_end(user=user, filters=filters)
    (rows,) = yield (projects.order_by().values_list(field).annotate(n=Count("pk")),)
    counts = dict(rows)
    return [
        {
            "phase": phase.value,
            "label": str(phase.label),
            "count": counts.get(phase.value, 0),
            "colour": PHASE_COLOURS[phase],
        }
        for phase in Phase
    ]


@planned
def gate_outcomes(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Gate decisions per outcome (poursuite / arrêt / prolongation), within the period if one is set."""
    decisions = GateDecision.objects.filter(project__in=_project_ids(user=user, filters=filters))
    if period := filters.period():
        decisions = decisions.filter(decided_on__range=period)
    (rows,) = yield (decisions.order_by().values_list("outcome").annotate(n=Count("pk")),)
    counts = dict(rows)
    return [{"outcome": o.value, "label": str(o.label), "count": counts.get(o.value, 0)} for o in Outcome]


def _open_periods(*, user: User, filters: Filters) -> QuerySet[PhasePeriod]:
    return PhasePeriod.objects.filter(
        project__in=_project_ids(user=user, filters=filters),
        actual_end__isnull=True,
        planned_end__isnull=False,
    ).exclude(project__phase__in=[Phase.STOPPED, Phase.COMPLETED])


@planned
def gate_dates(
    *, user: User, filters: Filters, days: int = UPCOMING_DAYS, limit: int | None = None
) -> Plan[dict[str, Any]]:
    """Late decisions and upcoming gates, in one query of plain values: the open phases (no gate
    decision yet) whose planned end is past (`late`: {project_id, project, phase, phase_label,
    planned_end, days late}) or falls within the coming `days` days (`upcoming`, `days` to go), earliest
    first; `late_count` and `upcoming_count` count them all while, with a `limit`, each list keeps only
    its first `limit` rows (what a page shows)."""
    today = filters.as_of
    overdue = Case(When(planned_end__lt=today, then=Value(1)), default=Value(0))
    periods = (
        _open_periods(user=user, filters=filters)
        .filter(planned_end__lte=today + timedelta(days=days))
        .annotate(
            overdue=overdue,
            total=Window(Count("pk"), partition_by=[overdue]),
            rank=Window(
                RowNumber(), partition_by=[overdue], order_by=[F("planned_end").asc(), F("pk").asc()]
            ),
        )
    )
    if limit is not None:
        periods = periods.filter(rank__lte=limit)
    labels = dict(Phase.choices)
    result: dict[str, Any] = {"late": [], "late_count": 0, "upcoming": [], "upcoming_count": 0}
    (rows,) = yield (
        periods.order_by().values(
            "pk", "project_id", "project__title", "phase", "planned_end", "overdue", "total"
        ),
    )
    for row in sorted(rows, key=lambda r: (r["planned_end"], r["pk"])):
        key = "late" if row["overdue"] else "upcoming"
        planned_end = row["planned_end"]
        assert planned_end is not None  # _open_periods keeps only the periods with a planned end
        result[f"{key}_count"] = row["total"]
        result[key].append(
            {
                "project_id": row["project_id"],
                "project": row["project__title"],
                "phase": row["phase"],
                "phase_label": str(labels.get(row["phase"], row["phase"])),
                "planned_end": planned_end,
                "days": abs((planned_end - today).days),
            }
        )
    return result


def late_decisions(*, user: User, filters: Filters) -> list[Row]:
    """Open phases past their planned end with no gate decision: {project, phase, planned_end, days late}."""
    return list(gate_dates(user=user, filters=filters)["late"])


def upcoming_gates(*, user: User, filters: Filters, days: int = UPCOMING_DAYS) -> list[Row]:
    """Open phases whose planned end (the next gate) falls within the coming `days` days."""
    return list(gate_dates(user=user, filters=filters, days=days)["upcoming"])


# --- Indicators ------------------------------------------------------------------------------------------


@planned
def histories(
    *, project_ids: Any = None, pi_ids: Any = None, start: date | None, end: date | None
) -> Plan[dict[int, History]]:
    """What the validated measurements say of each project indicator for the period, in at most two
    queries whatever their number: whole years from the yearly roll-up, and the measurements of a year
    the period cuts in two (a report from January to March) read directly."""
    edges = set()
    if start is not None and start != date(start.year, 1, 1):
        edges.add(start.year)
    if end is not None and end != date(end.year, 12, 31):
        edges.add(end.year)
    period: dict[int, Totals] = defaultdict(Totals)
    to_date: dict[int, Totals] = defaultdict(Totals)
    latest: dict[int, Point] = {}

    def keep_latest(pi_id: int, point: Point) -> None:
        if pi_id not in latest or point.period_end > latest[pi_id].period_end:
            latest[pi_id] = point

    rollups = MeasurementRollup.objects.exclude(year__in=edges)
    # The cut years as date ranges, not `period_end__year__in`: a year extracted from every row cannot use
    # the (project indicator, status, period end) index — on SQLite it called a Python function for each
    # measurement of the database, 1.5 s per report at a tenth of the benchmark's size.
    in_edges = Q(pk__in=[])
    for year in edges:
        in_edges |= Q(period_end__range=(date(year, 1, 1), date(year, 12, 31)))
    measurements = Measurement.objects.filter(in_edges, status=MeasurementStatus.VALIDATED)
    if project_ids is not None:
        rollups = rollups.filter(project__in=project_ids)
        measurements = measurements.filter(project_indicator__project__in=project_ids)
    if pi_ids is not None:
        rollups = rollups.filter(project_indicator__in=pi_ids)
        measurements = measurements.filter(project_indicator__in=pi_ids)
    if end is not None:
        rollups = rollups.filter(year__lte=end.year)
        measurements = measurements.filter(period_end__lte=end)
    rollup_values = rollups.order_by().values(
        "project_indicator_id",
        "year",
        "count",
        "value_sum",
        "value_count",
        "numerator_sum",
        "denominator_sum",
        "latest_period_end",
        "latest_value",
        "latest_numerator",
        "latest_denominator",
    )
    # The measurements only of the years the period cuts in two (none for whole years).
    cut: Rows = []
    if edges:
        rollup_rows, cut = yield (
            rollup_values,
            measurements.order_by().values_list(
                "project_indicator_id", "period_end", "value", "numerator", "denominator"
            ),
        )
    else:
        (rollup_rows,) = yield (rollup_values,)
    for row in rollup_rows:
        pi_id = row["project_indicator_id"]
        totals = Totals(
            row["count"], row["value_sum"], row["value_count"], row["numerator_sum"], row["denominator_sum"]
        )
        to_date[pi_id] += totals
        if start is None or row["year"] >= start.year:
            period[pi_id] += totals
        if row["latest_period_end"] is not None:
            keep_latest(
                pi_id,
                Point(
                    row["latest_period_end"],
                    row["latest_value"],
                    row["latest_numerator"],
                    row["latest_denominator"],
                ),
            )
    for pi_id, period_end, value, numerator, denominator in cut:
        point = Point(period_end, value, numerator, denominator)
        totals = Totals.of([point])
        to_date[pi_id] += totals
        if start is None or period_end >= start:
            period[pi_id] += totals
        keep_latest(pi_id, point)
    return {
        pi_id: History(period.get(pi_id, Totals()), to_date[pi_id], latest.get(pi_id)) for pi_id in to_date
    }


@planned
def indicator_progress(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Each indicator followed in scope, for the period: the programme's value, what is compared with
    the target, baseline, target and progress, combined across projects by `figures.combine` with the
    rules of `figures.indicator_figure` (flows added, stocks' last values, rates pooled).

    With a period, a project's target is its intermediate target due at or after the end of the
    period, else its final target. Three queries at most (protocol, roll-up, the measurements of a year
    the period cuts)."""
    project_ids = _project_ids(user=user, filters=filters)
    period = filters.period()
    start, end = period if period else (None, None)
    protocol = ProjectIndicator.objects.filter(project__in=project_ids).exclude(
        indicator__type=IndicatorType.TEXT
    )
    target = "target_value"
    if end is not None:
        due = (
            IndicatorTarget.objects.filter(project_indicator=OuterRef("pk"), period_end__gte=end)
            .order_by("period_end")
            .values("value")[:1]
        )
        protocol = protocol.annotate(period_target=Coalesce(Subquery(due), "target_value"))
        target = "period_target"
    # Numbered in the table's order (indicator name, then id) by the database's own collation.
    order = [F("indicator__name").asc(), F("indicator_id").asc(), F("pk").asc()]
    protocol_rows, known = yield from gather(
        rows_of(
            protocol.annotate(seq=Window(RowNumber(), order_by=order))
            .order_by()
            .values(
                "seq",
                "pk",
                "indicator",
                "indicator__code",
                "indicator__name",
                "indicator__description",
                "indicator__unit",
                "indicator__unit_singular",
                "indicator__type",
                "indicator__aggregation",
                "indicator__direction",
                "baseline_value",
                "target_kind",
                target,
            )
        ),
        histories.plan(project_ids=project_ids, start=start, end=end),
    )
    by_indicator: dict[int, list[Row]] = {}
    for row in sorted(protocol_rows, key=lambda r: r["seq"]):
        by_indicator.setdefault(row["indicator"], []).append(row)
    result: list[Row] = []
    for items in by_indicator.values():
        first = items[0]
        kind, aggregation = first["indicator__type"], first["indicator__aggregation"]
        combined, why = combine(
            [
                Measured(known.get(r["pk"], History()), r["baseline_value"], r[target], r["target_kind"])
                for r in items
            ],
            aggregation=aggregation,
            kind=kind,
        )
        figure = indicator_figure(
            combined.history,
            aggregation=aggregation,
            kind=kind,
            target_kind=combined.target_kind,
            baseline=combined.baseline,
            target=combined.target,
        )
        nature = nature_of(aggregation=aggregation, kind=kind)
        reporting = [r for r in items if r["pk"] in known and known[r["pk"]].period.count]
        result.append(
            {
                "indicator_id": first["indicator"],
                "code": first["indicator__code"],
                "name": first["indicator__name"],
                "definition": first["indicator__description"],
                "unit": first["indicator__unit"],
                "unit_one": first["indicator__unit_singular"],
                "type": kind,
                "aggregation": aggregation,
                "nature": nature,
                "nature_label": str(NATURE_LABELS[nature]),
                "direction": first["indicator__direction"],
                "projects": len(items),
                "reporting": len(reporting),
                "measurements": combined.history.period.count,
                "value": figure.value,
                "compared": figure.compared,
                "compared_label": figure.compared_label,
                "baseline": combined.baseline,
                "target": combined.target,
                "target_kind": combined.target_kind if combined.target is not None else "",
                "progress": figure.progress,
                "progress_note": why or figure.progress_note,
                "change": figure.change,
                "change_note": figure.change_note,
            }
        )
    return result


#: The French-facing name of each nature (the indicator form shows the same words).
NATURE_LABELS = {FLOW: gettext_lazy("flux"), STOCK: gettext_lazy("stock"), RATE: gettext_lazy("taux")}


# --- Money (projects.funding) ------------------------------------------------------------------------------

#: The months of the cash forecast, from the current month on.
FORECAST_MONTHS = 12
ZERO_MONEY = Value(ZERO, output_field=MONEY)


def _month_label(day: date) -> str:
    return fr_date(day, "month")


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _late_values(rows: QuerySet[Any], *extra: str) -> QuerySet[Any, dict[str, Any]]:
    """Instalments or justifications past their date, as plain values (thousands of rows at the scale of
    a large programme: no model instances); `_late_rows` reads them."""
    fields = ("convention__project_id", "convention__project__title", "convention__request__funder__name")
    return rows.order_by().values("pk", *fields, "convention__reference", "kind", "due_on", *extra)


def _late_rows(rows: Rows, kinds: Any, today: date, *extra: str) -> list[Row]:
    """The rows of `_late_values`, earliest first: project, funder, convention, kind label, date, days
    late."""
    labels = {value: str(label) for value, label in kinds}
    return [
        {
            "project_id": row["convention__project_id"],
            "project": row["convention__project__title"],
            "funder": row["convention__request__funder__name"],
            "reference": row["convention__reference"],
            "kind": labels[row["kind"]],
            "due_on": row["due_on"],
            **{name: row[name] for name in extra},
            "days": (today - row["due_on"]).days,
        }
        for row in sorted(rows, key=lambda r: (r["due_on"], r["pk"]))
    ]


@planned
def funding(*, user: User, filters: Filters) -> Plan[dict[str, Any]]:
    """The programme's money, for the dashboard's funding block and the reports.

    {"granted", "received", "remaining", "secured", "need", "requested", "cofunding_rate", "overdue",
    "by_kind": [{"kind", "label", "requested", "granted", "received", "secured", "remaining"}],
    "forecast": [{"month", "label", "short", "due", "instalments"}],
    "overdue_instalments": [{"project_id", "project", "funder", "kind", "reference", "instalment", "due_on",
    "amount", "received", "outstanding", "days"}],
    "late_justifications": [{"project_id", "project", "funder", "reference", "kind", "due_on", "days"}]}.

    `granted` (conventions signed) and `received` (payments) are those dated in the period; the rest is as
    of today whatever the period (what is still to come cannot be read at a past date): the project's
    figures of `projects.funding.selectors` (one definition: `money_by_project`) added up over the
    projects in scope. A fixed number of queries, whatever the number of conventions."""
    today = filters.as_of
    projects = scoped_projects(user=user, filters=filters)
    ids = projects.values("pk")
    period = filters.period()
    signed = Q(signed_on__range=period) if period else Q()
    signed_values = (
        access.scoped(user, Convention)
        .filter(signed, project__in=ids)
        .values("request__funder__funder_kind")
        .annotate(total=Sum("amount_granted"))
        .order_by()
    )
    in_period = Q(received_on__range=period) if period else Q()
    paid_values = (
        access.scoped(user, Payment)
        .filter(convention__project__in=ids)
        .values("convention__request__funder__funder_kind")
        .annotate(
            period=Coalesce(Sum("amount", filter=in_period), ZERO_MONEY, output_field=MONEY),
            total=Sum("amount"),
        )
        .order_by()
    )
    asked_values = (
        access.scoped(user, FundingRequest)
        .filter(project__in=ids)
        .values("funder__funder_kind")
        .annotate(
            secured=Coalesce(
                Sum(secured_expression(), filter=Q(status__in=SECURED_STATUSES)),
                ZERO_MONEY,
                output_field=MONEY,
            ),
            requested=Coalesce(
                Sum("amount_requested", filter=Q(status__in=PENDING_STATUSES)), ZERO_MONEY, output_field=MONEY
            ),
        )
        .order_by()
    )
    first = date(today.year, today.month, 1)
    months = [_add_months(first, n) for n in range(FORECAST_MONTHS)]
    # What is still to receive of the instalments due from today to the end of the 12th month (payments
    # settle the earliest instalments first; what is already late is in the overdue list, not here).
    due_values = (
        open_instalments(user=user)
        .filter(
            convention__project__in=ids,
            due_on__gte=today,
            due_on__lt=_add_months(first, FORECAST_MONTHS),
        )
        .annotate(month=TruncMonth("due_on"))
        .values("month")
        .annotate(total=Sum("outstanding"), n=Count("pk"))
        .order_by()
    )
    yesterday = today - timedelta(days=1)
    # Today's figures per project (need, secured, requested, received, overdue, in kind: 4 queries of
    # money_by_project) and the 6 grouped or listed reads above and below, in one round.
    money_rows, signed_rows, paid_rows, asked_rows, due_rows, overdue_rows, late_rows = yield from gather(
        money_by_project.plan(user=user, projects=projects, today=today),
        rows_of(signed_values),
        rows_of(paid_values),
        rows_of(asked_values),
        rows_of(due_values),
        rows_of(
            _late_values(
                open_instalments(user=user, until=yesterday).filter(convention__project__in=ids),
                "amount",
                "outstanding",
            )
        ),
        rows_of(
            _late_values(open_justifications(user=user, until=yesterday).filter(convention__project__in=ids))
        ),
    )
    per_project = money_rows.values()
    money = sum(per_project, Money())
    remaining = sum((m.remaining for m in per_project), ZERO)
    by_kind: dict[str, Row] = {
        k: {
            "kind": k,
            "label": str(label),
            "requested": ZERO,
            "granted": ZERO,
            "received": ZERO,
            "secured": ZERO,
            "paid": ZERO,
        }
        for k, label in [*FunderKind.choices, ("", _("Type de financeur non renseigné"))]
    }
    for signed_row in signed_rows:
        by_kind[signed_row["request__funder__funder_kind"] or ""]["granted"] += signed_row["total"]
    for paid_row in paid_rows:
        line = by_kind[paid_row["convention__request__funder__funder_kind"] or ""]
        line["received"] += paid_row["period"]
        line["paid"] += paid_row["total"]
    for asked_row in asked_rows:
        line = by_kind[asked_row["funder__funder_kind"] or ""]
        line["secured"] += asked_row["secured"]
        line["requested"] += asked_row["requested"]
    kind_rows = []
    for line in by_kind.values():
        line["remaining"] = max(line["secured"] - line.pop("paid"), ZERO)
        # Every type of funder is listed (a zero says something too); "not given" only when it has money.
        if line["kind"] or any(line[k] for k in ("requested", "granted", "received", "secured")):
            kind_rows.append(line)
    due: dict[date, Row] = {month_row["month"]: dict(month_row) for month_row in due_rows}
    forecast = []
    for month in months:
        total = due.get(month, {})
        forecast.append(
            {
                "month": month,
                "label": _month_label(month),
                "short": fr_date(month, "axis"),  # the chart's axis: « déc. 26 »
                "due": total.get("total") or ZERO,
                "instalments": total.get("n", 0),
            }
        )
    overdue = _late_rows(overdue_rows, InstalmentKind.choices, today, "amount", "outstanding")
    for row in overdue:
        row["instalment"] = row.pop("kind")
        row["received"] = row["amount"] - row["outstanding"]
    late = _late_rows(late_rows, JustificationKind.choices, today)
    return {
        "granted": sum((r["granted"] for r in kind_rows), ZERO),
        "received": sum((r["received"] for r in kind_rows), ZERO),
        "remaining": remaining,
        "secured": money.secured,
        "requested": money.requested,
        "need": money.need,
        "in_kind": money.in_kind,
        "cofunding_rate": percentage(money.secured, money.need),
        "overdue": sum((r["outstanding"] for r in overdue), ZERO),
        "by_kind": kind_rows,
        "forecast": forecast,
        "overdue_instalments": overdue,
        "late_justifications": late,
    }


# --- Cooperative maturity --------------------------------------------------------------------------------


@planned
def maturity_evolution(*, user: User, filters: Filters) -> Plan[dict[str, Any]]:
    """Mean score per phase and dimension at the start and the end of the phase, over the assessments
    made in the period.

    {"by_phase": [{"phase", "phase_label", "dimension", "label", "start", "end", "delta", "projects",
    "paired"}]}: `start` and `end` are means over the projects assessed at that moment (1 to 4);
    `delta` is the mean evolution of the `paired` projects assessed at both moments (None if none), so
    it never compares two different sets of collectives."""
    scores = MaturityScore.objects.filter(assessment__project__in=_project_ids(user=user, filters=filters))
    if period := filters.period():
        scores = scores.filter(assessment__assessed_on__range=period)
    table: dict[tuple[str, str], dict[str, dict[int, int]]] = defaultdict(lambda: {"start": {}, "end": {}})
    (scored,) = yield (
        scores.order_by().values_list(
            "assessment__project_id", "assessment__phase", "assessment__moment", "dimension", "score"
        ),
    )
    for project_id, phase, moment, dimension, score in scored:
        table[(phase, dimension)][moment][project_id] = score
    phase_order = {p.value: i for i, p in enumerate(Phase)}
    dim_order = {d.value: i for i, d in enumerate(Dimension)}

    def _mean(values: list[int]) -> Decimal | None:
        return rounded(Decimal(sum(values)) / len(values)) if values else None

    rows: list[Row] = []
    for (phase, dim), moments in sorted(
        table.items(), key=lambda i: (phase_order.get(i[0][0], 99), dim_order[i[0][1]])
    ):
        starts, ends = moments[Moment.START], moments[Moment.END]
        paired = [p for p in starts if p in ends]
        rows.append(
            {
                "phase": phase,
                "phase_label": str(Phase(phase).label),
                "dimension": dim,
                "label": str(Dimension(dim).label),
                "start": _mean(list(starts.values())),
                "end": _mean(list(ends.values())),
                "delta": _mean([ends[p] - starts[p] for p in paired]),
                "projects": len(set(starts) | set(ends)),
                "paired": len(paired),
            }
        )
    return {"by_phase": rows}


def indicator_summary(
    pi: ProjectIndicator,
    today: date,
    *,
    measurements: "Iterable[Any] | None" = None,
    targets: "Iterable[tuple[date, Decimal]] | None" = None,
) -> IndicatorSummary:
    """Value so far (validated measurements up to today), progress towards the target due now and
    towards the final target, change from the baseline — by the rules of `figures.indicator_figure`.

    `pi` is a ProjectIndicator with `indicator` loaded, and `targets` and `measurements` unless they are
    given: `measurements`, rows with `period_end`, `value`, `numerator`, `denominator` and `status` (a page
    that reads them as tuples of its own); `targets`, the intermediate targets as (period end, value)."""
    sent = list(pi.measurements.all() if measurements is None else measurements)
    if targets is None:
        targets = [(t.period_end, t.value) for t in pi.targets.all()]
    points = [
        Point(m.period_end, m.value, m.numerator, m.denominator)
        for m in sent
        if m.status == MeasurementStatus.VALIDATED
    ]
    indicator = pi.indicator
    history = History.of(points if indicator.is_numeric else [], start=None, end=today)
    target = target_for_period(period_end=today, intermediate=list(targets), final=pi.target_value)
    rules = {"aggregation": indicator.aggregation, "kind": indicator.type, "target_kind": pi.target_kind}
    now = indicator_figure(history, baseline=pi.baseline_value, target=target, **rules)
    final = indicator_figure(history, baseline=pi.baseline_value, target=pi.target_value, **rules)
    return {
        "value": now.value,
        "compared": now.compared,
        "compared_label": now.compared_label,
        "target_now": target,
        "progress": now.progress,
        "progress_note": now.progress_note,
        "progress_final": final.progress,
        "progress_final_note": final.progress_note,
        "change": now.change,
        "change_note": now.change_note,
        "pending": sum(1 for m in sent if m.status == MeasurementStatus.SUBMITTED),
        "last": max((m.period_end for m in sent), default=None),
    }


def with_summaries(queryset: QuerySet[ProjectIndicator], today: date) -> list[ProjectIndicator]:
    """The project indicators of `queryset`, each with `.summary` (`indicator_summary`), and what it reads
    loaded with them: three queries whatever their number."""
    indicators = list(
        queryset.select_related("indicator").prefetch_related(
            "targets",
            Prefetch(
                "measurements",
                queryset=Measurement.objects.only(
                    "pk", "project_indicator_id", "period_end", "value", "numerator", "denominator", "status"
                ),
            ),
        )
    )
    for pi in indicators:
        pi.summary = indicator_summary(pi, today)
    return indicators


def project_indicators_with_summary(*, user: User, project: Project, today: date) -> list[ProjectIndicator]:
    """A project's indicators (three queries whatever their number), each with `.summary`."""
    return with_summaries(
        access.scoped(user, ProjectIndicator)
        .filter(project=project)
        .select_related("criterion", "reporter_organisation")
        .order_by("indicator__name"),
        today,
    )


def project_maturity(*, user: User, project_id: int, until: date | None = None) -> list[Row]:
    """One project's assessments (made by `until` when given): per phase, per dimension, start score,
    end score and evolution."""
    assessed = MaturityScore.objects.filter(
        assessment__project__in=access.scoped(user, Project).filter(pk=project_id).values("pk")
    )
    if until is not None:
        assessed = assessed.filter(assessment__assessed_on__lte=until)
    scores = assessed.order_by().values_list("assessment__phase", "assessment__moment", "dimension", "score")
    table: dict[tuple[str, str], Row] = {}
    for phase, moment, dim, score in scores:
        table.setdefault((phase, dim), {"start": None, "end": None})[moment] = score
    phase_order = {p.value: i for i, p in enumerate(Phase)}
    dim_order = {d.value: i for i, d in enumerate(Dimension)}
    return [
        {
            "phase": phase,
            "phase_label": str(Phase(phase).label),
            "dimension": dim,
            "label": str(Dimension(dim).label),
            "start": v["start"],
            "end": v["end"],
            "delta": None if v["start"] is None or v["end"] is None else v["end"] - v["start"],
        }
        for (phase, dim), v in sorted(table.items(), key=lambda i: (phase_order[i[0][0]], dim_order[i[0][1]]))
    ]


# --- Workshops, people and organisations mobilised --------------------------------------------------------


def _quarter_label(moment: date) -> str:
    # « T1 2026 » in French, « Q1 2026 » in English.
    return _("T%(quarter)s %(year)s") % {"quarter": (moment.month - 1) // 3 + 1, "year": moment.year}


@planned
def activity_over_time(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Per quarter: workshops held, attendances (people present, counted per workshop) and distinct people.

    Only workshops that took place (start before now) count."""
    now = timezone.now()
    workshops = Workshop.objects.filter(
        project__in=_project_ids(user=user, filters=filters), starts_at__lte=now
    )
    if period := filters.period():
        workshops = workshops.filter(starts_at__date__range=period)
    # One query: the workshops with their attendances joined, grouped by quarter (a workshop without
    # attendance still counts as held; its joined row has no person).
    present = Q(attendances__present=True)
    (rows,) = yield (
        workshops.annotate(q=TruncQuarter("starts_at"))
        .order_by()
        .values("q")
        .annotate(
            held=Count("pk", distinct=True),
            participants=Count("attendances", filter=present),
            people=Count("attendances__person", filter=present, distinct=True),
        ),
    )
    quarters = {
        _as_date(row["q"]): {
            "workshops": row["held"],
            "participants": row["participants"],
            "people": row["people"],
        }
        for row in rows
    }
    return [{"quarter": q, "label": _quarter_label(q), **v} for q, v in sorted(quarters.items())]


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date()
    return value


@planned
def people_mobilised(*, user: User, filters: Filters) -> Plan[int]:
    """Distinct people present at least once at a workshop of the projects in scope (within the period)."""
    attendances = Attendance.objects.filter(
        workshop__project__in=_project_ids(user=user, filters=filters),
        workshop__starts_at__lte=timezone.now(),
        present=True,
    )
    if period := filters.period():
        attendances = attendances.filter(workshop__starts_at__date__range=period)
    # One row without GROUP BY (a constant groups nothing): the count of distinct people.
    (rows,) = yield (
        attendances.order_by()
        .values(all=Value(1))
        .annotate(n=Count("person", distinct=True))
        .values_list("n", flat=True),
    )
    return int(rows[0]) if rows else 0


@planned
def next_workshop(*, user: User, filters: Filters) -> Plan[datetime | None]:
    """When the next workshop of the projects in scope starts (None if none is planned): until then, the
    figures of workshops and people mobilised stay as they are unless the data change."""
    (rows,) = yield (
        Workshop.objects.filter(
            project__in=_project_ids(user=user, filters=filters), starts_at__gt=timezone.now()
        )
        .order_by()
        .values(all=Value(1))
        .annotate(next=Min("starts_at"))
        .values_list("next", flat=True),
    )
    return rows[0] if rows else None


@planned
def organisations_per_year(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Distinct organisations in the collectives per year (a membership in force at some point that year)."""
    (memberships,) = yield (
        Membership.objects.filter(project__in=_project_ids(user=user, filters=filters))
        .order_by()
        .values_list("organisation_id", "joined_on", "left_on", "project__created_at"),
    )
    today = filters.as_of
    per_year: dict[int, set[int]] = defaultdict(set)
    for organisation_id, joined_on, left_on, created_at in memberships:
        first = (joined_on or timezone.localtime(created_at).date()).year
        last = (left_on or today).year
        for year in range(first, last + 1):
            per_year[year].add(organisation_id)
    years = sorted(per_year)
    if filters.year:
        years = [y for y in years if y == filters.year]
    return [{"year": y, "organisations": len(per_year[y])} for y in years]


def members_at(end: date | None) -> Q:
    """Memberships in force at the end of the period (today without a period)."""
    if end is None:
        return access.active_membership_q()
    return (Q(joined_on__isnull=True) | Q(joined_on__lte=end)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=end)
    )


@planned
def partners_by_kind(*, user: User, filters: Filters) -> Plan[list[Row]]:
    """Organisations members of the collectives at the end of the period, per family: ESS, company,
    public (an organisation has one family, so the counts add up to the distinct organisations)."""
    (counts,) = yield (
        Membership.objects.filter(project__in=_project_ids(user=user, filters=filters))
        .filter(members_at(filters.period_end))
        .order_by()
        .values_list("organisation__family")
        .annotate(n=Count("organisation", distinct=True)),
    )
    rows = dict(counts)
    return [{"family": f.value, "label": str(f.label), "count": rows.get(f.value, 0)} for f in Family]


# --- Everything at once ---------------------------------------------------------------------------------


def _activity_headline(phases: list[Row], activity: list[Row]) -> dict[str, int]:
    """Projects accompanied and in progress, workshops and attendances: from the phase and activity tables."""
    return {
        "projects": sum(p["count"] for p in phases),
        "projects_active": sum(
            p["count"] for p in phases if p["phase"] not in (Phase.STOPPED, Phase.COMPLETED)
        ),
        "workshops": sum(a["workshops"] for a in activity),
        "attendances": sum(a["participants"] for a in activity),
    }


def territory_figures(*, user: User, filters: Filters) -> dict[str, Any]:
    """A territory's page (`filters.territory_id`): its projects by phase, the people mobilised, the
    workshops and the indicators rolled up — the dashboard's definitions, narrowed to the territory."""
    phases = projects_by_phase(user=user, filters=filters)
    activity = activity_over_time(user=user, filters=filters)
    headline = {
        **_activity_headline(phases, activity),
        "people": people_mobilised(user=user, filters=filters),
    }
    return {
        "headline": headline,
        "cards": [
            {"key": key, "label": FIGURES[key].label, "meaning": FIGURES[key].meaning, "value": value}
            for key, value in headline.items()
        ],
        "period": period_text(filters),
        "phases": phases,
        "indicators": indicator_progress(user=user, filters=filters),
    }


def _event_scope(user: User, filters: Filters, event_id: int | None) -> Q:
    """The events a figure of events looks at: one event, or those of the filters held by today."""
    if event_id is not None:
        return Q(event_id=event_id)
    scope = Q(event__date__lte=filters.as_of)
    if filters.programme_id:
        scope &= Q(event__programme_id=filters.programme_id)
    if filters.cohort_id:
        scope &= Q(event__cohort_id=filters.cohort_id)
    if filters.territory_id:
        scope &= Q(event__territory_id=filters.territory_id)
    if filters.theme_id:
        scope &= Q(event__themes=filters.theme_id)
    if period := filters.period():
        scope &= Q(event__date__range=period)
    return scope


@planned
def event_figures(*, user: User, filters: Filters, event_id: int | None = None) -> Plan[dict[str, Any]]:
    """The figures of events (FIGURES `events`, `event_participants`, `event_structures`,
    `event_satisfaction`, `training_hours`) for the filters, or for one event (`event_id`): two queries
    whatever the number of events — the present registrations with their answer, then the training
    sequences attended. Returns {"events", "by_kind" (the events counted, per kind: [{"kind", "label",
    "count"}] in the kinds' order, kinds without any left out), "participants", "structures",
    "satisfaction_rate" (0–100 or None), "answers", "training_hours", "rows": [{"key", "label", "value",
    "format"}]} (the dashboard's table)."""
    scope = _event_scope(user, filters, event_id)
    present_values = (
        access.scoped(user, Registration)
        .filter(scope, status=RegistrationStatus.PRESENT)
        .order_by()
        .values_list(
            "event_id",
            "event__kind",
            "person_id",
            "person__organisation_id",
            "structure_name",
            "survey_answer__overall",
        )
        .distinct()
    )
    attended_values = (
        access.scoped(user, Registration)
        .filter(scope, event__kind=EventKind.TRAINING, status=RegistrationStatus.PRESENT)
        .order_by()
        .values_list(
            "attendances__sequence__day",
            "attendances__sequence__start_time",
            "attendances__sequence__end_time",
        )
    )
    present, attended = yield (present_values, attended_values)
    events: set[int] = set()
    kinds: dict[int, str] = {}
    people: set[int] = set()
    structures: set[Any] = set()
    answers = satisfied = 0
    for event, kind, person, organisation, declared, overall in present:
        events.add(event)
        kinds[event] = kind
        people.add(person)
        if organisation or declared:
            structures.add(organisation or declared.strip().casefold())
        if overall is not None:
            answers += 1
            satisfied += overall >= 4
    seconds = 0.0
    for day, start, end in attended:
        if day is not None:
            seconds += (datetime.combine(day, end) - datetime.combine(day, start)).total_seconds()
    hours = Decimal(str(round(seconds / 3600, 1)))
    rate = round(Decimal(100 * satisfied) / answers, 1) if answers else None
    per_kind = Counter(kinds.values())
    figures: dict[str, Any] = {
        "events": len(events),
        "by_kind": [
            {"kind": kind.value, "label": str(kind.label), "count": per_kind[kind.value]}
            for kind in EventKind
            if per_kind[kind.value]
        ],
        "participants": len(people),
        "structures": len(structures),
        "satisfaction_rate": rate,
        "answers": answers,
        "training_hours": hours,
    }
    keys = [
        ("events", "events", "num"),
        ("event_participants", "participants", "num"),
        ("event_structures", "structures", "num"),
        ("event_satisfaction", "satisfaction_rate", "pct"),
        ("training_hours", "training_hours", "num"),
    ]
    figures["rows"] = [
        {"key": key, "label": str(FIGURES[key].label), "value": figures[name], "format": fmt}
        for key, name, fmt in keys
    ]
    return figures


def programme_figures(*, user: User, filters: Filters) -> dict[str, Any]:
    """The headline figures and every table of the dashboard, in one dict (what a report needs).

    Two queries whatever the volume: the prospects' funnel (its own, `prospects.selectors.funnel_figures`)
    and every other figure in one statement — each selector's plan, run side by side
    (`programme.batch.gather`), their grouped aggregates and lists read as one UNION ALL. The figures are
    those of the selectors called one by one (the exports do), by the same code."""
    funnel_data = funnel(user=user, filters=filters)
    (
        indicators,
        activity,
        partners,
        phases,
        gates,
        dates,
        money,
        people,
        maturity,
        organisations,
        events,
        changes_at,
    ) = run_batched(
        gather(
            indicator_progress.plan(user=user, filters=filters),
            activity_over_time.plan(user=user, filters=filters),
            partners_by_kind.plan(user=user, filters=filters),
            projects_by_phase.plan(user=user, filters=filters),
            gate_outcomes.plan(user=user, filters=filters),
            # Counted whole, listed as far as the dashboard shows them (the exports read late_decisions).
            gate_dates.plan(user=user, filters=filters, limit=SHOWN_DECISIONS),
            funding.plan(user=user, filters=filters),
            people_mobilised.plan(user=user, filters=filters),
            maturity_evolution.plan(user=user, filters=filters),
            organisations_per_year.plan(user=user, filters=filters),
            event_figures.plan(user=user, filters=filters),
            next_workshop.plan(user=user, filters=filters),
        )
    )
    steps = {s["key"]: s["value"] for s in funnel_data["steps"]}
    # Every headline figure is named in figures.FIGURES (label and meaning).
    headline = {
        "prospects_identified": steps.get("identified"),
        "prospects_contacted": steps.get("contacted"),
        "interviews": steps.get("interviewed"),
        "retained": steps.get("retained"),
        **_activity_headline(phases, activity),
        "member_organisations": sum(p["count"] for p in partners),
        "people": people,
        "funding_raised": money["granted"],
        "funding_received": money["received"],
        "funding_remaining": money["remaining"],
        "cofunding_rate": money["cofunding_rate"],
        "overdue_instalments": len(money["overdue_instalments"]),
        "late_justifications": len(money["late_justifications"]),
        "gate_decisions": sum(g["count"] for g in gates),
        "late_decisions": dates["late_count"],
    }
    return {
        "headline": headline,
        "period": period_text(filters),
        "funnel": funnel_data,
        "phases": phases,
        "gates": gates,
        "late": dates["late"],
        "late_count": dates["late_count"],
        "upcoming": dates["upcoming"],
        "upcoming_count": dates["upcoming_count"],
        "indicators": indicators,
        "maturity": maturity,
        "activity": activity,
        "organisations_per_year": organisations,
        "partners": partners,
        "funding": money,
        "events": events,
        # When the clock alone changes a figure: the next workshop of the scope starts (it is then held).
        "changes_at": changes_at,
    }


# --- Pages of a project's protocol ------------------------------------------------------------------------


def project_get(*, user: User, pk: int) -> Project:
    """A project whose protocol the user may see; 404 otherwise."""
    return access.get_for_user_or_404(
        access.scoped(user, Project).select_related("cohort", "lead_organisation"), pk=pk
    )


def project_indicator_get(*, user: User, pk: int) -> ProjectIndicator:
    """An indicator of a project's protocol the user may see; 404 otherwise."""
    return access.get_for_user_or_404(
        access.scoped(user, ProjectIndicator).select_related("project", "indicator", "criterion"), pk=pk
    )


def measurement_get(*, user: User, pk: int) -> Measurement:
    """A measurement the user may see, with its project and indicator; 404 otherwise."""
    return access.get_for_user_or_404(
        access.scoped(user, Measurement).select_related(
            "project_indicator__project", "project_indicator__indicator"
        ),
        pk=pk,
    )


def maturity_assessment_get(*, user: User, pk: int) -> MaturityAssessment:
    """A maturity assessment the user may see, with its scores; 404 otherwise."""
    return access.get_for_user_or_404(
        access.scoped(user, MaturityAssessment).select_related("project").prefetch_related("scores"), pk=pk
    )


def maturity_charts(rows: list[Row]) -> list[tuple[str, str]]:
    """One SVG per phase assessed (rows of `project_maturity`): each dimension at the start and the end."""
    by_phase: dict[str, list[Row]] = {}
    for row in rows:
        by_phase.setdefault(row["phase_label"], []).append(row)
    return [
        (
            phase,
            charts.grouped_bar_chart(
                title=_("Maturité coopérative — %(phase)s") % {"phase": phase},
                desc=_("Note de 1 à 4 de chaque dimension au début et à la fin de la phase."),
                categories=[r["label"] for r in items],
                series=[
                    charts.Series(_("Début de phase"), [r["start"] for r in items], charts.PALETTE[2]),
                    charts.Series(_("Fin de phase"), [r["end"] for r in items], charts.PALETTE[0]),
                ],
                max_value=4,
                width=480,
                label_width=220,
            ),
        )
        for phase, items in by_phase.items()
    ]


def protocol_for(*, user: User, project: Project, today: date) -> dict[str, Any]:
    """A project's evaluation protocol: its questions with their criteria (each with `.linked`, the
    indicators attached to it), the indicators attached to no criterion, every indicator with its
    `.summary`, the collective's maturity (table and charts), the assessments and the locked values."""
    indicators = project_indicators_with_summary(user=user, project=project, today=today)
    by_criterion: dict[int | None, list[ProjectIndicator]] = {}
    for pi in indicators:
        by_criterion.setdefault(pi.criterion_id, []).append(pi)
    questions = list(
        access.scoped(user, EvaluationQuestion).filter(project=project).prefetch_related("criteria")
    )
    for question in questions:
        for criterion in question.criteria.all():
            criterion.linked = by_criterion.get(criterion.pk, [])
    maturity = project_maturity(user=user, project_id=project.pk)
    return {
        "questions": questions,
        "unlinked": by_criterion.get(None, []),
        "indicators": indicators,
        "maturity": maturity,
        "maturity_charts": maturity_charts(maturity),
        "assessments": access.scoped(user, MaturityAssessment)
        .filter(project=project)
        .order_by("assessed_on"),
        "locked_count": access.scoped(user, Measurement)
        .filter(project_indicator__project=project, locked=True)
        .count(),
    }


def next_period(pi: ProjectIndicator, last_end: date | None, today: date) -> tuple[date, date] | None:
    """The period to propose for a new value, following the indicator's periodicity (per phase: by
    quarter): the one after the last value entered or, with none yet, the last period already over.
    Only a finished period is proposed — it ends before today: a quarter still running would get a
    partial value. None when the next period is not over yet (nothing to enter)."""
    months_by_periodicity: dict[str, int] = {
        Periodicity.MONTHLY: 1,
        Periodicity.QUARTERLY: 3,
        Periodicity.YEARLY: 12,
    }
    months = months_by_periodicity.get(pi.indicator.periodicity, 3)

    def shifted(day: date, by: int) -> date:
        """The first of the month `by` months after (or before) `day`'s month."""
        index = day.year * 12 + day.month - 1 + by
        return date(index // 12, index % 12 + 1, 1)

    if last_end:
        start = last_end + timedelta(days=1)
    else:
        # The start of the running period (calendar months, quarters or years), then one period back.
        running = date(today.year, ((today.month - 1) // months) * months + 1, 1)
        start = shifted(running, -months)
    end = shifted(start, months) - timedelta(days=1)
    return (start, end) if end < today else None


def project_indicator_detail(*, user: User, pk: int, today: date) -> dict[str, Any]:
    """One indicator of a protocol: its measurements (latest first), intermediate targets, the summary of
    `indicator_summary` (value so far, target due now, progress, change) and the next period to enter."""
    pi = access.get_for_user_or_404(
        access.scoped(user, ProjectIndicator)
        .select_related("project", "indicator", "criterion")
        .prefetch_related(
            "targets",
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("entered_by", "validated_by").order_by(
                    "-period_end"
                ),
            ),
        ),
        pk=pk,
    )
    measurements = list(pi.measurements.all())
    return {
        "pi": pi,
        "measurements": measurements,
        "targets": list(pi.targets.all()),
        "summary": indicator_summary(pi, today),
        "next_period": next_period(pi, measurements[0].period_end if measurements else None, today),
    }


def gate_dossier_evaluation(*, user: User, project: Project) -> dict[str, Any]:
    """The evaluation part of a project's gate dossier: indicator values so far, the collective's
    cooperative maturity, and a warning for each end-of-phase self-assessment still owed — the closing
    phase's first (the decision should not be taken without it), then any earlier phase's."""
    moments = maturity_moments_for(user=user, project=project)
    owed = [m for m in moments if m.moment == Moment.END and m.pending]
    closing = project.phase in ASSESSED_PHASES and not any(
        m.phase == project.phase and m.moment == Moment.END and m.settled for m in moments
    )
    warnings = []
    if closing:
        warnings.append(
            _(
                "L’auto-évaluation de fin de phase « %(phase)s » n’est pas renseignée : faites-la remplir "
                "par le collectif avant la décision, ou dispensez-en le projet en disant pourquoi."
            )
            % {"phase": Phase(project.phase).label}
        )
    warnings += [
        _("L’auto-évaluation de fin de phase « %(phase)s » est toujours attendue (depuis le %(date)s).")
        % {"phase": m.phase_label, "date": fr_date(m.due_since)}
        for m in owed
        if m.phase != project.phase
    ]
    return {
        "project": project,
        "indicators": project_indicators_with_summary(user=user, project=project, today=timezone.localdate()),
        "maturity": project_maturity(user=user, project_id=project.pk),
        "maturity_warnings": warnings,
    }


def maturity_moments_for(
    *, user: User, project: Project, periods: Iterable[PhasePeriod] | None = None
) -> list[MaturityMoment]:
    """The maturity moments of a project the user may see (`maturity_moments`), in two queries: the
    phase periods (none when the caller read them already, `periods`: the project's, which the user may
    read with it), the assessments with their scores and author."""
    if periods is None:
        periods = access.scoped(user, PhasePeriod).filter(project=project)
    assessments = (
        access.scoped(user, MaturityAssessment)
        .filter(project=project)
        .select_related("assessed_by", "waived_by")
        .prefetch_related("scores")
    )
    return maturity_moments(phase=project.phase, periods=list(periods), assessments=list(assessments))

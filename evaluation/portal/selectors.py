"""Reads of the partner portal, taking the acting user. Every queryset comes from `programme.access`
(`projects_for`, `portal_*_for`…), so a partner only ever reads their current collectives' data."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple, cast

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, F, Model, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from evaluation.models import Measurement, Report
from programme import access
from programme.batch import SENTINEL_DAY, Prepared, stand_in
from programme.formatting import fr_date
from programme.models import Organisation, User
from programme.selectors import account_data_export, audit_data_export, person_data_export
from projects import selectors as project_selectors
from projects import timeline
from projects.conversations.models import Comment
from projects.funding.models import FundingSettings
from projects.models import (
    OPEN_ACTION_STATUSES,
    Action,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeliverableVersion,
    Document,
    DocumentVersion,
    MemberRole,
    Membership,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)

from ..models import (
    Indicator,
    IndicatorSummary,
    IndicatorTarget,
    MaturityAssessment,
    MaturityScore,
    MeasurementStatus,
    MomentState,
    Periodicity,
    ProjectIndicator,
    maturity_moments,
)
from ..selectors import indicator_summary

#: How far ahead "next deadlines" look, and how many shared minutes and decisions the page shows.
DEADLINE_DAYS = 120
RECENT_WORKSHOPS = 5
RECENT_DECISIONS = 10
#: How many periods back a partner may still report (on top of the current one).
PERIODS_BACK: dict[str, int] = {Periodicity.MONTHLY: 5, Periodicity.QUARTERLY: 3, Periodicity.YEARLY: 1}


# --- Reporting periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _span(start: date, end: date) -> str:
    return f"{fr_date(start)} – {fr_date(end)}"


def _bounds(
    project_indicator: ProjectIndicator, *, today: date, phase_periods: Iterable[PhasePeriod] | None = None
) -> list[tuple[date, date, Callable[[], str]]]:
    """The periods a partner may report for, most recent first, following the indicator's periodicity: their
    bounds, and how to name them (named only where shown: the page of "Mon projet" only counts them).
    `phase_periods`: the project's, when the caller read them already."""
    periodicity = project_indicator.indicator.periodicity
    bounds: list[tuple[date, date, Callable[[], str]]] = []
    if periodicity == Periodicity.MONTHLY:
        cursor = today.replace(day=1)
        for _i in range(PERIODS_BACK[periodicity] + 1):
            bounds.append((cursor, _month_end(cursor), partial(_month_label, cursor)))
            cursor = (cursor - timedelta(days=1)).replace(day=1)
    elif periodicity == Periodicity.QUARTERLY:
        quarter = (today.month - 1) // 3
        year = today.year
        for _i in range(PERIODS_BACK[periodicity] + 1):
            start = date(year, quarter * 3 + 1, 1)
            end = _month_end(date(year, quarter * 3 + 3, 1))
            bounds.append((start, end, partial(_quarter_label, quarter + 1, year, start, end)))
            quarter -= 1
            if quarter < 0:
                quarter, year = 3, year - 1
    elif periodicity == Periodicity.YEARLY:
        for year in range(today.year, today.year - PERIODS_BACK[periodicity] - 1, -1):
            bounds.append((date(year, 1, 1), date(year, 12, 31), partial(_year_label, year)))
    else:  # per phase: the project's phase periods that have begun
        if phase_periods is None:
            phase_periods = project_indicator.project.phase_periods.all()
        for p in sorted(phase_periods, key=lambda p: p.planned_start, reverse=True):
            phase_start = p.actual_start or p.planned_start
            phase_end = p.actual_end or p.planned_end
            if phase_end is None or phase_start > today:
                continue
            bounds.append((phase_start, phase_end, partial(_phase_label, p.phase, phase_start, phase_end)))
    return bounds


def _month_label(start: date) -> str:
    return date_format(start, "F Y").capitalize()


def _quarter_label(quarter: int, year: int, start: date, end: date) -> str:
    return _("T%(q)s %(y)s (%(span)s)") % {"q": quarter, "y": year, "span": _span(start, end)}


def _year_label(year: int) -> str:
    return _("Année %(y)s") % {"y": year}


def _phase_label(phase: str, start: date, end: date) -> str:
    return _("%(phase)s (%(span)s)") % {"phase": Phase(phase).label, "span": _span(start, end)}


def reporting_periods(project_indicator: ProjectIndicator, *, today: date) -> list[Period]:
    """The periods a partner may report for, most recent first, following the indicator's periodicity."""
    return [Period(start, end, label()) for start, end, label in _bounds(project_indicator, today=today)]


def open_periods(
    project_indicator: ProjectIndicator, measured: set[tuple[date, date]], today: date
) -> list[Period]:
    """The reporting periods that have no value yet."""
    return [p for p in reporting_periods(project_indicator, today=today) if (p.start, p.end) not in measured]


def open_period_count(
    project_indicator: ProjectIndicator,
    measured: set[tuple[date, date]],
    today: date,
    *,
    phase_periods: Iterable[PhasePeriod],
) -> int:
    """How many reporting periods have no value yet (`open_periods`, counted; `phase_periods`: the
    project's)."""
    bounds = _bounds(project_indicator, today=today, phase_periods=phase_periods)
    return sum((start, end) not in measured for start, end, _label in bounds)


# --- Mon projet -------------------------------------------------------------------------------------------


#: What the portal reads of the partner's projects (`portal_projects`): every column, the lead organisation's
#: name, and whether the team shares its budget and funding plan (`funding_shared`).
PROJECT_FIELDS = tuple(f.attname for f in Project._meta.concrete_fields)


def _projects_queryset(user: User) -> "QuerySet[Any, dict[str, Any]]":
    """The partner's current projects, numbered by title (see `portal_projects`)."""
    shared_funding = access.scoped(user, FundingSettings).filter(
        project=OuterRef("pk"), shared_with_collective=True
    )
    return _numbered(
        access.scoped(user, Project).annotate(funding_shared=Exists(shared_funding)),
        "title",
        fields=(*PROJECT_FIELDS, "lead_organisation__name", "funding_shared"),
    )


def _stand_in_projects(_shape: None) -> list[QuerySet[Any, Any]]:
    """`_projects_queryset` for a stand-in partner, memberships judged on SENTINEL_DAY (`_PROJECTS`)."""
    user = User(pk=_PARTNER, role="partner", is_active=True, organisation_id=_ORGANISATION)
    with access.as_of(SENTINEL_DAY):
        return [_projects_queryset(user)]


def portal_projects(*, user: User) -> list[Project]:
    """The partner's current projects by title, in one query compiled once per process (`_PROJECTS`): the
    tabs of "Mon projet" and the page of each (its lead organisation's name, and `funding_shared`: whether
    the team shares its budget and funding plan with the collective). The home shows the first."""
    (rows,) = _PROJECTS.rows(
        values={_PARTNER: user.pk, _ORGANISATION: user.organisation_id}, today=timezone.localdate()
    )
    projects = []
    for row in sorted(rows, key=itemgetter("n")):
        project = Project.from_db(DEFAULT_DB_ALIAS, list(PROJECT_FIELDS), [row[f] for f in PROJECT_FIELDS])
        if project.lead_organisation_id is not None:
            project.lead_organisation = Organisation.from_db(
                DEFAULT_DB_ALIAS,
                ["id", "name"],
                [project.lead_organisation_id, row["lead_organisation__name"]],
            )
        project.funding_shared = row["funding_shared"]  # type: ignore[attr-defined]
        projects.append(project)
    return projects


def _deadlines(
    *,
    user: User,
    project: Project,
    deliverables: list[Deliverable],
    actions: list[Action],
    workshops: list[Workshop],
    today: date,
) -> list[dict[str, Any]]:
    """What the partner's structure must hand in and the partner's actions — the team's deadlines' rule
    (`projects.selectors.portal_deadlines`, the partner side of `deadlines_for`) over the rows the page
    read already, late ones however old — and upcoming workshops, within DEADLINE_DAYS, soonest first."""
    now = timezone.now()
    horizon = today + timedelta(days=DEADLINE_DAYS)
    due = project_selectors.portal_deadlines(
        project=project, deliverables=deliverables, actions=actions, end=horizon, today=today
    )
    return sorted(
        [
            *[{"kind": d.kind_label, "date": d.date, "title": d.title, "late": d.late} for d in due],
            *[
                {
                    "kind": _("Atelier"),
                    "date": timezone.localtime(w.starts_at).date(),
                    "title": w.title,
                    "late": False,
                }
                for w in workshops
                if now <= w.starts_at and timezone.localtime(w.starts_at).date() <= horizon
            ],
        ],
        key=lambda item: (item["date"], item["title"]),
    )


class Sent(NamedTuple):
    """A value sent for an indicator, as "Mon projet" reads it: its indicator and period, its state, what
    the table shows and what `indicator_summary` counts."""

    pk: int
    project_indicator_id: int
    period_start: date
    period_end: date
    status: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    text_value: str
    locked: bool


#: The fields of a value "Mon projet" reads.
LATEST_FIELDS = Sent._fields


@dataclass(frozen=True)
class IndicatorPage:
    """An indicator the collective reports, as its portal page shows it."""

    pi: ProjectIndicator
    #: Every value sent for it, the latest period first.
    measurements: list[Measurement]
    #: Where the project stands (`indicator_summary`: validated values only, the team's own figures).
    summary: IndicatorSummary


def indicator_page(*, user: User, pk: int, today: date) -> IndicatorPage:
    """The portal page of an indicator the partner's collective reports (404 otherwise): its values and the
    figures the team reads on its own page — value so far, target due now, progress towards it and towards
    the final target — from the same definition."""
    pi = access.get_for_user_or_404(
        access.portal_scoped(user, ProjectIndicator)
        .select_related("indicator", "project")
        .prefetch_related(
            "targets",
            Prefetch(
                "measurements",
                queryset=access.portal_scoped(user, Measurement).order_by("-period_end"),
            ),
        ),
        pk=pk,
    )
    return IndicatorPage(
        pi=pi, measurements=list(pi.measurements.all()), summary=indicator_summary(pi, today)
    )


def indicator_rows(
    *,
    project: Project,
    indicators: list[ProjectIndicator],
    measurements: list[tuple[Any, ...]],
    targets: list[tuple[Any, ...]],
    periods: list[PhasePeriod],
    today: date,
) -> list[dict[str, Any]]:
    """The indicators the partner reports in this project: the latest value, how many were sent back,
    how many periods are still to report, and where the project stands (`indicator_summary`: the team's
    own figures, validated values only). `measurements`: every value sent for them, as tuples of
    LATEST_FIELDS (they grow with the periods) — the latest, the one row the page shows, is made a
    Measurement of its fields. `targets`: their intermediate targets, as (indicator, period end, value).
    `periods`: the project's phase periods (an indicator reported per phase)."""
    by_indicator: dict[int, list[Sent]] = defaultdict(list)
    for row in sorted(measurements, key=itemgetter(3), reverse=True):  # the latest period first
        by_indicator[row[1]].append(Sent(*row))
    targets_of: dict[int, list[tuple[date, Any]]] = defaultdict(list)
    for pi_id, period_end, value in targets:
        targets_of[pi_id].append((period_end, value))
    rows = []
    for pi in indicators:
        pi.project = project
        sent = by_indicator[pi.pk]
        measured = {(m.period_start, m.period_end) for m in sent}
        latest = Measurement(**dict(zip(LATEST_FIELDS, sent[0], strict=True))) if sent else None
        rows.append(
            {
                "pi": pi,
                "latest": latest,
                "returned": sum(m.status == MeasurementStatus.RETURNED for m in sent),
                "to_report": open_period_count(pi, measured, today, phase_periods=periods),
                "summary": indicator_summary(pi, today, measurements=sent, targets=targets_of[pi.pk]),
            }
        )
    return rows


def _versioned(
    rows: QuerySet[Any],
    version: type[DeliverableVersion | DocumentVersion],
    *,
    order: tuple[str, ...],
    fields: tuple[str, ...],
) -> "QuerySet[Any, dict[str, Any]]":
    """Deliverables or documents `_numbered`, with `latest_number` and `latest_uploaded_at`: the number
    and upload time of their latest version (None without one), read with the row by a subquery."""
    parent = "deliverable" if version is DeliverableVersion else "document"
    latest = version._default_manager.filter(**{parent: OuterRef("pk")}).order_by("-number")
    return _numbered(
        rows.annotate(
            latest_number=Subquery(latest.values("number")[:1]),
            latest_uploaded_at=Subquery(latest.values("uploaded_at")[:1]),
        ),
        *order,
        fields=(*fields, "latest_number", "latest_uploaded_at"),
    )


def _numbered[M: Model](
    rows: QuerySet[M], *order: str, fields: tuple[str, ...]
) -> QuerySet[M, dict[str, Any]]:
    """`rows` as values() numbered `n` in `order` (a UNION ALL keeps no order: the page sorts on it)."""
    by = [F(o[1:]).desc() if o.startswith("-") else F(o).asc() for o in order]
    numbered = rows.annotate(n=Window(RowNumber(), order_by=by)).order_by(*order).values(*fields, "n")
    return cast("QuerySet[Any, dict[str, Any]]", numbered)


def _objects[M: Model](model: type[M], rows: list[dict[str, Any]], fields: tuple[str, ...]) -> list[M]:
    """Instances of `model` from values() rows, in their number `n`, made as Django makes them (`from_db`):
    a field not read is deferred — a query if touched, never a wrong value. Other keys become attributes."""
    made = []
    for row in sorted(rows, key=itemgetter("n")):
        obj = model.from_db(DEFAULT_DB_ALIAS, list(fields), [row[f] for f in fields])
        for key in row.keys() - set(fields):
            setattr(obj, key, row[key])
        made.append(obj)
    return made


#: The fields each list of "Mon projet" reads (`_page_querysets`).
WORKSHOP_FIELDS = ("id", "project_id", "title", "step", "starts_at", "minutes")
COMMITTEE_FIELDS = ("id", "project_id", "kind", "date")
DELIVERABLE_FIELDS = ("id", "project_id", "title", "due_date", "status")
ACTION_FIELDS = ("id", "project_id", "title", "due_date", "status")
#: In the models' field order (`Model.from_db` reads them so); what the table and `indicator_summary` read.
PI_FIELDS = ("id", "project_id", "indicator_id", "baseline_value", "target_value", "target_kind")
INDICATOR_FIELDS = ("id", "name", "unit", "unit_singular", "type", "aggregation", "periodicity")
PERIOD_FIELDS = tuple(f.attname for f in PhasePeriod._meta.concrete_fields)
ASSESSMENT_FIELDS = ("id", "project_id", "phase", "moment", "assessed_on", "assessed_by_id", "waived_at")
COMMENT_FIELDS = (
    "id",
    "project_id",
    "content_type_id",
    "object_id",
    "author_id",
    "body",
    "internal",
    "created_at",
)
#: What the thread shows of a message's author, in the User model's field order (`Model.from_db` reads them so).
AUTHOR_FIELDS = ("email", "first_name", "last_name")
#: The stand-ins the page's statement is compiled with (`programme.batch.Prepared`).
_PARTNER, _ORGANISATION, _PERSON, _PROJECT = (stand_in(n) for n in range(4))


def _page_querysets(user: User, project: Project) -> list[QuerySet[Any, Any]]:
    """What "Mon projet" lists (see `_page_rows`) for the partner: each list's own query, scoped by
    `programme.access`, numbered in its order."""
    return [
        _numbered(
            access.portal_scoped(user, ProjectIndicator).filter(project=project),
            "indicator__name",
            fields=(*PI_FIELDS, *(f"indicator__{f}" for f in INDICATOR_FIELDS)),
        ),
        _numbered(access.scoped(user, Workshop).filter(project=project), "starts_at", fields=WORKSHOP_FIELDS),
        _numbered(access.scoped(user, Committee).filter(project=project), "date", fields=COMMITTEE_FIELDS),
        _versioned(
            access.portal_scoped(user, Deliverable).filter(project=project),
            DeliverableVersion,
            order=("due_date", "pk"),
            fields=DELIVERABLE_FIELDS,
        ),
        _numbered(
            access.portal_scoped(user, Action).filter(project=project),
            "due_date",
            "pk",
            fields=ACTION_FIELDS,
        ),
        access.portal_scoped(user, Measurement)
        .filter(project_indicator__project=project)
        .order_by()
        .values_list(*LATEST_FIELDS),
        # The intermediate targets of the indicators the partner reports (their progress on the table).
        access.scoped(user, IndicatorTarget)
        .filter(project_indicator__in=access.portal_scoped(user, ProjectIndicator).filter(project=project))
        .order_by()
        .values_list("project_indicator_id", "period_end", "value"),
        _numbered(
            project.memberships.filter(access.active_membership_q()),
            "role",
            "organisation__name",
            fields=("role", "organisation__name"),
        ),
        _numbered(
            project.staff_leads.filter(is_active=True),
            "first_name",
            fields=("first_name", "last_name", "email"),
        ),
        _versioned(
            access.scoped(user, Document).filter(project=project),
            DocumentVersion,
            order=("title",),
            fields=("pk", "title"),
        ),
        _numbered(
            access.portal_scoped(user, CommitteeDecision).filter(committee__project=project),
            "-committee__date",
            "-pk",
            fields=("committee_id", "committee__kind", "committee__date", "text"),
        )[:RECENT_DECISIONS],
        _numbered(
            access.scoped(user, Report).filter(project=project, status="done"),
            "-finished_at",
            "-pk",
            fields=("pk", "title", "finished_at"),
        ),
        access.scoped(user, PhasePeriod).filter(project=project).values(*PERIOD_FIELDS),
        access.scoped(user, MaturityAssessment)
        .filter(project=project)
        .annotate(has_scores=Exists(MaturityScore.objects.filter(assessment=OuterRef("pk"))))
        .values(*ASSESSMENT_FIELDS, "assessed_by__role", "has_scores"),
        # The thread with the collective (projects.conversations.selectors.thread, for the project itself).
        _numbered(
            access.scoped(user, Comment).filter(project=project, content_type__isnull=True),
            "created_at",
            "pk",
            fields=(*COMMENT_FIELDS, *(f"author__{f}" for f in AUTHOR_FIELDS)),
        ),
    ]


def _stand_in_page(has_person: bool) -> list[QuerySet[Any, Any]]:
    """The page's querysets for a stand-in partner (with a contact record or not: `has_person`) and
    project, memberships judged on SENTINEL_DAY: compiled once per process (`_PAGE`)."""
    user = User(
        pk=_PARTNER,
        role="partner",
        is_active=True,
        organisation_id=_ORGANISATION,
        person_id=_PERSON if has_person else None,
    )
    with access.as_of(SENTINEL_DAY):
        return _page_querysets(user, Project(pk=_PROJECT))


_PAGE = Prepared(_stand_in_page)
_PROJECTS = Prepared(_stand_in_projects)


def _page_rows(*, user: User, project: Project) -> dict[str, Any]:
    """What "Mon projet" lists, read in ONE statement (`programme.batch`: a UNION ALL of each list's own
    query, each scoped by `programme.access`, numbered in its order, compiled once per process): the
    shared workshops and committees, the deliverables of the partner's structure (with their latest
    version), the partner's actions, the indicators they report and the values sent for them, the
    collective's members, the team's leads, the shared documents (with their latest version), the latest
    shared committee decisions, the shared funder reports (PDF, read through the reports pages) and the
    messages of the project's thread with the collective."""
    (
        indicators,
        workshops,
        committees,
        deliverables,
        actions,
        measurements,
        targets,
        members,
        leads,
        documents,
        decisions,
        reports,
        periods,
        assessments,
        comments,
    ) = _PAGE.prepared_rows(
        user.person_id is not None,
        values={
            _PARTNER: user.pk,
            _ORGANISATION: user.organisation_id,
            _PERSON: user.person_id,
            _PROJECT: project.pk,
        },
        today=timezone.localdate(),
        form="portal-page",  # prepared once per connection and day: planning it cost more than running it
    )

    def ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=itemgetter("n"))

    project_indicators = []
    for row in ordered(indicators):
        pi = ProjectIndicator.from_db(DEFAULT_DB_ALIAS, list(PI_FIELDS), [row[f] for f in PI_FIELDS])
        pi.indicator = Indicator.from_db(
            DEFAULT_DB_ALIAS, list(INDICATOR_FIELDS), [row[f"indicator__{f}"] for f in INDICATOR_FIELDS]
        )
        project_indicators.append(pi)
    return {
        "workshops": _objects(Workshop, workshops, WORKSHOP_FIELDS),
        "committees": _objects(Committee, committees, COMMITTEE_FIELDS),
        "deliverables": _objects(Deliverable, deliverables, DELIVERABLE_FIELDS),
        "actions": _objects(Action, actions, ACTION_FIELDS),
        "indicators": project_indicators,
        "measurements": measurements,
        "targets": targets,
        "members": [
            Membership(role=m["role"], organisation=Organisation(name=m["organisation__name"]))
            for m in ordered(members)
        ],
        "staff_leads": [
            User(first_name=u["first_name"], last_name=u["last_name"], email=u["email"])
            for u in ordered(leads)
        ],
        "documents": ordered(documents),
        "decisions": [
            {
                "committee_id": d["committee_id"],
                "committee": Committee(
                    pk=d["committee_id"], kind=d["committee__kind"], date=d["committee__date"]
                ),
                "text": d["text"],
            }
            for d in ordered(decisions)
        ],
        "reports": ordered(reports),
        "periods": sorted(
            (
                PhasePeriod.from_db(DEFAULT_DB_ALIAS, list(PERIOD_FIELDS), [p[f] for f in PERIOD_FIELDS])
                for p in periods
            ),
            key=lambda p: p.planned_start,
        ),
        "assessments": [_assessment(row) for row in assessments],
        "comments": [_comment(row) for row in ordered(comments)],
    }


def _comment(row: dict[str, Any]) -> Comment:
    """A message of the project's thread with its author's name and e-mail (what the thread shows)."""
    comment = Comment.from_db(DEFAULT_DB_ALIAS, list(COMMENT_FIELDS), [row[f] for f in COMMENT_FIELDS])
    if row["author_id"] is not None:
        comment.author = User.from_db(
            DEFAULT_DB_ALIAS,
            ["id", *AUTHOR_FIELDS],
            [row["author_id"], *(row[f"author__{f}"] for f in AUTHOR_FIELDS)],
        )
    return comment


def _assessment(row: dict[str, Any]) -> MaturityAssessment:
    """A self-assessment as `maturity_moments` reads it: its moment, dates, whether it holds scores
    (`scored`) and its author's role (the rest deferred)."""
    assessment = MaturityAssessment.from_db(
        DEFAULT_DB_ALIAS, list(ASSESSMENT_FIELDS), [row[f] for f in ASSESSMENT_FIELDS]
    )
    assessment.scored = row["has_scores"]
    if row["assessed_by_id"] is not None:
        assessment.assessed_by = User(pk=row["assessed_by_id"], role=row["assessed_by__role"])
    return assessment


def project_page(*, user: User, project: Project) -> dict[str, Any]:
    """Everything "Mon projet" shows: phase and timeline, what the partner's structure must hand in,
    their actions, shared workshops, committee decisions and documents, the indicators to report, the
    maturity self-assessments and the funder reports shared with the collective."""
    today = timezone.localdate()
    now = timezone.now()
    rows = _page_rows(user=user, project=project)
    periods = rows["periods"]  # the timeline, the phase, indicators, maturity
    workshops, deliverables, actions = rows["workshops"], rows["deliverables"], rows["actions"]
    period = project_selectors.current_period(project, periods=periods)
    context: dict[str, Any] = {
        "project": project,
        "period": period,
        "late_decision": bool(period and period.is_late(today)),
        # Milestones are the team's planning and are not shared: the partner's timeline shows phases,
        # shared workshops and shared committees.
        "tl": timeline.build(
            project,
            periods=periods,
            milestones=[],
            workshops=[(w.starts_at, w.title) for w in workshops],
            committees=[(c.date, str(c)) for c in rows["committees"]],
            today=today,
        ),
        "deadlines": _deadlines(
            user=user,
            project=project,
            deliverables=deliverables,
            actions=actions,
            workshops=workshops,
            today=today,
        ),
        "deliverables": deliverables,
        "actions": actions,
        "open_actions": [a for a in actions if a.status in OPEN_ACTION_STATUSES],
        "done_actions": [a for a in actions if a.status not in OPEN_ACTION_STATUSES],
        "recent_workshops": [w for w in reversed(workshops) if w.starts_at <= now][:RECENT_WORKSHOPS],
        **{key: rows[key] for key in ("members", "staff_leads", "documents", "decisions", "reports")},
        "lead_role": MemberRole.LEAD,
        "today": today,
        "thread_comments": rows["comments"],  # the thread with the collective, read with the rest
    }
    # Which self-assessments the collective may fill follows the phases (evaluation's one rule).
    moments = maturity_moments(phase=project.phase, periods=periods, assessments=rows["assessments"])
    context.update(
        {
            "indicator_rows": indicator_rows(
                project=project,
                indicators=rows["indicators"],
                measurements=rows["measurements"],
                targets=rows["targets"],
                periods=periods,
                today=today,
            ),
            "open_moments": [m for m in moments if m.open_to_partners],
            "closed_moments": [
                m
                for m in moments
                if not m.open_to_partners and m.state == MomentState.FILLED and m.assessment
            ],
        }
    )
    return context


# --- What is shared with the whole collective -------------------------------------------------------------


def collective_readers(project: Project) -> list[User]:
    """The collective's eyes: one partner reader (not saved) per organisation in the project's collective
    today. A document shared with the collective (the funder report) is read through them, by the same
    rules as the portal pages, so it shows nothing the portal hides."""
    organisation_ids = (
        project.memberships.filter(access.active_membership_q())
        .order_by("organisation_id")
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return [User(role="partner", organisation_id=pk, is_active=True) for pk in organisation_ids]


def collective_scoped[M: Model](project: Project, model: type[M], *, portal: bool = False) -> QuerySet[M]:
    """The rows of `model` that every member of the project's collective may read (`access.scoped`) or,
    with `portal`, handles in the portal (`access.portal_scoped`: the deliverables assigned to their
    organisation, the indicators they report…): a document shared with the whole collective shows no
    member what the portal hides from them. Nothing when the collective is empty."""
    scope = access.portal_scoped if portal else access.scoped
    readers = collective_readers(project)
    rows = model._default_manager.all() if readers else model._default_manager.none()
    for reader in readers:
        rows = rows.filter(pk__in=scope(reader, model).values("pk"))
    return rows


# --- Personal data ---------------------------------------------------------------------------------------


def personal_data(user: User) -> dict[str, Any]:
    """Everything Parcours holds about the signed-in partner, as plain data (right of access)."""
    person = user.person
    data: dict[str, Any] = {
        "compte": account_data_export(user=user),
        "contact": None,
        "actions": [],
        "fichiers déposés": [],
        "journal": [],
    }
    if person is not None:
        data["contact"] = person_data_export(person=person)
        data["actions"] = [
            {
                "action": a.title,
                "projet": a.project.title,
                "échéance": a.due_date.isoformat(),
                "état": a.get_status_display(),
            }
            for a in access.portal_scoped(user, Action).select_related("project").order_by("due_date")
        ]
    data["fichiers déposés"] = [
        {
            "livrable": v.deliverable.title,
            "projet": v.deliverable.project.title,
            "version": v.number,
            "fichier": v.original_name,
            "commentaire": v.comment,
            "déposé le": v.uploaded_at.isoformat(),
        }
        for v in DeliverableVersion.objects.filter(uploaded_by=user)
        .select_related("deliverable__project")
        .order_by("uploaded_at")
    ]
    data["journal"] = audit_data_export(user=user)
    return data

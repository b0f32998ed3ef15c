"""Reads of project steering. Every function takes the acting user and scopes through programme.access."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from programme import access
from programme.audit import Child, record_history
from programme.batch import SENTINEL_DAY, Prepared, PreparedModels, stand_in
from programme.formatting import fr_date
from programme.models import Person, Theme, User
from prospects.models import Event as ProgrammeEvent
from prospects.models import Prospect

from .filters import project_search_q
from .funding.selectors import instalment_title, justification_title, open_instalments, open_justifications
from .models import (
    OPEN_ACTION_STATUSES,
    OPEN_DELIVERABLE_STATUSES,
    OPEN_MILESTONE_STATUSES,
    Action,
    ActionStatus,
    Budget,
    Committee,
    Convention,
    Deliverable,
    DeliverableStatus,
    Document,
    Engagement,
    FundingRequest,
    GateDecision,
    Instalment,
    Membership,
    Milestone,
    MilestoneStatus,
    Payment,
    Phase,
    PhasePeriod,
    Project,
    Workshop,
)
from .reminders import CLOSED_PROSPECT_STAGES

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

BOARD_PHASES = [Phase.SELECTION, Phase.EMERGENCE, Phase.EXPERIMENTATION, Phase.DEPLOYMENT]


class ProjectStatus(TypedDict):
    """The columns `projects_with_status` adds to each project."""

    phase_planned_end: date | None
    decision_late: bool


type ProjectWithStatus = "WithAnnotations[Project, ProjectStatus]"


class BoardColumn(TypedDict):
    phase: str
    label: str | Promise
    projects: list[ProjectWithStatus]
    count: int
    late: int


def _open_period(field: str) -> Subquery:
    return Subquery(
        PhasePeriod.objects.filter(
            project=OuterRef("pk"), phase=OuterRef("phase"), actual_end__isnull=True
        ).values(field)[:1]
    )


def projects_with_status(user: User, *, today: date | None = None) -> QuerySet[ProjectWithStatus]:
    """Projects the user may see, with the current phase's planned end and the "late" flag as columns."""
    today = today or timezone.localdate()
    late = PhasePeriod.objects.filter(
        project=OuterRef("pk"), phase=OuterRef("phase"), actual_end__isnull=True, planned_end__lt=today
    )
    return (
        access.scoped(user, Project)
        .select_related("lead_organisation", "cohort", "territory")
        .annotate(phase_planned_end=_open_period("planned_end"), decision_late=Exists(late))
        .prefetch_related(Prefetch("staff_leads", queryset=User.objects.order_by("first_name")))
    )


#: How many cards each board column shows; the column's header gives the full count and « Voir tout »
#: opens the list filtered on the phase.
BOARD_COLUMN_LIMIT = 30


def board(user: User) -> tuple[list[BoardColumn], dict[str | Promise, int]]:
    """Columns of the pipeline board: one per active phase with its count, its number of late decisions and
    its first BOARD_COLUMN_LIMIT cards (nearest phase end first, then by title), plus the closed projects'
    counts. Three queries whatever the number of projects: the counts grouped by phase, the cards of every
    column at once (numbered per phase by a window function), their staff leads."""
    scoped = projects_with_status(user)
    counts: dict[str, dict[str, Any]] = {
        row["phase"]: dict(row)
        for row in scoped.order_by()
        .values("phase")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(decision_late=True)))
    }
    order = [F("phase_planned_end").asc(nulls_last=True), F("title").asc(), F("pk").asc()]
    cards = list(
        scoped.filter(phase__in=BOARD_PHASES)
        .annotate(rank=Window(RowNumber(), partition_by=[F("phase")], order_by=order))
        .filter(rank__lte=BOARD_COLUMN_LIMIT)
        .order_by(*order)
    )
    columns: list[BoardColumn] = []
    for phase in BOARD_PHASES:
        row: dict[str, Any] = counts.get(phase, {})
        columns.append(
            {
                "phase": phase,
                "label": Phase(phase).label,
                "projects": [p for p in cards if p.phase == phase],
                "count": row.get("n", 0),
                "late": row.get("late", 0),
            }
        )
    closed: dict[str | Promise, int] = {
        Phase(k).label: counts[k]["n"] for k in (Phase.STOPPED, Phase.COMPLETED) if k in counts
    }
    return columns, closed


@dataclass
class Deadline:
    kind: str
    kind_label: str
    date: date
    title: str
    project_title: str
    url: str
    late: bool
    uid: str = ""
    project_id: int | None = None


#: The order "what is late" is shown in: gate decisions first (a phase past its planned end that no
#: decision closed), then what the collective owes, then the team's own planning and follow-ups.
LATE_ORDER = ("phase_end", "deliverable", "justification", "instalment", "milestone", "action", "prospect")


def _project_deadlines[R: (Milestone, Deliverable, Action)](
    rows: QuerySet[R], *, kind: str, label: str, url: Callable[[R], str], today: date
) -> list[Deadline]:
    """Milestones, deliverables or actions (rows with a title, a due date and a project) as deadlines."""
    return [
        _row_deadline(r, kind=kind, label=label, project_title=r.project.title, url=url(r), today=today)
        for r in rows.select_related("project").distinct()
    ]


def _row_deadline(
    r: Milestone | Deliverable | Action, *, kind: str, label: str, project_title: str, url: str, today: date
) -> Deadline:
    return Deadline(
        kind,
        label,
        r.due_date,
        r.title,
        project_title,
        url,
        late=r.due_date < today,
        uid=f"{kind}-{r.pk}",
        project_id=r.project_id,
    )


def _funding_deadlines(user: User, *, start: date | None, end: date, today: date) -> list[Deadline]:
    """The money of the projects the user steers: justifications still to hand in to a funder and
    instalments not (fully) received, by their due date (projects.funding.selectors decides which are open)."""
    steered = Q(convention__project__staff_leads=user)
    due = Q(due_on__lte=end) if start is None else Q(due_on__gte=start, due_on__lte=end)
    rows: list[tuple[str, str, Callable[[Any], str], Callable[..., QuerySet[Any]]]] = [
        ("justification", _("Justificatif"), justification_title, open_justifications),
        ("instalment", _("Versement attendu"), instalment_title, open_instalments),
    ]
    return [
        Deadline(
            kind,
            label,
            r.due_on,
            title(r),
            r.convention.project.title,
            reverse("projects:funding.page", args=[r.convention.project_id]),
            r.due_on < today,
            f"{kind}-{r.pk}",
            r.convention.project_id,
        )
        for kind, label, title, open_rows in rows
        for r in open_rows(user=user).filter(steered, due).distinct()
    ]


def portal_deadlines(
    *, project: Project, deliverables: list[Deliverable], actions: list[Action], end: date, today: date
) -> list[Deadline]:
    """The partner side of `deadlines_for` for one project, over rows its page read already (the
    portal's "Mon projet" reads the deliverables and actions the partner handles, `access.portal_scoped`):
    the same kinds, open statuses and horizon — late ones however old — without querying again."""
    url = reverse("home")
    rows: list[tuple[str, str, Deliverable | Action]] = [
        *[
            ("deliverable", _("Livrable"), d)
            for d in deliverables
            if d.status in OPEN_DELIVERABLE_STATUSES and d.due_date <= end
        ],
        *[
            ("action", _("Action"), a)
            for a in actions
            if a.status in OPEN_ACTION_STATUSES and a.due_date <= end
        ],
    ]
    return [
        _row_deadline(r, kind=kind, label=label, project_title=project.title, url=url, today=today)
        for kind, label, r in rows
    ]


def deadlines_for(user: User, *, start: date | None, end: date, today: date | None = None) -> list[Deadline]:
    """What the user has to watch up to `end`: things they own, and the deadlines of the projects they
    steer (staff), or of their organisation (partners). Directors also see every gate date.

    `start=None` keeps every open deadline already past, however old: something late stays on the list
    until it is done (the deadlines page and the home panel). The calendar feed passes a start date."""
    today = today or timezone.localdate()
    due = Q(due_date__lte=end) if start is None else Q(due_date__gte=start, due_date__lte=end)
    if access.is_team(user):
        steered = Q(project__staff_leads=user)
        milestones = Milestone.objects.filter(Q(owner=user) | steered, due)
        deliverables = Deliverable.objects.filter(Q(owner_user=user) | steered, due)
        actions = Action.objects.filter(Q(owner_user=user) | steered, due)
        periods = PhasePeriod.objects.filter(actual_end__isnull=True, planned_end__lte=end)
        if start is not None:
            periods = periods.filter(planned_end__gte=start)
        if not access.is_director(user):
            periods = periods.filter(project__staff_leads=user)
        prospects = Prospect.objects.filter(owner=user, next_action_date__lte=end).exclude(
            stage__in=CLOSED_PROSPECT_STAGES
        )
        if start is not None:
            prospects = prospects.filter(next_action_date__gte=start)
        team_url = True
    elif access.is_partner(user):
        # What the partner handles in the portal: the same rule as "Mon projet" (the models' portal_rule).
        milestones = Milestone.objects.none()
        deliverables = access.portal_scoped(user, Deliverable).filter(due)
        actions = access.portal_scoped(user, Action).filter(due)
        periods = PhasePeriod.objects.none()
        prospects = Prospect.objects.none()
        team_url = False
    else:
        return []

    def on_project_tab(tab: str) -> Callable[[Milestone | Deliverable | Action], str]:
        # The team handles them on the project's tab; partners on "Mon projet", which their home leads to
        # (the portal is a higher app: this one does not name its URLs).
        if team_url:
            return lambda r: reverse(f"projects:project.{tab}", args=[r.project_id])
        return lambda r: reverse("home")

    items = [
        *_project_deadlines(
            milestones.filter(status__in=OPEN_MILESTONE_STATUSES),
            kind="milestone",
            label=_("Jalon"),
            url=on_project_tab("deliverables"),
            today=today,
        ),
        *_project_deadlines(
            deliverables.filter(status__in=OPEN_DELIVERABLE_STATUSES),
            kind="deliverable",
            label=_("Livrable"),
            url=on_project_tab("deliverables"),
            today=today,
        ),
        *_project_deadlines(
            actions.filter(status__in=OPEN_ACTION_STATUSES),
            kind="action",
            label=_("Action"),
            url=on_project_tab("governance"),
            today=today,
        ),
    ]
    for p in periods.select_related("project").distinct():
        assert p.planned_end is not None  # filtered on its range above
        items.append(
            Deadline(
                "phase_end",
                _("Décision d’étape"),
                p.planned_end,
                _("Fin de la phase « %(phase)s »") % {"phase": p.get_phase_display()},
                p.project.title,
                reverse("projects:gate.dossier", args=[p.project_id]),
                p.planned_end < today,
                f"phase-{p.pk}",
                p.project_id,
            )
        )
    if team_url:
        items.extend(_funding_deadlines(user, start=start, end=end, today=today))
    for pr in prospects.select_related("organisation"):
        assert pr.next_action_date is not None  # filtered on its range above
        items.append(
            Deadline(
                "prospect",
                _("Prospect"),
                pr.next_action_date,
                pr.next_action or _("Prochaine action"),
                pr.organisation.name,
                reverse("prospects:prospect.detail", args=[pr.pk]),
                pr.next_action_date < today,
                f"prospect-{pr.pk}",
            )
        )
    items.sort(key=lambda d: (d.date, d.title))
    return items


def late_first(items: list[Deadline]) -> list[Deadline]:
    """The late deadlines among `items`, gate decisions first, then by kind (LATE_ORDER) and oldest first."""
    return sorted((d for d in items if d.late), key=lambda d: (LATE_ORDER.index(d.kind), d.date, d.title))


PANEL_HORIZON_DAYS = 30
PANEL_LATE_ROWS = 10
PANEL_UPCOMING_ROWS = 15


class DeadlinesPanel(TypedDict):
    overdue: list[Deadline]
    overdue_more: int
    upcoming: list[Deadline]
    upcoming_more: int
    horizon: int
    digest_enabled: bool


def deadlines_panel(user: User, *, today: date) -> DeadlinesPanel:
    """The home page's "Mes échéances" panel, from the same source as the deadlines page: everything
    late (gate decisions first, 10 rows and the count of the others) and the next 30 days' (15 rows)."""
    items = deadlines_for(user, start=None, end=today + timedelta(days=PANEL_HORIZON_DAYS), today=today)
    overdue = late_first(items)
    upcoming = [d for d in items if not d.late]
    return {
        "overdue": overdue[:PANEL_LATE_ROWS],
        "overdue_more": max(0, len(overdue) - PANEL_LATE_ROWS),
        "upcoming": upcoming[:PANEL_UPCOMING_ROWS],
        "upcoming_more": max(0, len(upcoming) - PANEL_UPCOMING_ROWS),
        "horizon": PANEL_HORIZON_DAYS,
        "digest_enabled": user.digest_enabled,
    }


class CalendarEvents(TypedDict):
    deadlines: list[Deadline]
    workshops: list[Workshop]
    committees: list[Committee]
    events: list[ProgrammeEvent]


def calendar_events(user: User, *, today: date) -> CalendarEvents:
    """Deadlines, workshops, committees and the programme's events (prospects.events: those the person is
    on the team of; a partner's, those their structure is invited to) for the user's calendar feed (a year
    ahead, 90 days back)."""
    start, end = today - timedelta(days=90), today + timedelta(days=365)
    deadlines = deadlines_for(user, start=start, end=end, today=today)
    workshops = access.scoped(user, Workshop).filter(starts_at__date__gte=start, starts_at__date__lte=end)
    committees = access.scoped(user, Committee).filter(date__gte=start, date__lte=end)
    events = access.scoped(user, ProgrammeEvent).filter(date__gte=start, date__lte=end)
    if access.is_team(user) and not access.is_director(user):
        workshops = workshops.filter(Q(project__staff_leads=user) | Q(facilitator=user))
        committees = committees.filter(Q(project__staff_leads=user) | Q(staff_attendees=user))
        events = events.filter(staff=user)
    return {
        "deadlines": deadlines,
        "workshops": list(workshops.select_related("project").distinct()),
        "committees": list(committees.select_related("project").distinct()),
        "events": list(events.distinct().order_by("date", "start_time")),
    }


# --- Project page ------------------------------------------------------------------------------------


def current_period(project: Project, *, periods: Iterable[PhasePeriod] | None = None) -> PhasePeriod | None:
    """The period of the phase under way (`periods`: the project's, when the caller read them already)."""
    for period in project.phase_periods.all() if periods is None else periods:
        if period.phase == project.phase and period.actual_end is None:
            return period
    return None


def with_open_period(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """`queryset` with its projects' open period (`current_period`'s: the period of the phase under way,
    not ended — one at most, `one_period_per_phase`) read on the project's own row by a join — its pk,
    actual start and planned end, all the project page's head shows — rather than by prefetching every
    period: `open_period` gives it back without a query."""
    return queryset.annotate(
        open_period=FilteredRelation(
            "phase_periods",
            condition=Q(phase_periods__phase=F("phase"), phase_periods__actual_end__isnull=True),
        ),
        open_period_pk=F("open_period__pk"),
        open_period_start=F("open_period__actual_start"),
        open_period_end=F("open_period__planned_end"),
    )


def open_period(project: Project) -> PhasePeriod | None:
    """`current_period(project)` — from the columns `with_open_period` read when the project was fetched
    with them (no query; a period holding its pk, phase and the dates the head shows), else as it says."""
    if not hasattr(project, "open_period_pk"):
        return current_period(project)
    if project.open_period_pk is None:
        return None
    return PhasePeriod(
        pk=project.open_period_pk,
        project=project,
        phase=project.phase,
        actual_start=getattr(project, "open_period_start"),  # noqa: B009 — an annotation
        planned_end=getattr(project, "open_period_end"),  # noqa: B009
        actual_end=None,
    )


def gate_dossier(user: User, project: Project, *, today: date | None = None) -> dict[str, Any]:
    """What a stop/continue decision needs, in one place. The evaluation part (indicators, maturity) is
    not here: the page loads it by URL from the evaluation app."""
    today = today or timezone.localdate()
    periods = list(project.phase_periods.all())
    period = next((p for p in periods if p.phase == project.phase and p.actual_end is None), None)
    since = period.actual_start if period and period.actual_start else None
    workshops = project.workshops.prefetch_related("items").annotate(
        present_count=Count("attendances", filter=Q(attendances__present=True)),
        invited_count=Count("attendances", filter=Q(attendances__invited=True)),
    )
    if since:
        workshops = workshops.filter(starts_at__date__gte=since)
    workshops = workshops.filter(starts_at__lte=timezone.now()).order_by("starts_at")
    milestones = list(project.milestones.select_related("owner").order_by("due_date"))
    deliverables = list(
        project.deliverables.select_related("owner_organisation", "owner_user").order_by("due_date")
    )
    actions = list(
        project.actions.filter(status__in=OPEN_ACTION_STATUSES).select_related("owner_user", "owner_person")
    )
    risks: list[str] = []
    if period and period.is_late(today):
        assert period.planned_end is not None  # a late period has a planned end
        risks.append(
            _("La phase a dépassé sa fin prévue (%(d)s) : décision d’étape en retard.")
            % {"d": fr_date(period.planned_end)}
        )
    for m in milestones:
        if m.is_late(today):
            risks.append(
                _("Jalon en retard : %(t)s (prévu le %(d)s)") % {"t": m.title, "d": fr_date(m.due_date)}
            )
    for d in deliverables:
        if d.is_late(today):
            risks.append(
                _("Livrable non remis : %(t)s (attendu le %(d)s)") % {"t": d.title, "d": fr_date(d.due_date)}
            )
    for a in actions:
        if a.due_date < today:
            risks.append(
                _("Action en retard : %(t)s (échéance %(d)s)") % {"t": a.title, "d": fr_date(a.due_date)}
            )
    for s in project.stakeholders.filter(engagement=Engagement.RESISTANT, influence__gte=3):
        risks.append(_("Acteur influent réticent : %(n)s") % {"n": s.name})
    left = project.memberships.filter(left_on__isnull=False, left_on__lte=today).select_related(
        "organisation"
    )
    for membership in left:
        assert membership.left_on is not None  # filtered above
        risks.append(
            _("Membre sorti du collectif : %(o)s (le %(d)s)")
            % {"o": membership.organisation, "d": fr_date(membership.left_on)}
        )
    return {
        "period": period,
        "late": bool(period and period.is_late(today)),
        "workshops": list(workshops),
        "items": list(project.design_items.select_related("answers", "workshop")),
        "milestones": milestones,
        "milestones_done": sum(m.status == MilestoneStatus.DONE for m in milestones),
        "milestones_late": sum(m.is_late(today) for m in milestones),
        "deliverables": deliverables,
        "deliverables_accepted": sum(d.status == DeliverableStatus.ACCEPTED for d in deliverables),
        "committees": list(project.committees.prefetch_related("decisions").order_by("-date")[:5]),
        "open_actions": actions,
        "actions_done": project.actions.filter(status=ActionStatus.DONE).count(),
        "risks": risks,
        "decisions": list(project.gate_decisions.select_related("decided_by")),
        "today": today,
    }


def collective_people(user: User, project: Project) -> QuerySet[Person]:
    """Contacts of the collective, as the user may see them: people of member organisations and people
    named in a membership, not anonymised."""
    return (
        access.scoped(user, Person)
        .filter(anonymised_at__isnull=True)
        .filter(Q(organisation__memberships__project=project) | Q(memberships__project=project))
        .distinct()
        .order_by("last_name", "first_name")
    )


def collectives_contacts(user: User, project_ids: Iterable[int]) -> dict[int, set[int]]:
    """The contacts of each project's collective today (the ids of the people `collective_people` lists,
    for the memberships in force): the people of the member structures and those named in a membership, not
    anonymised. Two queries whatever the number of projects."""
    contacts: dict[int, set[int]] = {pk: set() for pk in project_ids}
    members = list(
        access.scoped(user, Membership)
        .filter(access.active_membership_q(), project_id__in=contacts)
        .values_list("project_id", "organisation_id", "person_id")
    )
    organisations = {organisation for _project, organisation, _person in members}
    named = {person for _project, _organisation, person in members if person is not None}
    people: dict[int, set[int]] = {}
    alive: set[int] = set()
    for pk, organisation_id in (
        access.scoped(user, Person)
        .filter(anonymised_at__isnull=True)
        .filter(Q(organisation_id__in=organisations) | Q(pk__in=named))
        .values_list("pk", "organisation_id")
    ):
        people.setdefault(organisation_id, set()).add(pk)
        alive.add(pk)
    for project_id, organisation_id, person_id in members:
        contacts[project_id] |= people.get(organisation_id, set())
        if person_id in alive:
            contacts[project_id].add(person_id)
    return contacts


#: The records whose changes the overview's history shows beside the project's own: (model, lookup to the
#: project) — the collective, deadlines, documents and money.
PROJECT_TRAIL: tuple[Child, ...] = (
    (Membership, "project"),
    (Milestone, "project"),
    (Deliverable, "project"),
    (Document, "project"),
    (Budget, "project"),
    (FundingRequest, "project"),
    (Convention, "project"),
    (Instalment, "convention__project"),
    (Payment, "convention__project"),
)


class Upcoming(NamedTuple):
    """A row of the overview's « Prochaines échéances »: its model (Milestone, Deliverable, Action) says
    its kind and its status's labels."""

    due_date: date
    model: type[Milestone | Deliverable | Action]
    title: str
    status: str


#: What falls due within this many days is on the overview.
UPCOMING_DAYS = 60
#: The kinds of the overview's « Prochaines échéances », in the order of a day's rows, with their open
#: statuses.
UPCOMING_KINDS: tuple[tuple[type[Milestone | Deliverable | Action], tuple[str, ...]], ...] = (
    (Milestone, tuple(OPEN_MILESTONE_STATUSES)),
    (Deliverable, tuple(OPEN_DELIVERABLE_STATUSES)),
    (Action, tuple(OPEN_ACTION_STATUSES)),
)


def _overview_round(_shape: object) -> list[QuerySet[Any, Any]]:
    """The overview's lists of small rows, for the project stand_in(0) and SENTINEL_DAY: what falls due
    within 60 days (a queryset per kind), the staff leads and the themes (numbered by name)."""
    project = stand_in(0)
    horizon = SENTINEL_DAY + timedelta(days=UPCOMING_DAYS)
    due = [
        model._default_manager.filter(project_id=project, status__in=statuses, due_date__lte=horizon)
        .order_by()
        .values_list("id", "due_date", "title", "status")
        for model, statuses in UPCOMING_KINDS
    ]
    leads = (
        User.objects.filter(steered_projects=project)
        .order_by()
        .values_list("id", "first_name", "last_name", "email")
    )
    themes = (
        Theme.objects.filter(projects=project)
        .order_by()
        .values_list(Window(RowNumber(), order_by=[F("name").asc(), F("id").asc()]), "name")
    )
    return [*due, leads, themes]


#: The overview's lists read in one statement (programme.batch.Prepared), compiled once per process.
OVERVIEW_ROUND = Prepared(_overview_round)


def _overview_members(_shape: object) -> "QuerySet[Membership]":
    with access.as_of(SENTINEL_DAY):
        return (
            Membership.objects.filter(access.active_membership_q(), project_id=stand_in(0))
            .select_related("organisation", "person")
            .order_by("role", "organisation__name")
        )


#: The overview's members in force (with their structure and person) and its gate decisions (with who
#: decided), for the project stand_in(0): each statement compiled once per process (batch.PreparedModels).
OVERVIEW_MEMBERS = PreparedModels(_overview_members)
OVERVIEW_DECISIONS = PreparedModels(
    lambda _shape: GateDecision.objects.filter(project_id=stand_in(0)).select_related("decided_by")
)


def project_overview(user: User, project: Project, *, today: date) -> dict[str, Any]:
    """The overview tab of a project the user may see (fetched through access.scoped): its staff leads
    and themes (as their names), the active members, what falls due within 60 days (`Upcoming` rows, by
    date), the gate decisions and the latest audit entries."""
    values = {stand_in(0): project.pk}
    *due, leads, themes = OVERVIEW_ROUND.rows(values=values, today=today)
    upcoming = sorted(
        (
            (due_date, kind, pk, Upcoming(due_date, model, title, status))
            for kind, ((model, _statuses), rows) in enumerate(zip(UPCOMING_KINDS, due, strict=True))
            for pk, due_date, title, status in rows
        ),
        key=lambda row: row[:3],
    )
    return {
        "leads": [User.name_of(first, last, email) for _pk, first, last, email in sorted(leads)],
        "themes": [name for _n, name in sorted(themes)],
        "members": OVERVIEW_MEMBERS.objects(values=values, today=today),
        "upcoming": [row[3] for row in upcoming],
        "decisions": OVERVIEW_DECISIONS.objects(values=values, today=today),
        "audit_entries": record_history(project, *PROJECT_TRAIL),
    }


# --- Menus ---------------------------------------------------------------------------------------------


def menu_projects(
    user: User, *, programme_id: int | None = None, active: bool = False, located: bool = False
) -> QuerySet[Project]:
    """The projects a menu may offer the user, by title, with their lead structure: of one programme when
    `programme_id` is given, of the active programmes only with `active`, situated on a territory with
    `located`."""
    rows = access.scoped(user, Project).select_related("lead_organisation").order_by("title", "pk")
    if programme_id is not None:
        rows = rows.filter(programme_id=programme_id)
    if located:
        rows = rows.filter(territory__isnull=False)
    return rows.filter(programme__is_active=True) if active else rows


def project_search(rows: QuerySet[Project], text: str) -> QuerySet[Project]:
    """The projects whose title or lead structure holds `text` (the list's search, the problem aside)."""
    return rows.filter(project_search_q(text))

"""The project timeline, computed server-side and drawn as inline SVG (no JS library, CSP-safe).

Each phase gets a row with two bars: planned (outlined) and actual (filled, in the phase colour);
milestones, workshops and committees are markers on their own rows; a line marks today."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.batch import Prepared, stand_in
from programme.formatting import choice_labels, date_writer
from programme.forms import DATE_RANGE

from .models import OPEN_MILESTONE_STATUSES, Committee, Milestone, Phase, PhasePeriod, Project, Workshop

WIDTH = 960
LABEL_W = 170
ROW_H = 30
BAR_H = 9


@dataclass
class Bar:
    label: str
    phase: str
    y: int
    planned: tuple[float, float] | None
    actual: tuple[float, float] | None
    open_ended: bool
    late: bool
    title: str


@dataclass
class Marker:
    x: float
    y: int
    kind: str
    title: str
    late: bool = False


@dataclass
class Timeline:
    bars: list[Bar] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    rows: list[tuple[int, str]] = field(default_factory=list)
    today_x: float | None = None
    height: int = 0
    width: int = WIDTH
    label_w: int = LABEL_W
    bar_h: int = BAR_H
    empty: bool = True


#: The drawable range: a date stored before the forms refused it (a milestone on 9999-12-31) is drawn at
#: the edge instead of overflowing the month arithmetic below.
FIRST_DAY, LAST_DAY = date(DATE_RANGE[0], 1, 1), date(DATE_RANGE[1], 12, 1)


def _bounded(d: date) -> date:
    return min(max(d, FIRST_DAY), LAST_DAY)


def _local_day(moment: datetime, zone: tzinfo) -> date:
    """The day of an aware `moment` in `zone` (timezone.localtime's, without its checks)."""
    try:
        return moment.astimezone(zone).date()
    except OverflowError:  # 31 Dec 9999 late in the evening, UTC, is already year 10000 in Paris
        return moment.date()


def build(
    project: Project,
    *,
    periods: list[PhasePeriod],
    milestones: list[tuple[date, str, bool]],
    workshops: list[tuple[datetime, str]],
    committees: list[tuple[date, str]],
    today: date | None = None,
) -> Timeline:
    """The frieze of `project`: its phase `periods` as bars, and as markers its `milestones` (due date,
    title, late or not), `workshops` (start, title) and `committees` (date, name), each in the order
    given."""
    today = today or timezone.localdate()
    write_date, write_month = date_writer(), date_writer("month")  # the language looked up once
    zone = timezone.get_current_timezone()
    local = [_local_day(starts_at, zone) for starts_at, _title in workshops]
    dates = [today]
    for p in periods:
        dates += [d for d in (p.planned_start, p.planned_end, p.actual_start, p.actual_end) if d]
    dates += [day for day, _title, _late in milestones] + local + [day for day, _name in committees]
    start, end = _bounded(min(dates)), _bounded(max(dates))
    start = start.replace(day=1)
    end = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    span = max((end - start).days, 1)
    plot_w = WIDTH - LABEL_W - 10

    xs: dict[date, float] = {}  # a day's x and text worked out once (two hundred markers share ~140 days)
    texts: dict[date, str] = {}

    def x(d: date) -> float:
        position = xs.get(d)
        if position is None:
            position = xs[d] = round(LABEL_W + (_bounded(d) - start).days / span * plot_w, 1)
        return position

    def day_text(d: date) -> str:
        text = texts.get(d)
        if text is None:
            text = texts[d] = write_date(d)
        return text

    tl = Timeline(empty=not (periods or milestones or workshops or committees))
    phases = choice_labels(PhasePeriod, "phase")
    y = 28
    for p in periods:
        planned_end = p.planned_end or p.actual_end or today
        actual = None
        if p.actual_start:
            actual = (x(p.actual_start), max(x(p.actual_end or today) - x(p.actual_start), 2))
        late = p.actual_end is None and p.planned_end is not None and p.planned_end < today
        title = _("%(phase)s — prévu du %(ps)s au %(pe)s") % {
            "phase": phases.get(p.phase, p.phase),
            "ps": write_date(p.planned_start),
            "pe": write_date(p.planned_end) if p.planned_end else _("(sans fin prévue)"),
        }
        if p.actual_start:
            title += _(" ; effectif depuis le %(as)s") % {"as": write_date(p.actual_start)}
            if p.actual_end:
                title += _(" jusqu’au %(ae)s") % {"ae": write_date(p.actual_end)}
        tl.bars.append(
            Bar(
                label=phases.get(p.phase, p.phase),
                phase=p.phase,
                y=y,
                planned=(x(p.planned_start), max(x(planned_end) - x(p.planned_start), 2)),
                actual=actual,
                open_ended=p.planned_end is None,
                late=late,
                title=title,
            )
        )
        tl.rows.append((y, phases.get(p.phase, p.phase)))
        y += ROW_H
    for label, kind, entries in (
        (_("Jalons"), "milestone", milestones),
        (
            _("Ateliers"),
            "workshop",
            [(d, title, False) for d, (_at, title) in zip(local, workshops, strict=True)],
        ),
        (_("Comités"), "committee", [(day, name, False) for day, name in committees]),
    ):
        if not entries:
            continue
        tl.rows.append((y, label))
        for d, title, late in entries:
            tl.markers.append(Marker(x=x(d), y=y + 5, kind=kind, title=f"{day_text(d)} — {title}", late=late))
        y += ROW_H
    tl.height = y + 6
    tl.today_x = x(today)
    # Month ticks, spaced so their labels never overlap (at least ~70 px apart).
    px_per_month = plot_w / max(span / 30.44, 1)
    step = next((s for s in (1, 2, 3, 6, 12) if s * px_per_month >= 70), 12)
    cursor = start
    while cursor <= end:
        if (cursor.month - 1) % step == 0 and x(cursor) <= WIDTH - 30:
            tl.ticks.append((x(cursor), write_month(cursor)))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return tl


PHASE_ORDER = {p: i for i, p in enumerate(Phase.values)}


#: What a phase period's bar and row need (every column of its table).
PERIOD_FIELDS = tuple(f.attname for f in PhasePeriod._meta.concrete_fields)


def _frieze_round(_shape: object) -> list[QuerySet[Any, Any]]:
    """The frieze's rows for the project stand_in(0): its phase periods, milestones, workshops and
    committees, each with its id to keep the models' order on equal dates."""
    project = stand_in(0)
    return [
        PhasePeriod.objects.filter(project_id=project).order_by().values(*PERIOD_FIELDS),
        Milestone.objects.filter(project_id=project)
        .order_by()
        .values_list("due_date", "id", "title", "status"),
        Workshop.objects.filter(project_id=project).order_by().values_list("starts_at", "id", "title"),
        Committee.objects.filter(project_id=project).order_by().values_list("date", "id", "kind"),
    ]


#: The frieze's four lists in one statement (programme.batch.Prepared), compiled once per process.
FRIEZE_ROUND = Prepared(_frieze_round)


def project_frieze(project: Project, *, today: date) -> tuple[list[PhasePeriod], Timeline]:
    """The « Frise » tab of `project` (already fetched through the access rules): its phase periods by
    planned start, and its frieze — milestones by due date, workshops and committees by date — read in one
    statement."""
    period_rows, milestones, workshops, committees = FRIEZE_ROUND.rows(
        values={stand_in(0): project.pk}, today=today
    )
    periods = sorted((PhasePeriod(**row) for row in period_rows), key=lambda p: (p.planned_start, p.pk))
    tl = build(
        project,
        periods=periods,
        milestones=[
            (due, title, status in OPEN_MILESTONE_STATUSES and due < today)
            for due, _pk, title, status in sorted(milestones)
        ],
        workshops=[(starts_at, title) for starts_at, _pk, title in sorted(workshops)],
        committees=[(day, str(Committee(kind=kind, date=day))) for day, _pk, kind in sorted(committees)],
        today=today,
    )
    return periods, tl

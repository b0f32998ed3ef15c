"""Reads of the team inbox « À traiter »: each source's items for a member or the whole team, the count
in the navigation. "For me" is decided in SQL: an explicit assignment to the member, or none and the
member among the source's default assignees — never by filtering rows in Python."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.utils import timezone

from programme import access
from programme.access import TEAM_ROLES
from programme.batch import SENTINEL_DAY, on_day
from programme.models import User

from ..models import Project
from .models import Assignment, Seen
from .registry import Line, Source, source, sources

#: Items shown per section; the section's count says how many there are in all.
SECTION_ROWS = 50


@dataclass
class Item:
    source: Source
    pk: int
    line: Line
    url: str
    assignees: list[str]
    assigned_id: int | None  # an explicit assignment (None: the default assignees)


@dataclass
class Section:
    source: Source
    count: int
    items: list[Item]
    #: The items as HTML, built once per page by the view (`rows.section_rows`).
    rows_html: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def team_members() -> QuerySet[User]:
    """Who an item may be assigned to: the active members of the programme team."""
    return User.objects.filter(is_active=True, role__in=TEAM_ROLES).order_by("first_name", "last_name", "pk")


def _same_item(model: type[Any]) -> Q:
    """The inbox row naming the outer row (by its content type's natural key: no extra query for it)."""
    return Q(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=OuterRef("pk"),
    )


def rows_for(source: Source, *, today: date, member_id: int | None) -> QuerySet[Any]:
    """The source's open items, each with `inbox_assignee_id` (its explicit assignment), for the member
    (`member_id`) or the whole team (None)."""
    rows: QuerySet[Any] = source.rows(today)
    model = rows.model
    assigned = Assignment.objects.filter(_same_item(model)).values("assignee_id")[:1]
    rows = rows.annotate(inbox_assignee_id=Subquery(assigned))
    if source.seen_after:
        seen = Seen.objects.filter(_same_item(model), seen_at__gte=OuterRef(source.seen_after))
        rows = rows.exclude(Q(Exists(seen)))
    if member_id is not None:
        # Written as `pk IN (…)` / `NOT pk IN (…)` over the kind's assignments rather than with the
        # per-row `inbox_assignee_id`: PostgreSQL computes each set once and probes it (a hashed subplan),
        # where the annotation was a subquery run twice per open row (12,500 open actions: 200 ms).
        of_kind = Assignment.objects.filter(
            content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
        )
        to_member = Q(pk__in=of_kind.filter(assignee_id=member_id).values("object_id"))
        mine = to_member if source.reassignable else Q(pk__in=[])
        unassigned = ~Q(pk__in=of_kind.values("object_id"))
        rows = rows.filter(mine | (unassigned & source.default_for(member_id)))
    return rows


def _as_date(value: Any) -> date | None:
    """A date column as a date: a datetime read as the local day; SQLite gives both as text."""
    if value is None or (type(value) is date):
        return value
    if isinstance(value, str):
        if len(value) == 10:
            return date.fromisoformat(value)
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, UTC)
        return timezone.localdate(value)
    return value  # type: ignore[no-any-return]


@cache
def _rows_sql(key: str, *, mine: bool, rows: int) -> tuple[str, tuple[Any, ...]]:
    """A section's SQL — its first `rows` items as plain columns, with the explicit assignee and the
    section's total (COUNT(*) OVER ()) — and its parameters, compiled once per process with the stand-ins
    (`_actual` puts this request's day and member back): building and compiling the querysets cost more
    than running them."""
    found = source(key)
    assert found is not None
    qs = rows_for(found, today=SENTINEL_DAY, member_id=SENTINEL_MEMBER if mine else None)
    columns = {f"inbox_{name}": F(c) if isinstance(c, str) else c for name, c in found.columns.items()}
    qs = qs.annotate(inbox_total=Window(Count("pk"))).values(
        "pk", "inbox_assignee_id", "inbox_total", **columns
    )[:rows]
    sql, params = qs.query.sql_with_params()
    return sql, tuple(params)


def _section_rows(found: Source, *, today: date, member_id: int | None, rows: int) -> list[dict[str, Any]]:
    sql, params = _rows_sql(found.key, mine=member_id is not None, rows=rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_actual(p, today=today, member_id=member_id or 0) for p in params])
        # The columns' names as the sources read them, worked out once per section (not once per row).
        names = [_column_name(c[0]) for c in cursor.description]
        fetched = cursor.fetchall()
    dates = [name for name in found.dates if name in names]
    result = []
    for values in fetched:
        row = dict(zip(names, values, strict=True))
        for name in dates:
            row[name] = _as_date(row[name])
        result.append(row)
    return result


def _column_name(column: str) -> str:
    """`inbox_title` → `title`; the explicit assignment and the total under their own names."""
    if column == "inbox_assignee_id":
        return "assignee_id"
    if column == "inbox_total":
        return "total"
    return column.removeprefix("inbox_")


def inbox(
    user: User,
    *,
    member_id: int | None,
    today: date,
    rows: int = SECTION_ROWS,
    members: list[User] | None = None,
) -> list[Section]:
    """Every section of the inbox, for the member or the whole team: its count and its first rows — one
    query per section, and one for the staff leads of every listed project.
    `members`: the team members already read by the caller (their names say who an item is assigned to)."""
    if not access.is_team(user):
        return []
    names = {u.pk: u.get_full_name() or u.email for u in (members if members is not None else team_members())}
    found = [(s, _section_rows(s, today=today, member_id=member_id, rows=rows)) for s in sources()]
    projects = {r[s.leads] for s, section in found if s.leads for r in section if r[s.leads]}
    leads: dict[int, list[str]] = {}
    if projects:
        through = Project.staff_leads.through.objects.filter(project_id__in=projects)
        for project_id, user_id in through.order_by(
            "user__first_name", "user__last_name", "user_id"
        ).values_list("project_id", "user_id"):
            if user_id in names:
                leads.setdefault(project_id, []).append(names[user_id])
    sections = []
    for s, section in found:
        items = []
        for row in section:
            if row["assignee_id"]:
                assignees = [names.get(row["assignee_id"], "")]
            elif s.owner and row.get(s.owner):
                assignees = [names[row[s.owner]]] if row[s.owner] in names else []
            elif s.leads:
                assignees = leads.get(row[s.leads], [])
            else:
                assignees = []
            items.append(
                Item(
                    source=s,
                    pk=row["pk"],
                    line=s.line(row, today),
                    url=s.handled_at_url(row),
                    assignees=assignees,
                    assigned_id=row["assignee_id"],
                )
            )
        sections.append(Section(source=s, count=section[0]["total"] if section else 0, items=items))
    return sections


#: Stand-ins the inbox's SQL is compiled with, once per process (`_count_sql`, `_rows_sql`): every date a
#: source filters on is relative to today (`programme.batch.SENTINEL_DAY`), and the member is the only
#: other value that changes.
SENTINEL_MEMBER = 1_999_000_001


@cache
def _count_sql(keys: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
    """The count's SQL — one UNION ALL over every source, counted — and its parameters, built with the
    stand-ins: building and compiling eight querysets costs more than running them, on every page."""
    parts = [
        rows_for(s, today=SENTINEL_DAY, member_id=SENTINEL_MEMBER)
        .prefetch_related(None)
        .order_by()
        .values_list(Value(1))
        for s in sources()
        if s.key in keys
    ]
    first, *others = parts
    sql, params = first.union(*others, all=True).order_by().query.sql_with_params()
    # `sql` is Django's own compilation, its values all in `params`: nothing typed by a person is inlined.
    return f"SELECT COUNT(*) FROM ({sql}) inbox_items", tuple(params)  # noqa: S608


def _actual(param: Any, *, today: date, member_id: int) -> Any:
    """A stand-in parameter replaced by its value for this request (dates moved by as many days)."""
    if param == SENTINEL_MEMBER:
        return member_id
    return on_day(param, today=today)


def inbox_count(user: User, *, today: date) -> int:
    """How many items wait for the user (the navigation's badge): one query for every source, its SQL
    compiled once per process."""
    if not access.is_team(user):
        return 0
    keys = tuple(s.key for s in sources())
    if not keys:
        return 0
    sql, params = _count_sql(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_actual(p, today=today, member_id=user.pk) for p in params])
        row = cursor.fetchone()
    return int(row[0]) if row else 0

"""Reads of the team inbox « À traiter »: each source's items for a member or the whole team, the count
in the navigation. "For me" is decided in SQL: an explicit assignment to the member, or none and the
member among the source's default assignees — never by filtering rows in Python."""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, Window

from programme import access
from programme.access import TEAM_ROLES
from programme.models import User

from .models import Assignment, Seen
from .registry import Line, Source, sources

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
        mine = Q(inbox_assignee_id=member_id) if source.reassignable else Q(pk__in=[])
        rows = rows.filter(mine | (Q(inbox_assignee_id__isnull=True) & source.default_for(member_id)))
    return rows


def inbox(
    user: User,
    *,
    member_id: int | None,
    today: date,
    rows: int = SECTION_ROWS,
    members: list[User] | None = None,
) -> list[Section]:
    """Every section of the inbox, for the member or the whole team: its count and its first rows.
    `members`: the team members already read by the caller (their names say who an item is assigned to)."""
    if not access.is_team(user):
        return []
    names = {u.pk: u.get_full_name() or u.email for u in (members if members is not None else team_members())}
    sections = []
    for source in sources():
        qs = rows_for(source, today=today, member_id=member_id)
        # The section's total rides along on every row (COUNT(*) OVER ()): one query per section.
        found = list(qs.annotate(inbox_total=Window(Count("pk")))[:rows])
        count = found[0].inbox_total if found else 0
        items = [
            Item(
                source=source,
                pk=row.pk,
                line=source.line(row, today),
                url=source.handled_at_url(row),
                assignees=[names.get(row.inbox_assignee_id, "")]
                if row.inbox_assignee_id
                else source.defaults(row),
                assigned_id=row.inbox_assignee_id,
            )
            for row in found
        ]
        sections.append(Section(source=source, count=count, items=items))
    return sections


#: Stand-ins the navigation count's SQL is compiled with, once per process (`_count_sql`): every date a
#: source filters on is relative to today, and the member is the only other value that changes.
SENTINEL_DAY = date(1999, 1, 1)
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
    shift = today - SENTINEL_DAY
    if type(param) is date:
        return param + shift
    if isinstance(param, str) and len(param) == 10 and param[:2] == "19" and param[4] == "-":
        return (date.fromisoformat(param) + shift).isoformat()
    return param


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

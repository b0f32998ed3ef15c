"""Reads of the team inbox « À traiter »: each source's items for a member or the whole team, the count
in the navigation. "For me" is decided in SQL: an explicit assignment to the member, or none and the
member among the source's default assignees — never by filtering rows in Python."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from programme import access
from programme.access import TEAM_ROLES
from programme.batch import ARGUMENT, SENTINEL_DAY, Union, on_day, prepared_raw_rows
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


def team_names() -> list[tuple[int, str]]:
    """The team members as (id, name), in `team_members`' order — what the filter, the « Réassigner » menu
    and the rows read: the name as `User.__str__` writes it, without a model instance per member."""
    sql, params = _team_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(pk, User.name_of(first, last, email)) for pk, first, last, email in cursor.fetchall()]


# Two small reads of every page, compiled once per process: compiling them cost more than running them.
@cache
def _team_sql() -> tuple[str, tuple[Any, ...]]:
    query = team_members().values_list("pk", "first_name", "last_name", "email").query
    sql, params = query.sql_with_params()
    return sql, tuple(params)


@cache
def _leads_sql(count: int) -> str:
    """The (project, user) staff leads of `count` projects, their ids its parameters."""
    through = Project.staff_leads.through.objects.filter(project_id__in=range(1, count + 1))
    sql, params = through.values_list("project_id", "user_id").query.sql_with_params()
    assert list(params) == list(range(1, count + 1))
    return sql


#: The content types in the compiled statements, by stand-in (`_of_kind`): their ids differ from one
#: database to another, so a statement compiled once per process takes them as parameters, read through
#: Django's ContentType cache on each run (`_params`).
_KINDS: dict[int, type[Model]] = {}


def _of_kind(model: type[Model], *, stand_in: bool = False) -> Q:
    """The inbox rows (assignments, seen marks) of the model's items: by its content type's natural key (no
    extra query for it); in a compiled statement (`stand_in`) by its id, a stand-in parameter — a join
    less per subquery for PostgreSQL to plan (the page's statement has forty of them)."""
    if not stand_in:
        return Q(content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name)
    number = next((n for n, m in _KINDS.items() if m is model), SENTINEL_KIND + len(_KINDS))
    _KINDS[number] = model
    return Q(content_type_id=number)


def _same_item(model: type[Model], *, stand_in: bool = False) -> Q:
    """The inbox row naming the outer row."""
    return _of_kind(model, stand_in=stand_in) & Q(object_id=OuterRef("pk"))


class InSubquery(Func):
    """`lhs IN (subquery)` — written `lhs = ANY(ARRAY(subquery))` on PostgreSQL, where the set is then one
    value computed first (an InitPlan) that an index can look up: OR-ed with an indexed condition (the
    action's owner), both are read by index (a BitmapOr) instead of every row being tested against a
    hashed subplan."""

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra
        )


def _open_items(
    source: Source, *, today: date, member_id: int | None, stand_in: bool = False
) -> QuerySet[Any]:
    """The source's open items for the member (`member_id`) or the whole team (None). `stand_in`: for a
    statement compiled once (content types as parameters, `_of_kind`)."""
    rows: QuerySet[Any] = source.rows(today)
    model = rows.model
    if source.seen_after:
        seen = Seen.objects.filter(
            _same_item(model, stand_in=stand_in), seen_at__gte=OuterRef(source.seen_after)
        )
        rows = rows.exclude(Q(Exists(seen)))
    if member_id is not None:
        # Written as `pk IN (…)` / `NOT pk IN (…)` over the kind's assignments rather than with the
        # per-row `inbox_assignee_id`: PostgreSQL computes each set once and probes it (a hashed subplan),
        # where the annotation was a subquery run twice per open row (12,500 open actions: 200 ms). The
        # member's own set as an `InSubquery`, so that the OR can read the member's rows by index.
        of_kind = Assignment.objects.filter(_of_kind(model, stand_in=stand_in))
        to_member = Q(
            InSubquery(F("pk"), Subquery(of_kind.filter(assignee_id=member_id).values("object_id")))
        )
        mine = to_member if source.reassignable else Q(pk__in=[])
        unassigned = ~Q(pk__in=of_kind.values("object_id"))
        rows = rows.filter(mine | (unassigned & source.default_for(member_id)))
    return rows


def rows_for(source: Source, *, today: date, member_id: int | None, stand_in: bool = False) -> QuerySet[Any]:
    """The source's open items, each with `inbox_assignee_id` (its explicit assignment), for the member
    (`member_id`) or the whole team (None)."""
    rows = _open_items(source, today=today, member_id=member_id, stand_in=stand_in)
    assigned = Assignment.objects.filter(_same_item(rows.model, stand_in=stand_in)).values("assignee_id")[:1]
    annotated: QuerySet[Any] = rows.annotate(inbox_assignee_id=Subquery(assigned))
    return annotated


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
def _statement(keys: tuple[str, ...], *, mine: bool, rows: int) -> tuple[Union, tuple[tuple[str, ...], ...]]:
    """The sections' ONE statement — for each source, its first `rows` items as plain columns (with the
    explicit assignee and their rank in the section's order), then its count, each a part of a UNION ALL
    (`programme.batch.Union`) — and the names of each part's columns, compiled once per process with the
    stand-ins (`_params` puts this request's values back): building and compiling the querysets
    cost more than running them. The count is a part of its own rather than a COUNT(*) OVER () of the
    items: PostgreSQL 15 then plans the items as the LIMIT's first rows in order (the member's few actions
    among 12,500 open ones, by the due-date index) and the count by the member's index."""
    querysets: list[QuerySet[Any]] = []
    member_id = SENTINEL_MEMBER if mine else None
    for key in keys:
        found = source(key)
        assert found is not None
        items = rows_for(found, today=SENTINEL_DAY, member_id=member_id, stand_in=True)
        order = list(items.query.order_by or items.model._meta.ordering)
        columns = {f"inbox_{name}": F(c) if isinstance(c, str) else c for name, c in found.columns.items()}
        querysets.append(
            items.annotate(inbox_rank=Window(RowNumber(), order_by=order)).values(
                "pk", "inbox_assignee_id", "inbox_rank", **columns
            )[:rows]
        )
        querysets.append(
            _open_items(found, today=SENTINEL_DAY, member_id=member_id, stand_in=True)
            .order_by()
            .annotate(inbox_one=Value(1))
            .values("inbox_one")
            .annotate(inbox_total=Count("pk"))
            .values("inbox_total")
        )
    names = tuple(
        tuple(_column_name(name) for name in (qs.query.selected or qs.query.values_select))
        for qs in querysets
    )
    return Union.of(querysets), names


def _sections(
    keys: tuple[str, ...], *, today: date, member_id: int | None, rows: int
) -> list[tuple[list[dict[str, Any]], int]]:
    """For each source of `keys`: its first `rows` items as dicts of its columns (in the section's
    order), and its count — in one query."""
    mine = member_id is not None
    statement, names = _statement(keys, mine=mine, rows=rows)
    # Prepared once per connection and day on PostgreSQL, the member its one argument: planning the
    # statement cost more than running it (`programme.batch.prepared_raw_rows`).
    parts = prepared_raw_rows(
        statement,
        _params(statement.params, today=today, member_id=ARGUMENT),
        form=("inbox", keys, mine, rows),
        argument=member_id or 0,
    )
    result = []
    for index, key in enumerate(keys):
        found = source(key)
        assert found is not None
        fetched, counted = parts[2 * index], parts[2 * index + 1]
        columns = names[2 * index]
        rank = columns.index("rank")
        fetched.sort(key=itemgetter(rank))  # the parts of a UNION ALL come in no guaranteed order
        dates = [name for name in found.dates if name in columns]
        items = []
        for values in fetched:
            row = dict(zip(columns, values, strict=True))
            for name in dates:
                row[name] = _as_date(row[name])
            items.append(row)
        result.append((items, int(counted[0][0]) if counted else 0))
    return result


def _section_rows(found: Source, *, today: date, member_id: int | None, rows: int) -> list[dict[str, Any]]:
    """One section's items (its first `rows`), as the page reads them."""
    return _sections((found.key,), today=today, member_id=member_id, rows=rows)[0][0]


def _column_name(column: str) -> str:
    """`inbox_title` → `title`; the explicit assignment under its own name."""
    if column == "inbox_assignee_id":
        return "assignee_id"
    return column.removeprefix("inbox_")


def inbox(
    user: User,
    *,
    member_id: int | None,
    today: date,
    rows: int = SECTION_ROWS,
    members: list[tuple[int, str]] | None = None,
) -> list[Section]:
    """Every section of the inbox, for the member or the whole team: its count and its first rows — one
    query for every section (`_statement`), and one for the staff leads of every listed project.
    `members`: the team members already read by the caller (`team_names`: their names say who an item is
    assigned to)."""
    if not access.is_team(user):
        return []
    names = dict(members if members is not None else team_names())
    listed = sources()
    found = list(
        zip(
            listed,
            _sections(tuple(s.key for s in listed), today=today, member_id=member_id, rows=rows),
            strict=True,
        )
    )
    projects = {r[s.leads] for s, (section, _count) in found if s.leads for r in section if r[s.leads]}
    leads: dict[int, list[str]] = {}
    if projects:
        # Each project's leads among the members, in the team's order (`team_members`: first name, last
        # name, id).
        team = list(names)
        rank = {pk: n for n, pk in enumerate(team)}
        with connection.cursor() as cursor:
            cursor.execute(_leads_sql(len(projects)), sorted(projects))
            pairs = sorted(
                (rank[user_id], project_id) for project_id, user_id in cursor.fetchall() if user_id in rank
            )
        for n, project_id in pairs:
            leads.setdefault(project_id, []).append(names[team[n]])
    sections = []
    for s, (section, count) in found:
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
        sections.append(Section(source=s, count=count, items=items))
    return sections


#: Stand-ins the inbox's SQL is compiled with, once per process (`_count_sql`, `_statement`): every date a
#: source filters on is relative to today (`programme.batch.SENTINEL_DAY`), the member is the only other
#: value that changes, and the content types are the database's (`_of_kind`, numbered from SENTINEL_KIND).
SENTINEL_MEMBER = 1_999_000_001
SENTINEL_KIND = 1_999_100_000


@cache
def _count_sql(keys: tuple[str, ...]) -> tuple[str, tuple[Any, ...]]:
    """The count's SQL — one UNION ALL over every source, counted — and its parameters, built with the
    stand-ins: building and compiling eight querysets costs more than running them, on every page."""
    parts = [
        _open_items(s, today=SENTINEL_DAY, member_id=SENTINEL_MEMBER, stand_in=True)
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


def _params(params: tuple[Any, ...], *, today: date, member_id: Any) -> list[Any]:
    """A compiled statement's parameters for this request: the stand-ins replaced by their values (the
    member, the content types' ids; dates moved by as many days)."""
    types = ContentType.objects.get_for_models(*_KINDS.values(), for_concrete_models=False)
    values: dict[int, Any] = {n: types[model].pk for n, model in _KINDS.items()}
    values[SENTINEL_MEMBER] = member_id
    return [values.get(p, p) if type(p) is int else on_day(p, today=today) for p in params]


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
        cursor.execute(sql, _params(params, today=today, member_id=user.pk))
        row = cursor.fetchone()
    return int(row[0]) if row else 0

"""The structure's timeline: one list merging what happened with a structure, whatever app holds it.

A **registry of sources**: each source (`register_source`) turns a structure into a `.values()` queryset of
the common shape `COLUMNS` — kind, moment, object id, project id, a code (a stage, an outcome…), a title and
a text. The page reads them as ONE `UNION ALL` ordered by moment and cut by LIMIT/OFFSET, so the number of
queries is the same with ten rows or a hundred thousand (a count, a page, the page's project titles).
Projects registers its own sources below; a higher app registers its own from its `AppConfig.ready()`
(evaluation's « mesures soumises »), so this module never names it. A source also says, in Python and
without a query, how one of its rows reads and where it is handled (`present`).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict, overload

from django.db import connection
from django.db.models import (
    CharField,
    DateTimeField,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from programme import access
from programme.pages import reverse_pattern
from prospects.models import Exchange, ExchangeKind, Prospect, Stage, StageChange

from ..models import (
    Attendance,
    Deliverable,
    DeliverableVersion,
    GateDecision,
    Membership,
    Outcome,
    Phase,
    Project,
    Workshop,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The common shape of every source's rows (column names that no model field uses).
COLUMNS = ("row_kind", "row_at", "row_obj", "row_project", "row_code", "row_title", "row_text")


class Entry(TypedDict):
    """One row as the page shows it."""

    kind: str
    label: "StrOrPromise"
    at: Any  # an aware datetime (a date-only row is midnight UTC of its day)
    title: str
    text: str
    url: str
    project_id: int | None


@dataclass(frozen=True)
class Source:
    """`rows(user, organisation_id)`: the values() queryset in the `COLUMNS` shape (see `shape`);
    `present(row)`: (title, url) of one row, computed without a query."""

    kind: str
    label: "StrOrPromise"
    rows: Callable[[Any, int], QuerySet[Any, Any]]
    present: Callable[[dict[str, Any]], tuple[str, str]]


SOURCES: dict[str, Source] = {}


def register_source(
    kind: str,
    label: "StrOrPromise",
    rows: Callable[[Any, int], QuerySet[Any, Any]],
    present: Callable[[dict[str, Any]], tuple[str, str]],
) -> None:
    """Add (or replace: a second ready() changes nothing) the source `kind`, shown as `label`. For a team
    member, `rows` may depend on the user only through `access.scoped` (the compiled UNION is shared by
    the whole team, see `merged`)."""
    SOURCES[kind] = Source(kind, label, rows, present)
    _UNIONS.clear()


def _expr(value: str | Expression | Subquery | None, field: Any) -> Any:
    if value is None:
        return Cast(Value(None), field)
    if isinstance(value, str):
        return F(value)
    return value


def shape(
    queryset: QuerySet[Any, Any],
    *,
    kind: str,
    at: str,
    obj: str = "pk",
    project: str | Expression | Subquery | None = None,
    code: str | Expression | None = None,
    title: str | Expression | None = None,
    text: str | Expression | None = None,
) -> QuerySet[Any, Any]:
    """`queryset` as rows of the common shape. A day (a DateField) is cast to a moment, so that the UNION
    of the sources has one type per column on every database; the other columns are taken as they are
    (integers, text) — every cast costs the ORM time on each page."""
    at_field = queryset.model._meta.get_field(at) if "__" not in at else None
    moment: Any = F(at)
    if at_field is not None and at_field.get_internal_type() == "DateField":
        moment = Cast(F(at), DateTimeField())
    exprs: dict[str, Any] = {
        "row_kind": Value(kind, output_field=CharField()),
        "row_at": moment,
        "row_obj": F(obj),
        "row_project": _expr(project, IntegerField()),
        "row_code": _expr(code, CharField()) if code is not None else Value("", output_field=CharField()),
        "row_title": _expr(title, CharField()) if title is not None else Value("", output_field=CharField()),
        "row_text": _expr(text, CharField()) if text is not None else Value("", output_field=CharField()),
    }
    return queryset.order_by().values(**exprs)


def first_project(through: QuerySet[Any, Any], field: str) -> Subquery:
    """The first project a to-many link names (a row of the timeline carries one project)."""
    return Subquery(through.filter(**{field: OuterRef("pk")}).order_by("project_id").values("project_id")[:1])


def merged(user: Any, organisation_id: int, kinds: Iterable[str]) -> "QuerySet[Any, Any] | Compiled | None":
    """The UNION ALL of the chosen sources for the structure, newest first (None when none is chosen).

    For the programme team (who read every row: `access.scoped` filters nothing for them) the SQL is
    compiled once per process and set of sources (`_union_sql`) and run through a raw cursor — building
    and compiling six querysets costs more than running them on a quiet structure. Anyone else gets the
    queryset itself."""
    chosen = tuple(k for k in kinds if k in SOURCES)
    if not chosen:
        return None
    if access.is_team(user):
        if chosen not in _UNIONS:
            _UNIONS[chosen] = _union_sql(chosen, user)
        parts, (count_sql, count_params) = _UNIONS[chosen]
        return Compiled(
            [
                (sql, [organisation_id if p == SENTINEL_ORGANISATION else p for p in params])
                for sql, params in parts
            ],
            count_sql,
            [organisation_id if p == SENTINEL_ORGANISATION else p for p in count_params],
        )
    first, *rest = [SOURCES[k].rows(user, organisation_id) for k in chosen]
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-row_at", "-row_kind", "-row_obj")


#: The structure the team's UNION is compiled for, once per process (`_union_sql`): the request's
#: structure replaces it among the parameters.
SENTINEL_ORGANISATION = 1_999_000_003
SQL = tuple[str, tuple[Any, ...]]
#: The team's compiled sources and count per set of sources (emptied when a source is registered).
_UNIONS: dict[tuple[str, ...], tuple[list[SQL], SQL]] = {}
#: How every source's rows and the timeline are ordered: newest first.
ORDER = " ORDER BY row_at DESC, row_kind DESC, row_obj DESC"


def _union_sql(kinds: tuple[str, ...], user: Any) -> tuple[list[SQL], SQL]:
    """Each of the sources `kinds` for the stand-in structure, as the programme team reads them (`user` is
    any team member: their rows do not depend on who they are), and their count: the sum of each source's
    own count — counting their UNION makes the database build every row of every source first (30 ms on a
    structure with 20,000 exchanges, against 1 ms for the sum)."""
    # Django's own compilations, their values all in the parameters: nothing typed by a person is inlined.
    parts: list[SQL] = []
    counts: list[str] = []
    count_params: list[Any] = []
    for n, part in enumerate(SOURCES[k].rows(user, SENTINEL_ORGANISATION) for k in kinds):
        sql, params = part.query.sql_with_params()
        parts.append((sql, tuple(params)))
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) timeline_part_{n})")  # noqa: S608
        count_params.extend(params)
    return parts, ("SELECT " + " + ".join(counts), tuple(count_params))


def _moment(value: Any) -> Any:
    """A moment column as an aware datetime (SQLite gives text, naive in UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value) or datetime.combine(date.fromisoformat(value[:10]), time())
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    elif type(value) is date:
        value = datetime.combine(value, time(), tzinfo=UTC)
    return value


class Compiled:
    """The team's sources, already compiled, as the paginator reads them: `count()` (one query) and a slice
    (one query: the rows of the common shape, newest first, cut by LIMIT/OFFSET — each source cut first to
    the rows the page may need, so a long history is not sorted whole)."""

    def __init__(self, parts: list[tuple[str, list[Any]]], count_sql: str, count_params: list[Any]) -> None:
        self.parts = parts
        self.count_sql = count_sql
        self.count_params = count_params

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql, self.count_params)
            row = cursor.fetchone()
        return int(row[0] or 0) if row else 0

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self[0:None])

    @overload
    def __getitem__(self, window: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, window: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, window: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(window, int):
            return self[window : window + 1][0]
        start = window.start or 0
        if window.stop is not None and window.stop <= start:
            return []  # an empty page (no row at all): no query, as a sliced queryset
        # Django's own compilations (see _union_sql), their values all in the parameters.
        selects, params = [], []
        for n, (part_sql, part_params) in enumerate(self.parts):
            if window.stop is None:
                selects.append(f"SELECT * FROM ({part_sql}) timeline_part_{n}")  # noqa: S608
            else:
                selects.append(
                    f"SELECT * FROM (SELECT * FROM ({part_sql}) timeline_in_{n}{ORDER} LIMIT %s) timeline_part_{n}"  # noqa: S608
                )
            params += [*part_params, *([window.stop] if window.stop is not None else [])]
        sql = f"SELECT * FROM ({' UNION ALL '.join(selects)}) timeline_rows{ORDER}"  # noqa: S608
        if window.stop is not None:
            sql += " LIMIT %s OFFSET %s"
            params += [window.stop - start, start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        if window.stop is None:
            rows = rows[start:]
        for row in rows:
            row["row_at"] = _moment(row["row_at"])
        return rows


def present(rows: Iterable[dict[str, Any]]) -> list[Entry]:
    """The page's entries of fetched rows (no query)."""
    entries: list[Entry] = []
    for row in rows:
        source = SOURCES.get(row["row_kind"])
        if source is None:
            continue
        title, url = source.present(row)
        entries.append(
            {
                "kind": source.kind,
                "label": source.label,
                "at": row["row_at"],
                "title": title,
                "text": row["row_text"] or "",
                "url": url,
                "project_id": row["row_project"],
            }
        )
    return entries


def organisation_projects_q(organisation_id: int, prefix: str = "") -> Q:
    """The projects a structure leads or is (or was) a member of, seen from a row `prefix` away."""
    return Q(**{f"{prefix}memberships__organisation_id": organisation_id}) | Q(
        **{f"{prefix}lead_organisation_id": organisation_id}
    )


# --- The sources of projects and of the apps below it ---------------------------------------------------

#: The choices' labels (lazy: translated when a row is written), looked up once per row, not rebuilt.
EXCHANGE_KINDS: dict[str, Any] = dict(ExchangeKind.choices)
STAGES: dict[str, Any] = dict(Stage.choices)
OUTCOMES: dict[str, Any] = dict(Outcome.choices)
PHASES: dict[str, Any] = dict(Phase.choices)


@cache
def _pattern(name: str) -> str:
    return reverse_pattern(name)


def url_to(name: str, arg: object) -> str:
    """`reverse(name, args=[arg])` without resolving the pattern again for every row of the page."""
    return _pattern(name).format(arg)


def organisation_projects(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    """The projects (readable by `user`) a structure leads or is or was a member of — its memberships as
    an IN on their own index, not a join OR-ed with the lead (which scans every project: 1.3 ms of each
    source on a structure with no history, at 2,000 projects)."""
    members = Membership.objects.filter(organisation_id=organisation_id).values("project_id")
    return (
        access.scoped(user, Project)
        .filter(Q(pk__in=members) | Q(lead_organisation_id=organisation_id))
        .values("pk")
    )


def _exchanges(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    return shape(
        access.scoped(user, Exchange).filter(organisation_id=organisation_id),
        kind="exchange",
        at="date",
        project=first_project(Project.exchanges.through.objects.all(), "exchange_id"),
        code="kind",
        title="subject",
        text="summary",
    )


def _exchange_present(row: dict[str, Any]) -> tuple[str, str]:
    kind = EXCHANGE_KINDS.get(row["row_code"], row["row_code"])
    title = f"{kind} — {row['row_title']}" if row["row_title"] else str(kind)
    return title, url_to("projects:exchange.edit", row["row_obj"])


def _stages(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    prospects = access.scoped(user, Prospect).filter(organisation_id=organisation_id).values("pk")
    return shape(
        StageChange.objects.filter(prospect__in=prospects),
        kind="stage",
        at="changed_at",
        obj="prospect_id",
        code="to_stage",
        title="prospect__programme__name",
        text="reason",
    )


def _stage_present(row: dict[str, Any]) -> tuple[str, str]:
    stage = STAGES.get(row["row_code"], row["row_code"])
    title = _("Étape « %(stage)s » — %(programme)s") % {"stage": stage, "programme": row["row_title"]}
    return title, url_to("prospects:prospect.detail", row["row_obj"])


def _gates(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    return shape(
        access.scoped(user, GateDecision).filter(project__in=organisation_projects(user, organisation_id)),
        kind="gate",
        at="decided_on",
        project="project_id",
        code="outcome",
        title="to_phase",
        text="rationale",
    )


def _gate_present(row: dict[str, Any]) -> tuple[str, str]:
    title = _("%(outcome)s — vers « %(phase)s »") % {
        "outcome": OUTCOMES.get(row["row_code"], row["row_code"]),
        "phase": PHASES.get(row["row_title"], row["row_title"]),
    }
    return title, url_to("projects:gate.dossier", row["row_project"])


def _workshops(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    attended = Attendance.objects.filter(person__organisation_id=organisation_id, present=True)
    return shape(
        access.scoped(user, Workshop).filter(pk__in=attended.values("workshop_id")),
        kind="workshop",
        at="starts_at",
        project="project_id",
        title="title",
    )


def _workshop_present(row: dict[str, Any]) -> tuple[str, str]:
    return row["row_title"], url_to("projects:workshop.detail", row["row_obj"])


def _deliverables(user: Any, organisation_id: int) -> QuerySet[Any, Any]:
    deliverables = access.scoped(user, Deliverable).filter(
        project__in=organisation_projects(user, organisation_id)
    )
    return shape(
        DeliverableVersion.objects.filter(deliverable__in=deliverables.values("pk")).filter(
            Q(deliverable__owner_organisation_id=organisation_id)
            | Q(uploaded_by__organisation_id=organisation_id)
        ),
        kind="deliverable",
        at="uploaded_at",
        obj="deliverable_id",
        project="project_id",
        title="deliverable__title",
        text="original_name",
    )


def _deliverable_present(row: dict[str, Any]) -> tuple[str, str]:
    return row["row_title"], url_to("projects:project.deliverables", row["row_project"])


register_source("exchange", _lazy("Échanges"), _exchanges, _exchange_present)
register_source("stage", _lazy("Étapes de prospection"), _stages, _stage_present)
register_source("gate", _lazy("Décisions d’étape"), _gates, _gate_present)
register_source("workshop", _lazy("Ateliers suivis"), _workshops, _workshop_present)
register_source("deliverable", _lazy("Livrables déposés"), _deliverables, _deliverable_present)

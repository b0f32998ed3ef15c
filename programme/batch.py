"""Reads planned apart from their execution, so that a page made of many independent aggregates asks the
database once.

A *plan* is a generator: it yields the `values()` / `values_list()` querysets it needs (a tuple of them),
receives their rows (a list of row lists, in the same order) and returns its result — the Python part of a
selector, written once. `run_alone(plan)` runs each queryset as Django would on its own (what a single
selector, an export, does); `run_batched(plan)` sends every queryset of a round as ONE statement, a UNION
ALL of the querysets' own SQL, and gives each its rows converted exactly as Django would have (the
compiler's converters, then the dicts, tuples or flat values of the iterable). `gather(*plans)` runs plans
side by side, their rounds merged: the dashboard's figures are one round, so one statement.

The rows of a batched queryset come in no guaranteed order (the statement has no ORDER BY of its own):
a plan sorts what it lists, or numbers its rows in SQL with a window (`RowNumber`) and sorts on that.
The statement is as narrow as the widest queryset: on SQLite the querysets share its columns by position
(each value keeps its own type through a UNION); on PostgreSQL each column holds one family of types —
integers as bigint, decimals as numeric, text as text, any other type as itself — a value cast to it and
a NULL of it where a queryset has nothing there, so no two types ever meet in one column.
"""

import functools
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Model, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404

Rows = list[Any]
#: What a plan yields (its querysets), is sent back (their rows) and returns.
type Plan[T] = Generator[tuple[QuerySet[Any, Any], ...], list[Rows], T]


class Planned[**P, T]:
    """A selector written as a plan: called, it runs alone; `.plan(...)` gives the plan to batch."""

    def __init__(self, function: Callable[P, Plan[T]]) -> None:
        self.function = function
        functools.update_wrapper(self, function)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T:
        return run_alone(self.function(*args, **kwargs))

    def plan(self, *args: P.args, **kwargs: P.kwargs) -> Plan[T]:
        return self.function(*args, **kwargs)


def planned[**P, T](function: Callable[P, Plan[T]]) -> Planned[P, T]:
    return Planned(function)


def run_alone[T](plan: Plan[T]) -> T:
    """Run a plan, each queryset on its own."""
    try:
        querysets = next(plan)
        while True:
            querysets = plan.send([list(queryset) for queryset in querysets])
    except StopIteration as done:
        return done.value


def run_batched[T](plan: Plan[T]) -> T:
    """Run a plan, the querysets of each round in one statement."""
    try:
        querysets = next(plan)
        while True:
            querysets = plan.send(union_rows(querysets))
    except StopIteration as done:
        return done.value


def gather(*plans: Plan[Any]) -> Plan[list[Any]]:
    """One plan running `plans` side by side: each round yields what all the plans still running wait
    for, together. Returns their results in order."""
    results: list[Any] = [None] * len(plans)
    waiting: dict[int, tuple[QuerySet[Any, Any], ...]] = {}

    def advance(index: int, rows: list[Rows] | None) -> None:
        plan = plans[index]
        try:
            querysets = next(plan) if rows is None else plan.send(rows)
            while not querysets:  # a round without a query: answer it at once
                querysets = plan.send([])
        except StopIteration as done:
            results[index] = done.value
            waiting.pop(index, None)
        else:
            waiting[index] = querysets

    for index in range(len(plans)):
        advance(index, None)
    while waiting:
        round_ = list(waiting.items())
        rows = yield tuple(queryset for _index, querysets in round_ for queryset in querysets)
        start = 0
        for index, querysets in round_:
            advance(index, rows[start : start + len(querysets)])
            start += len(querysets)
    return results


def union_rows(querysets: Sequence[QuerySet[Any, Any]]) -> list[Rows]:
    """The rows of each of `querysets` (values() or values_list() querysets), read in one statement."""
    if len(querysets) < 2:
        return [list(queryset) for queryset in querysets]
    return Union.of(querysets).rows()


@dataclass(frozen=True)
class Union:
    """`querysets` (values() or values_list()) as ONE statement, a UNION ALL of their own SQL, compiled
    once: `rows()` runs it (`params`: the statement's parameters, by default its own) and gives each
    queryset its rows, converted as its own iteration would."""

    querysets: tuple[QuerySet[Any, Any], ...]
    sql: str
    params: tuple[Any, ...]
    #: (queryset's index, its compiler, the statement's column of each of its columns)
    parts: tuple[tuple[int, SQLCompiler, tuple[int, ...]], ...]

    @classmethod
    def of(cls, querysets: Sequence[QuerySet[Any, Any]]) -> "Union":
        alias = querysets[0].db
        connection = connections[alias]
        quote = connection.ops.quote_name
        compiled: list[tuple[int, SQLCompiler, str, list[Any], list[tuple[str, str]]]] = []
        for index, queryset in enumerate(querysets):
            if queryset.db != alias:
                raise ValueError("union_rows: every queryset must read the same database")
            compiler = queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql(with_col_aliases=True)
            except EmptyResultSet:
                continue  # nothing can match (e.g. `pk__in=[]`): no rows, no SQL
            columns = [
                (quote(name), expression.output_field.db_type(connection) or "")
                for expression, _sql, name in compiler.select[: compiler.col_count]
            ]
            compiled.append((index, compiler, sql, list(params), columns))
        # The columns of the statement: for each family of types, as many as the widest queryset needs.
        widths: Counter[str] = Counter()
        for *_rest, columns in compiled:
            for family, count in Counter(_family(db_type, connection) for _name, db_type in columns).items():
                widths[family] = max(widths[family], count)
        slots = [(family, n) for family in sorted(widths) for n in range(widths[family])]
        position = {slot: i for i, slot in enumerate(slots)}
        selects: list[str] = []
        params_all: list[Any] = []
        parts = []
        for index, compiler, sql, params, columns in compiled:
            seen: Counter[str] = Counter()
            cells = [f"CAST(NULL AS {family})" if family else "NULL" for family, _n in slots]
            layout = []
            for name, db_type in columns:
                family = _family(db_type, connection)
                slot = position[(family, seen[family])]
                seen[family] += 1
                # Cast even to its own declared type: an expression may return another (PostgreSQL's
                # DATE_TRUNC of a date is a timestamp, made a date by Django's converter afterwards).
                # On SQLite (no family) a unary plus: the same value, but an expression, so the column of
                # the statement has no declared type of its own — the first part's "date" would otherwise
                # have the driver convert every part's value at that position as a date.
                cells[slot] = f"CAST(t.{name} AS {family})" if family else f"+t.{name}"
                layout.append(slot + 1)  # after the queryset's number
            parts.append((index, compiler, tuple(layout)))
            # The querysets' own SQL (parameters apart) and database type names: no outside input.
            selects.append(f"SELECT {index}, {', '.join(cells)} FROM ({sql}) t")  # noqa: S608
            params_all.extend(params)
        return cls(tuple(querysets), " UNION ALL ".join(selects), tuple(params_all), tuple(parts))

    def rows(self, params: Sequence[Any] | None = None) -> list[Rows]:
        raw = self.raw_rows(params)
        result: list[Rows] = [[] for _ in self.querysets]
        for index, compiler, _layout in self.parts:
            result[index] = _shaped(self.querysets[index], compiler, raw[index])
        return result

    def raw_rows(self, params: Sequence[Any] | None = None) -> list[Rows]:
        """Each queryset's rows as the database gives them (tuples of its columns, no converter applied)."""
        raw: dict[int, Rows] = {index: [] for index, *_rest in self.parts}
        if self.sql:
            with connections[self.querysets[0].db].cursor() as cursor:
                cursor.execute(self.sql, self.params if params is None else params)
                for row in cursor.fetchall():
                    raw[row[0]].append(row)
        result: list[Rows] = [[] for _ in self.querysets]
        for index, _compiler, layout in self.parts:
            if layout == tuple(range(1, len(layout) + 1)):  # its columns first, in order (always on SQLite)
                result[index] = [row[1 : len(layout) + 1] for row in raw[index]]
            elif len(layout) == 1:
                result[index] = [(row[layout[0]],) for row in raw[index]]
            else:
                result[index] = list(map(itemgetter(*layout), raw[index]))
        return result


#: PostgreSQL's column types by family (the type before any "(…)"): what a column of the UNION holds.
FAMILIES = {
    "smallint": "bigint",
    "integer": "bigint",
    "bigint": "bigint",
    "numeric": "numeric",
    "varchar": "text",
    "char": "text",
    "text": "text",
}


def _family(db_type: str, connection: BaseDatabaseWrapper) -> str:
    """The type of the statement's column a value of `db_type` goes in ("" on SQLite: any column)."""
    if connection.vendor == "sqlite":
        return ""
    base = db_type.split("(")[0].strip().lower()
    return FAMILIES.get(base, db_type)


def _converted(compiler: SQLCompiler, rows: Rows) -> Iterable[Sequence[Any]]:
    """`compiler.results_iter(results=[rows], tuple_expected=True)` for a compiler kept for the process: its
    converters (a couple of hundred lookups for a wide select) worked out once, on its first rows, not on
    every run."""
    converters = compiler.__dict__.get("_converters")
    if converters is None:
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(fields):
            return compiler.results_iter(results=[rows], tuple_expected=True)
        converters = compiler.__dict__["_converters"] = compiler.get_converters(fields)
    return map(tuple, compiler.apply_converters(rows, converters)) if converters else rows


def _shaped(queryset: QuerySet[Any, Any], compiler: SQLCompiler, rows: Rows) -> Rows:
    """Raw rows as the queryset's own iteration gives them: converted, then dicts, tuples or values."""
    converted = _converted(compiler, rows)
    iterable = queryset._iterable_class
    if iterable is FlatValuesListIterable:
        return [row[0] for row in converted]
    if iterable is ValuesListIterable:
        return list(converted)
    if iterable is ValuesIterable:
        query = queryset.query
        names = list(query.selected or [*query.extra_select, *query.values_select, *query.annotation_select])
        return [dict(zip(names, row, strict=False)) for row in converted]
    raise TypeError("union_rows reads values() and values_list() querysets only")


def rows_of(queryset: QuerySet[Any, Any]) -> Plan[Rows]:
    """The plan that reads one queryset's rows (to gather with others)."""
    (rows,) = yield (queryset,)
    return rows


#: The day a statement compiled once per process is built with (`Compiled`): the dates it filters on are
#: relative to it, and moved to the day of each run.
SENTINEL_DAY = date(1999, 1, 1)


def on_day(param: Any, *, today: date) -> Any:
    """A parameter of a statement compiled on SENTINEL_DAY, for `today`: a date (or its ISO text, as SQLite
    receives it) moved by as many days; anything else as it is."""
    shift = today - SENTINEL_DAY
    if type(param) is date:
        return param + shift
    if isinstance(param, str) and len(param) == 10 and param[:2] == "19" and param[4] == "-":
        return (date.fromisoformat(param) + shift).isoformat()
    return param


@dataclass(frozen=True)
class Compiled:
    """A values() / values_list() queryset compiled once, with SENTINEL_DAY standing for today — building and
    compiling a queryset of unions and subqueries can cost more than running it — then run for any day
    (`rows(today=…)`), its rows converted exactly as the queryset's own iteration would."""

    queryset: QuerySet[Any, Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]

    @classmethod
    def of(cls, queryset: QuerySet[Any, Any]) -> "Compiled":
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        return cls(queryset, compiler, sql, tuple(params))

    def rows(self, *, today: date) -> Rows:
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(self.sql, [on_day(p, today=today) for p in self.params])
            fetched = cursor.fetchall()
        return _shaped(self.queryset, self.compiler, fetched)


#: Ids a statement compiled once per process is built with (`Prepared`), each standing for a value of the
#: request (the partner's organisation, the project…): far below any row's id, so never one by chance.
STAND_IN_IDS = range(-1_999_000_999, -1_999_000_000)


def stand_in(n: int) -> int:
    """The n-th stand-in id (`Prepared`)."""
    return STAND_IN_IDS[n]


def _cache_key(using: str, shape: Any) -> tuple[str, Any]:
    """A statement compiled once per process, per database and shape (`Prepared`, `PreparedModels`)."""
    return (connections[using].vendor + ":" + connections[using].settings_dict["NAME"], shape)


def _request_params(
    params: Sequence[Any], *, values: dict[Any, Any], today: date | None, using: str = "default"
) -> list[Any]:
    """A compiled statement's parameters for this request: each stand-in replaced by its value (an id, a
    moment as the database receives it, a text — as it is, or escaped within the LIKE pattern a lookup made
    of it: `_filled_text`), every date moved from SENTINEL_DAY to `today` (when given)."""
    texts = {stand: real for stand, real in values.items() if type(stand) is str}
    ops = connections[using].ops
    return [
        _filled_text(param, texts, ops)
        if type(param) is str and "\ue000" in param
        else values[param]
        if type(param) in _STANDING_IN and param in values
        else param
        if today is None
        else on_day(param, today=today)
        for param in params
    ]


#: The types of a compiled parameter that may be a stand-in (`_request_params`).
_STANDING_IN = frozenset({int, str, datetime})


class Prepared:
    """A round of values() / values_list() querysets read in one statement (`union_rows`), built and
    compiled ONCE per process and shape — building a dozen scoped querysets and compiling their union can
    cost more than running it, on every request of a page — then run for each request's values.

    `build(shape)` returns the querysets made with stand-ins: `stand_in(n)` ids where the request's ids go,
    SENTINEL_DAY for today (`programme.access.as_of` for the memberships in force). `shape` is what
    changes the statement's form rather than its values (a partner with or without a contact record, say:
    a condition on it is then no condition at all); it is part of the cache key, with the database.
    `rows(shape, values=…, today=…)` runs the statement with each stand-in replaced by its value
    (`values`: {stand-in: value}) and every date moved from SENTINEL_DAY to `today` (`on_day`).
    A statement may hold no other date and no other stand-in than those; tests compare its rows with
    the querysets' own, built for real values."""

    def __init__(self, build: Callable[[Any], Sequence[QuerySet[Any, Any]]]) -> None:
        self.build = build
        self._compiled: dict[tuple[str, Any], Union] = {}

    def statement(self, shape: Any = None, *, using: str = "default") -> Union:
        key = _cache_key(using, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = Union.of(self.build(shape))
        return compiled

    def rows(self, shape: Any = None, *, values: dict[int, Any], today: date) -> list[Rows]:
        statement = self.statement(shape)
        return statement.rows(_request_params(statement.params, values=values, today=today))

    def prepared_rows(
        self, shape: Any = None, *, values: dict[int, Any], today: date, form: Any
    ) -> list[Rows]:
        """`rows`, on PostgreSQL by a statement PREPAREd once per connection, shape and day
        (`prepared_raw_rows`), its stand-ins its arguments: one plan for every reader, where a statement
        sent with its values is planned on each request (the partner portal's page: 3 ms planning, 1.5 ms
        running). Elsewhere, or with a stand-in valued None, `rows`."""
        statement = self.statement(shape)
        stand_ins = [p for p in dict.fromkeys(statement.params) if type(p) is int and p in values]
        if any(values[s] is None for s in stand_ins):
            return self.rows(shape, values=values, today=today)
        position = dict(zip(stand_ins, arguments(len(stand_ins)), strict=True))
        params = [
            position[p] if type(p) is int and p in position else on_day(p, today=today)
            for p in statement.params
        ]
        raw = prepared_raw_rows(
            statement, params, form=(form, shape), argument=[values[s] for s in stand_ins]
        )
        result: list[Rows] = [[] for _ in statement.querysets]
        for index, compiler, _layout in statement.parts:
            result[index] = _shaped(statement.querysets[index], compiler, raw[index])
        return result


class PreparedModels[M: Model]:
    """A model queryset — its select_related() models and annotations included — built and compiled ONCE per
    process and shape with stand-ins (as `Prepared`), then run for each request's values, its rows made into
    model instances as the queryset's own iteration makes them (Django's ModelIterable: the row's model,
    each select_related model on it, each annotation as an attribute). For a row fetched on every page of a
    kind (the project of every project tab): building and compiling its queryset cost more than running it.

    `build(shape)` returns the queryset made with `stand_in(n)` ids (and SENTINEL_DAY for today);
    `objects(shape, values=…, today=…)` runs it. No prefetch_related(), no values(): the model's rows."""

    def __init__(self, build: Callable[[Any], QuerySet[M]]) -> None:
        self.build = build
        self._compiled: dict[tuple[str, Any], tuple[QuerySet[M], SQLCompiler, str, tuple[Any, ...]]] = {}

    def _compile(self, shape: Any, using: str) -> tuple[QuerySet[M], SQLCompiler, str, tuple[Any, ...]]:
        key = _cache_key(using, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self.build(shape)
            if queryset._prefetch_related_lookups or queryset._iterable_class is not ModelIterable:  # type: ignore[attr-defined]
                raise TypeError("PreparedModels reads a model's rows: no prefetch_related(), no values()")
            compiler = queryset.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            compiled = self._compiled[key] = (queryset, compiler, sql, tuple(params))
        return compiled

    def objects(
        self, shape: Any = None, *, values: dict[Any, Any], today: date | None, form: Any = None
    ) -> list[M]:
        """The rows for this request's `values`; with a `form`, on PostgreSQL, by a statement PREPAREd once
        per connection (`prepared_raw_rows`), the stand-ins its arguments: for a statement that costs more
        to plan than to run (a history of ten parts: 4.5 ms planning, 2 ms running)."""
        queryset, compiler, sql, params = self._compile(shape, "default")
        db = queryset.db
        connection = connections[db]
        stand_ins = [p for p in dict.fromkeys(params) if type(p) in _STANDING_IN and p in values]
        if (
            form is not None
            and connection.vendor == "postgresql"
            and len(sql.split("%s")) == len(params) + 1
            and not any(type(p) is str and "\ue000" in p for p in params)  # a LIKE pattern: not an argument
            and all(values[s] is not None for s in stand_ins)
        ):
            position = dict(zip(stand_ins, arguments(len(stand_ins)), strict=True))
            fetched = _prepared_fetch(
                connection,
                sql,
                [
                    position[p]
                    if type(p) in _STANDING_IN and p in position
                    else p
                    if today is None
                    else on_day(p, today=today)
                    for p in params
                ],
                form=(form, shape),
                argument=[values[s] for s in stand_ins],
            )
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, _request_params(params, values=values, today=today))
                fetched = cursor.fetchall()
        # What ModelIterable does with a compiler's rows.
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        assert klass_info is not None
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
        populators = get_related_populators(klass_info, select, db, fetch_mode)
        result = []
        for row in _converted(compiler, fetched):
            obj = model.from_db(db, names, row[start:end], fetch_mode=fetch_mode)
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            result.append(obj)
        return result

    def get_or_404(self, shape: Any = None, *, values: dict[Any, Any], today: date | None) -> M:
        """The one row for this request's `values` (`objects`), or 404 when there is none — a record fetched
        by its id through the access rules, as `get_object_or_404` does for a queryset."""
        found = self.objects(shape, values=values, today=today)
        if not found:
            raise Http404
        return found[0]


# --- A filtered list's count and pages, compiled once per shape --------------------------------------------


def stand_in_text(n: int) -> str:
    """The n-th stand-in text (`PreparedList`), for a value of the request's that a statement compares with
    text — a menu's choice, a search. Made of characters nobody types (private use, which no strip() or
    LIKE escape touches) around underscores, which a LIKE pattern escapes: where the compiled parameter
    holds it escaped, the lookup made a pattern of it, and the request's value goes in escaped alike."""
    return f"\ue000_{n}_\ue000"


def _filled_text(param: str, texts: dict[str, str], ops: Any) -> str:
    for stand, real in texts.items():
        escaped = ops.prep_for_like_query(stand)
        if escaped in param:  # a LIKE pattern (contains, startswith…): the value escaped within it
            return param.replace(escaped, ops.prep_for_like_query(real))
        if param == stand:  # compared as it is
            return real
    return param


@dataclass(frozen=True)
class _ListStatements:
    count_sql: str
    count_params: tuple[Any, ...]
    rows: QuerySet[Any, Any]
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]


class PreparedList:
    """A filtered list's count and its pages of values() rows, built and compiled ONCE per process and shape
    — for a list page whose filters, count and page queries cost more Python to build and compile than
    their SQL takes to run — then run for each request's values.

    `build(shape)` returns the filtered queryset made with stand-ins: `stand_in(n)` for an id,
    `stand_in_text(n)` for a text, SENTINEL_DAY for today. The count is Django's own `count()` statement
    (compiled, not run: `_count_statement`), a page the values() statement
    with its LIMIT / OFFSET written as Django writes them. `rows(shape, values=…, today=…)` gives what a
    Paginator reads (`ListRows`). A statement may hold no other stand-in than those of `values`, and a
    stand-in text only as it is or within a LIKE pattern (checked when the shape is compiled)."""

    def __init__(self, build: Callable[[Any], QuerySet[Any, Any]], *, fields: tuple[str, ...]) -> None:
        self.build = build
        self.fields = fields
        self._compiled: dict[tuple[str, Any], _ListStatements] = {}

    def statements(self, shape: Any, *, using: str = "default") -> _ListStatements:
        key = _cache_key(using, shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            queryset = self.build(shape)
            count_sql, count_params = _count_statement(queryset, using)
            rows = queryset.values(*self.fields)
            compiler = rows.query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            _check_stand_ins([*count_params, *params], connections[using].ops)
            compiled = self._compiled[key] = _ListStatements(
                count_sql, count_params, rows, compiler, sql, tuple(params)
            )
        return compiled

    def rows(self, shape: Any, *, values: dict[Any, Any], today: date, using: str = "default") -> "ListRows":
        return ListRows(self.statements(shape, using=using), values=values, today=today, using=using)


def _count_statement(queryset: QuerySet[Any, Any], using: str) -> tuple[str, tuple[Any, ...]]:
    """The statement `queryset.count()` runs, compiled and not run: Django's own counting
    (`Query.get_aggregation`), its compiler asked for its SQL where it would execute it. Only for a count
    made in one statement on the query itself — no DISTINCT, slice, GROUP BY or aggregate of its own —
    which is what a filtered list's count is."""
    query = queryset.query.clone()
    compiled: list[tuple[str, tuple[Any, ...]]] = []

    def get_compiler(using: Any = None, connection: Any = None, elide_empty: bool = True) -> SQLCompiler:
        compiler = type(query).get_compiler(query, using, connection, elide_empty)

        def execute_sql(*args: Any, **kwargs: Any) -> None:
            sql, params = compiler.as_sql()
            compiled.append((sql, tuple(params)))

        compiler.execute_sql = execute_sql
        return compiler

    if (
        query.distinct
        or query.is_sliced
        or query.combinator
        or query.group_by is not None
        or query.annotations
    ):
        raise TypeError("PreparedList counts a plain filtered query")
    query.get_compiler = get_compiler  # type: ignore[method-assign]
    query.get_aggregation(using, {"__count": Count("*")})
    (statement,) = compiled
    return statement


def _check_stand_ins(params: Sequence[Any], ops: Any) -> None:
    """A stand-in text in a compiled parameter in a form `_filled_text` does not know (neither the whole
    parameter nor escaped within a LIKE pattern) would stay in the statement and match nothing: refused
    when the shape is compiled."""
    for param in params:
        if isinstance(param, str) and "\ue000" in param:
            n = param.split("\ue000")[1].strip("_\\")
            stand = stand_in_text(int(n)) if n.isdigit() else ""
            if param != stand and (not stand or ops.prep_for_like_query(stand) not in param):
                raise TypeError(f"PreparedList cannot fill the parameter {param!r}")


class ListRows:
    """A prepared list's rows for one request, as `django.core.paginator.Paginator` reads them: `count()`
    runs the count statement (once), a slice the page statement with its LIMIT / OFFSET; an empty slice
    runs nothing, as an empty queryset slice does."""

    def __init__(
        self, statements: _ListStatements, *, values: dict[Any, Any], today: date, using: str
    ) -> None:
        self.statements = statements
        self.using = using
        self._filled = lambda params: _request_params(params, values=values, today=today, using=using)
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            with connections[self.using].cursor() as cursor:
                cursor.execute(self.statements.count_sql, self._filled(self.statements.count_params))
                self._count = int(cursor.fetchone()[0])
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("ListRows reads pages: a slice without a step")
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        connection = connections[self.using]
        sql = f"{self.statements.sql} {connection.ops.limit_offset_sql(start, stop)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, self._filled(self.statements.params))
            fetched = cursor.fetchall()
        return _shaped(self.statements.rows, self.statements.compiler, fetched)


# --- A Union planned once per PostgreSQL connection ----------------------------------------------------


class _Argument:
    """Stands, among a statement's parameters, for one of its arguments (`prepared_raw_rows`): the n-th."""

    def __init__(self, n: int) -> None:
        self.n = n


#: The statement's first argument — the only one of most (`prepared_raw_rows`); `arguments(k)`: the first k.
ARGUMENT = _Argument(0)
_ARGUMENTS = [ARGUMENT, *(_Argument(n) for n in range(1, 16))]


def arguments(count: int) -> list[_Argument]:
    return _ARGUMENTS[:count]


def prepared_raw_rows(
    statement: Union, params: Sequence[Any], *, form: Any, argument: int | Sequence[int] = 0
) -> list[Rows]:
    """`statement.raw_rows(params)` — on PostgreSQL, by a statement PREPAREd once per connection and planned
    once (a generic plan): a page's UNION ALL of a dozen parts with their subqueries costs PostgreSQL more to
    plan than to run (the inbox: 5 ms planning, 4 ms running). Every parameter is written into the prepared
    text as a literal (adapted by the driver, as client-side binding does) but those given as ARGUMENT, which
    are the statement's one argument `$1` (`argument`, an id): its plan then knows the constants — a partial
    index is used, a status or a day is estimated from the statistics — and only the argument is generic.
    Several arguments: `arguments(k)` among the parameters, `argument` their ids in that order ($1…$k).

    `form`: what the statement is for (one prepared statement per form and connection; a new text for the
    form — another day in its literals — replaces it). The PREPARE, when needed, and the EXECUTE go in one
    round trip, a single implicit transaction, in which `SET LOCAL plan_cache_mode` keeps the generic plan
    to this statement. Not for a connection pooler that shares sessions between clients (PgBouncer in
    transaction mode): a prepared statement belongs to its session."""
    connection = connections[statement.querysets[0].db] if statement.querysets else connections["default"]
    ids = [int(argument)] if isinstance(argument, int) else [int(a) for a in argument]
    if (
        connection.vendor != "postgresql"
        or not statement.sql
        or len(statement.sql.split("%s")) != len(params) + 1
    ):
        return statement.raw_rows(
            [ids[param.n] if isinstance(param, _Argument) else param for param in params]
        )
    fetched = _prepared_fetch(connection, statement.sql, params, form=form, argument=ids)
    raw_by_part: dict[int, Rows] = {index: [] for index, *_rest in statement.parts}
    for row in fetched:
        raw_by_part[row[0]].append(row)
    result: list[Rows] = [[] for _ in statement.querysets]
    for index, _compiler, layout in statement.parts:
        if len(layout) == 1:
            result[index] = [(row[layout[0]],) for row in raw_by_part[index]]
        else:
            result[index] = list(map(itemgetter(*layout), raw_by_part[index]))
    return result


def _prepared_fetch(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any], *, form: Any, argument: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows of `sql` (Django's compilation, `params` its parameters, `_Argument`s among them) run on
    PostgreSQL as a statement PREPAREd once per connection and `form` (see `prepared_raw_rows`), `argument`
    the values of its arguments in order ($1…$k), each adapted by the driver."""
    chunks = sql.split("%s")
    key = (form, tuple(type(p).__name__ + ":" + str(p) for p in params))
    text = _PREPARED_TEXTS.get(key)
    with connection.cursor() as cursor:
        if text is None:
            literals = [
                f"${param.n + 1}" if isinstance(param, _Argument) else cursor.mogrify("%s", [param])
                for param in params
            ]
            # Django's own compilation, each value adapted by the driver: nothing typed by a person inlined.
            text = "".join(
                chunk.replace("%%", "%") + (literals[i] if i < len(literals) else "")
                for i, chunk in enumerate(chunks)
            )
            if len(_PREPARED_TEXTS) > 64:  # another day, other content type ids (tests): forget the old
                _PREPARED_TEXTS.clear()
            _PREPARED_TEXTS[key] = text
        # Named by form and text: two forms may compile to the same text, each prepares its own.
        name = f"parcours_{hash((repr(form), text)) & 0xFFFFFFFFFFFFFFFF:016x}"
        # The statements prepared on this connection: a new connection (or one whose last run failed) has
        # none that we know of, and starts with DEALLOCATE ALL.
        raw = connection.connection
        known = getattr(connection, "parcours_prepared", None)
        head = ""
        if known is None or known[0] is not raw:
            known = (raw, {})
            head = "DEALLOCATE ALL; "
        setattr(connection, "parcours_prepared", None)  # noqa: B010 (until this run succeeds)
        prepared: dict[Any, str] = known[1]
        if prepared.get(form) != name:
            if form in prepared and not head:
                head += f"DEALLOCATE {prepared[form]}; "
            head += f"PREPARE {name} AS {text}; "
        used = max((param.n + 1 for param in params if isinstance(param, _Argument)), default=0)
        args = f"({', '.join(cursor.mogrify('%s', [value]) for value in argument[:used])})" if used else ""
        cursor.execute(f"{head}SET LOCAL plan_cache_mode = force_generic_plan; EXECUTE {name}{args}")
        while cursor.description is None and cursor.nextset():
            pass
        fetched = cursor.fetchall()
        prepared[form] = name
        setattr(connection, "parcours_prepared", known)  # noqa: B010
    return fetched


#: The prepared statements' texts, by form and parameters (writing the literals costs more than the run).
_PREPARED_TEXTS: dict[Any, str] = {}

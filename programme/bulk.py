"""Writing thousands of rows at the database's speed, the same way on both databases.

Rows go into a temporary staging table in one go — `COPY … FROM STDIN` on PostgreSQL (psycopg 3), one
`executemany` on SQLite — then into each target table with one `INSERT … SELECT`, every field the caller does
not give getting its model default (now for `auto_now` / `auto_now_add`). The ids of new rows are reserved
beforehand in one statement (`reserve_ids`), so rows of several tables can point at each other before any is
written. Everything runs in the caller's transaction: all or nothing. Like `bulk_create`, it skips `save()`
and signals, so the caller sets derived columns itself. The number of statements does not depend on the
number of rows.
"""

import contextlib
import gc
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Any

from django.db import connection, models
from django.utils import timezone


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Run a batch job (the daily deadline scan) without Python's cycle collector, turned back on
    after it. Such a job holds thousands of rows, tuples and sets at once: they outlive the collector's young
    generations and set off full collections, each of which walks the whole process — Django's URLs, models
    and translation catalogs, some 150,000 objects, about 90 ms on a two-core machine — once every run or
    two, doubling a 100 ms scan. Everything the job builds is freed by reference counting when it returns;
    a cycle it may have made is collected at the next collection after it. Usable as a decorator."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, in increasing order, that no other insert will take."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = str(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                (_q(table), column, count),
            )
            return sorted(pk for (pk,) in cursor.fetchall())
        # SQLite: AUTOINCREMENT tables keep their last id in sqlite_sequence (a table never inserted into
        # has no counter yet: it gets one). The first statement takes the write lock, so nothing can insert
        # between reading the counter and moving it.
        cursor.execute(
            f"INSERT INTO sqlite_sequence (name, seq) SELECT %s, coalesce(max({_q(column)}), 0) "  # noqa: S608
            f"FROM {_q(table)} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
            (table, table),
        )
        cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s", (count, table))
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", (table,))
        last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


class Staging:
    """A temporary table of `columns` (name → SQL type: bigint, text, date, boolean), created on entering
    and dropped on leaving. `fill(rows)` loads it in one go; `insert(model, …)` copies it into a table."""

    def __init__(self, name: str, columns: dict[str, str]):
        self.table = f"{name}_{secrets.token_hex(4)}"
        self.columns = columns

    def __enter__(self) -> "Staging":
        sqlite = connection.vendor == "sqlite"
        definition = ", ".join(
            f"{_q(name)} {'integer' if sqlite and kind == 'boolean' else kind}"
            for name, kind in self.columns.items()
        )
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {_q(self.table)} ({definition})")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:  # on an error the transaction is rolled back, the table with it
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {_q(self.table)}")

    def fill(self, rows: Iterable[Sequence[Any]]) -> None:
        """Load `rows` (tuples in the order of the columns): one COPY, or one executemany."""
        names = ", ".join(_q(name) for name in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {_q(self.table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            ops = connection.ops
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(
                f"INSERT INTO {_q(self.table)} ({names}) VALUES ({marks})",  # noqa: S608 — quoted names
                [
                    [
                        ops.adapt_datetimefield_value(value)
                        if isinstance(value, datetime)
                        else ops.adapt_datefield_value(value)
                        if isinstance(value, date)
                        else value
                        for value in row
                    ]
                    for row in rows
                ],
            )

    def insert(
        self,
        model: type[models.Model],
        columns: dict[str, str],
        *,
        constants: dict[str, Any] | None = None,
        where: str = "",
    ) -> int:
        """`INSERT INTO <model's table> SELECT … FROM <staging> [WHERE where]`: `columns` maps a field's
        attname to an SQL expression over the staging columns, `constants` to one value for every row; any
        other field gets its default. Returns the number of rows inserted."""
        constants = constants or {}
        now = timezone.now()
        postgresql = connection.vendor == "postgresql"
        targets, select, params = [], [], []
        for field in model._meta.concrete_fields:
            if field.attname in columns:
                select.append(columns[field.attname])
            elif field.primary_key:
                continue  # the database numbers it
            else:
                if field.attname in constants:
                    value = constants[field.attname]
                elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    value = now
                else:
                    value = field.get_default()
                params.append(field.get_db_prep_save(value, connection))
                # PostgreSQL cannot infer a parameter's type in a SELECT list; SQLite's CAST would turn a
                # date into a number, and needs none.
                select.append(f"CAST(%s AS {field.cast_db_type(connection)})" if postgresql else "%s")
            targets.append(_q(str(field.column)))
        sql = (
            f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(targets)}) "  # noqa: S608 — names, params
            f"SELECT {', '.join(select)} FROM {_q(self.table)}"
        )
        if where:
            sql += f" WHERE {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

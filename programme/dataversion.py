"""The data version: a number that changes after every committed write that can change a figure, so a cache
of figures keyed on it (the director dashboard's, `evaluation.reports.selectors.dashboard_figures`) is never
read stale.

It is not left to each service to remember: every statement Django sends through a connection passes by
`_watch` (an execute wrapper installed on each new connection), and an INSERT, UPDATE or DELETE of any table
but those named by `ignore()` (sessions, the audit trail, report renders…), and an UPDATE that sets only
columns named by `ignore_columns()` (a sign-in's `last_login`), bumps the version — at once
outside a transaction, after the commit inside one (`transaction.on_commit`, once per transaction; nothing
on a rollback). ORM saves, `update()`, `bulk_create`, the bulk imports' `INSERT … SELECT`, raw SQL and the
admin are all seen; only a client writing to the database behind Django's back (psql) is not.

The bump is an upsert of one row of `DataVersion` after the commit, so it never holds a lock inside a
transaction. Reading the version before the figures (in the same statement as the dashboard's filter
menus) is enough: a write whose bump came before that read was committed before it, so the figures see
it; a write bumped later makes a new version, and the entry computed before it is never read again.
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

#: The first word of a statement that may write (a cheap test made on every statement).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE", "TRUNCATE", "WITH")
#: The table a plain INSERT / UPDATE / DELETE writes to (quoted or not, as Django and our raw SQL write it).
_TABLE = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[\"`]?([\w.]+)",
    re.IGNORECASE,
)
_IGNORED: set[str] = {"django_migrations"}
#: Columns whose update alone changes no figure, by table (a sign-in's `last_login`).
_IGNORED_COLUMNS: dict[str, set[str]] = {}
#: The columns an UPDATE sets (`SET "a" = %s, "b" = …`), up to its WHERE.
_SET = re.compile(r"\bSET\s+(.*?)(?:\s+WHERE\b|$)", re.IGNORECASE | re.DOTALL)
_SET_COLUMN = re.compile(r"(?:^|,)\s*[\"`]?(\w+)[\"`]?\s*=")
logger = logging.getLogger(__name__)


def ignore(*models_: type[models.Model]) -> None:
    """Writes to these models' tables never change a figure (sessions, logs, renders): no new version."""
    _IGNORED.update(model._meta.db_table for model in models_)


def ignore_columns(model: type[models.Model], *fields: str) -> None:
    """An UPDATE of this model that sets only these fields changes no figure (a sign-in records the user's
    `last_login`): no new version — the dashboard's cache is not thrown away at every sign-in."""
    columns = {str(getattr(model._meta.get_field(name), "column", name)) for name in fields}
    _IGNORED_COLUMNS.setdefault(model._meta.db_table, set()).update(columns)


def changes_figures(sql: Any) -> bool:
    """Whether the statement `sql` may write to a table that feeds the figures (a doubt counts as yes)."""
    if not isinstance(sql, str):
        sql = str(sql)
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITES):
        return False
    if head.startswith("WITH") and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", sql, re.IGNORECASE):
        return False  # a read with common table expressions
    match = _TABLE.match(sql)
    if match is None:
        return True
    table = match.group(1)
    if table in _IGNORED:
        return False
    quiet = _IGNORED_COLUMNS.get(table)
    if quiet and head.startswith("UPDATE"):
        assignments = _SET.search(sql)
        columns = set(_SET_COLUMN.findall(assignments.group(1))) if assignments else set()
        return not columns or not columns <= quiet
    return True


class _Bump:
    """The after-commit callback (a class, so that a transaction registers it once: see `pending`)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(self) -> None:
        bump(using=self.alias)


def is_bump(callback: object) -> bool:
    """Whether an after-commit callback is the data version's own bump (what a test counting the
    callbacks a write queued leaves aside)."""
    return isinstance(callback, _Bump)


def pending(connection: BaseDatabaseWrapper) -> bool:
    """Whether the connection's open transaction wrote to the figures' tables (not committed yet): its
    figures are its own, not to be read from or stored in a cache shared with other connections."""
    return any(is_bump(entry[1]) for entry in connection.run_on_commit)


def _watch(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    if changes_figures(sql):
        connection = context["connection"]
        if connection.in_atomic_block:
            if not pending(connection):
                transaction.on_commit(_Bump(connection.alias), using=connection.alias)
        else:  # committed already (autocommit)
            bump(using=connection.alias)
    return result


def bump(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """A new version (an upsert of the one row: it exists from the first write on)."""
    from .models import DataVersion

    table = connections[using].ops.quote_name(DataVersion._meta.db_table)
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, value) VALUES (1, 1) "  # noqa: S608 — the model's table name
                f"ON CONFLICT (id) DO UPDATE SET value = {table}.value + 1"
            )
    except DatabaseError:
        # Expected only while a new database is migrated, before the table exists; anything else is worth
        # a look (the cache entries of figures also expire on their own, DASHBOARD_CACHE_SECONDS).
        if DataVersion._meta.db_table in connections[using].introspection.table_names():
            logger.warning("data version not bumped", exc_info=True)


def current(*, using: str = DEFAULT_DB_ALIAS) -> int:
    """The version now (0 before any write). The dashboard reads it with its filter menus instead."""
    from .models import DataVersion

    return DataVersion.objects.using(using).filter(pk=1).values_list("value", flat=True).first() or 0


def move_past(version: int, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """After the database was replaced behind Django's back (a restore put an older version back): a version
    above both `version` (read before) and the one restored, so that no entry cached before is read again."""
    from .models import DataVersion

    value = max(version, current(using=using)) + 1
    DataVersion.objects.using(using).update_or_create(pk=1, defaults={"value": value})


def _install(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection (those open already and each one opened from now on)."""
    from django.contrib.sessions.models import Session

    from .models import AuditEntry, DataVersion, SubmissionToken, User

    ignore(DataVersion, AuditEntry, Session, SubmissionToken)
    ignore_columns(User, "last_login")
    connection_created.connect(_install, dispatch_uid="parcours-data-version")
    for connection in connections.all(initialized_only=True):
        _install(None, connection)

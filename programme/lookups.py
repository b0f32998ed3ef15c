"""`__folded`: a text column folded by the database as `identity.folded` folds a typed search (accents, case
and hyphens aside), for the lists too small to keep a folded column of their own (the structures, contacts
and areas keep one: `search_text`). `Project.objects.filter(title__folded__contains=folded(typed))` finds
« Épicerie solidaire » for « epicerie ».

PostgreSQL folds with LOWER, REPLACE and TRANSLATE over the letters `identity.folded` changes (Latin-1 and
Latin Extended-A and -B, the typographic apostrophe, the hyphen): the table is made from `folded` itself, so
there is one definition. SQLite calls `folded` (a function registered on each connection)."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform
from django.db.models.sql.compiler import SQLCompiler

from .identity import folded

SQLITE_FUNCTION = "parcours_folded"
#: The characters the table covers: Latin-1 Supplement to Latin Extended-B, the apostrophe ’ and the hyphen —
#: but of the letters folded into several, only « œ » and « æ » (the digraphs « ĳ », « ǆ »… are not French
#: and would each cost PostgreSQL one more REPLACE a row).
COVERED = [
    char
    for char in [*(chr(code) for code in range(0xC0, 0x250)), "’", "-"]
    if len(folded(char)) == 1 or char in "ŒœÆæ"
]


def _table() -> tuple[list[tuple[str, str]], str, str]:
    """(the characters folded into several — « œ » → « oe » —, TRANSLATE's source, TRANSLATE's target)."""
    several, source, target = [], [], []
    for char in COVERED:
        out = folded(char)
        if out == char:
            continue
        if len(out) == 1:
            source.append(char)
            target.append(out)
        else:
            several.append((char, out))
    return several, "".join(source), "".join(target)


SEVERAL, SOURCE, TARGET = _table()


class Folded(Transform):
    lookup_name = "folded"
    output_field = TextField()

    # The stubs give Transform two incompatible as_sql signatures (Func's and BaseExpression's).
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, lhs_params = compiler.compile(self.lhs)
        expression, params = f"LOWER({sql})", list(lhs_params)
        for char, out in SEVERAL:
            expression = f"REPLACE({expression}, %s, %s)"
            params += [char, out]
        return f"TRANSLATE({expression}, %s, %s)", (*params, SOURCE, TARGET)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.lhs)
        return f"{SQLITE_FUNCTION}({sql})", tuple(params)


def _register(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, folded, deterministic=True)


def install() -> None:
    """`__folded` on every text field, and SQLite's function on each connection (those open and to come)."""
    from django.db import connections

    CharField.register_lookup(Folded)
    TextField.register_lookup(Folded)
    connection_created.connect(_register, dispatch_uid="parcours-folded")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _register(None, connection)

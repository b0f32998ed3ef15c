"""The sources of the team inbox « À traiter », as a registry.

Each source lists one kind of item waiting for the team (deliverables to review, gate decisions due…) and
says who it goes to by default. projects and prospects declare theirs in `projects.inbox.sources`; a higher
app registers its own from its `AppConfig.ready()` (evaluation: measurements to validate, maturity
self-assessments), so projects never names it — the same pattern as `projects.views.base.register_tab`."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Line:
    """How one item reads in the inbox: what, about which project or structure, and its date — a due date
    (`late` counts the days past it) or the day it arrived (`label` says which)."""

    title: str
    about: str
    day: date | None
    label: "StrOrPromise"
    late: int = 0


@dataclass(frozen=True)
class Source:
    """One kind of item. `rows(today)`: the open items of the whole team (a queryset); `default_for(user_id)`:
    a Q on those rows — the user is a default assignee. The page reads each row as a plain dict of
    `columns` ({name: lookup or expression}, plus `pk`; the `dates` among them turned into dates): `line(row,
    today)` says how it reads, `handled_at_url(row)` is the one page where it is handled, and the default
    assignees are the user whose id is the column `owner`, else the staff leads of the project whose id is
    the column `leads`. `reassignable`: False when only the default assignee can handle it (an import is
    confirmed by its uploader only). `seen_after`: the row's "changed at" field when the item has no state
    of its own to close it, and is closed by « Marquer comme vu » until it changes again."""

    key: str
    label: "StrOrPromise"
    rows: Callable[[date], QuerySet[Any]]
    handled_at_url: Callable[[dict[str, Any]], str]
    default_for: Callable[[int], Q]
    columns: dict[str, Any]
    line: Callable[[dict[str, Any], date], Line]
    dates: tuple[str, ...] = ("day",)
    owner: str | None = None
    leads: str | None = None
    order: int = 100
    reassignable: bool = True
    seen_after: str | None = None
    help: "StrOrPromise" = ""
    empty: "StrOrPromise" = field(default="")


_SOURCES: dict[str, Source] = {}
_builtin_loaded = False


def register_source(
    key: str,
    label: "StrOrPromise",
    rows: Callable[[date], QuerySet[Any]],
    handled_at_url: Callable[[Any], str],
    **options: Any,
) -> Source:
    """Add a source (registering the same key again replaces it: `ready()` may run twice in tests)."""
    source = Source(key, label, rows, handled_at_url, **options)
    _SOURCES[key] = source
    return source


def sources() -> list[Source]:
    """Every source, in their `order` (then key), projects' and prospects' own included."""
    global _builtin_loaded
    if not _builtin_loaded:
        from . import sources as _builtin  # noqa: F401  (registers on import)

        _builtin_loaded = True
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def source(key: str) -> Source | None:
    return next((s for s in sources() if s.key == key), None)

"""Reads for PDF reports, always scoped by the acting user through programme.access."""

from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from evaluation.models import Report
from evaluation.selectors import Filters, programme_figures
from programme import access, dataversion
from programme.models import Cohort, DataVersion, Programme, Territory, Theme, User


def report_list(*, user: User) -> QuerySet[Report]:
    return (
        access.scoped(user, Report)
        .select_related("programme", "project", "requested_by")
        .order_by("-created_at", "-pk")
    )


def report_get(*, user: User, pk: int) -> Report:
    """The report if the user may read it; 404 otherwise (never 403, never the object)."""
    return access.get_for_user_or_404(report_list(user=user), pk=pk)


@dataclass(frozen=True)
class FilterChoices:
    """What the dashboard's filters offer: every programme, promotion, territory and theme (archived ones
    too: the dashboard looks back), in their usual order."""

    programmes: list[Programme]
    cohorts: list[Cohort]
    territories: list[Territory]
    themes: list[Theme]
    #: The data version read with them (`programme.dataversion`): what the dashboard's figures are cached on.
    version: int = 0

    def programme(self, raw: str) -> Programme | None:
        """The programme asked for by its id, else the default one (as `selectors.default_programme`)."""
        chosen = next((p for p in self.programmes if str(p.pk) == raw), None) if raw.isdigit() else None
        return chosen or (self.programmes[0] if self.programmes else None)

    def cohorts_of(self, programme: Programme | None) -> list[Cohort]:
        return [c for c in self.cohorts if programme is not None and c.programme_id == programme.pk]


def filter_choices() -> FilterChoices:
    """The four menus of the dashboard's filters in one query: a UNION ALL of four small tables, each row
    tagged with its table, ordered as each model orders itself (programmes: active first, then by name;
    promotions: latest year first; territories and themes by name), and the data version. Programmes are
    not scoped (see `selectors.default_programme`), nor are these reference lists."""
    tables = {model: model._meta.db_table for model in (Programme, Cohort, Territory, Theme, DataVersion)}
    # Table names from the models, no outside input.
    # Columns: kind, id, name, is_active, programme_id, year, start_date, rank (the programmes' order).
    sql = (
        f"SELECT 1, id, name, is_active, NULL, NULL, start_date, CASE WHEN is_active THEN 1 ELSE 0 END "  # noqa: S608
        f"FROM {tables[Programme]} "
        f"UNION ALL SELECT 2, id, name, is_active, programme_id, year, NULL, 0 FROM {tables[Cohort]} "
        f"UNION ALL SELECT 3, id, name, is_active, NULL, NULL, NULL, 0 FROM {tables[Territory]} "
        f"UNION ALL SELECT 4, id, name, is_active, NULL, NULL, NULL, 0 FROM {tables[Theme]} "
        f"UNION ALL SELECT 5, value, NULL, NULL, NULL, NULL, NULL, 0 FROM {tables[DataVersion]} "
        "ORDER BY 1, 8 DESC, 6 DESC, 3"
    )
    lists: dict[int, list[Any]] = {1: [], 2: [], 3: [], 4: []}
    version = 0
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, pk, name, is_active, programme_id, year, start_date, _rank in cursor.fetchall():
            if kind == 5:
                version = pk
                continue
            fields: dict[str, Any] = {"id": pk, "name": name, "is_active": bool(is_active)}
            if kind == 1:
                fields["start_date"] = (
                    date.fromisoformat(start_date) if isinstance(start_date, str) else start_date
                )
            elif kind == 2:
                fields.update(programme_id=programme_id, year=year)
            model = {1: Programme, 2: Cohort, 3: Territory, 4: Theme}[kind]
            # from_db wants the values in the model's field order; the fields not read stay deferred.
            names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]
            lists[kind].append(model.from_db("default", names, [fields[n] for n in names]))
    return FilterChoices(lists[1], lists[2], lists[3], lists[4], version)


@dataclass(frozen=True)
class DashboardFigures:
    """The dashboard's figures and, when they were cached, when their entry ends (a timestamp; 0: not cached)."""

    figures: dict[str, Any]
    expires: float = 0.0


def dashboard_key(*, user: User, filters: Filters, version: int) -> str | None:
    """The cache key of the dashboard's figures for these filters: the filters, today's date, the language
    (the figures carry labels) and the data `version` read with the filter menus (`programme.dataversion`:
    every committed write to a table the figures read makes a new one). None — computed afresh, never
    stored — with DASHBOARD_CACHE_SECONDS=0, or for a connection holding uncommitted writes of its own."""
    if settings.DASHBOARD_CACHE_SECONDS <= 0 or not access.is_team(user) or dataversion.pending(connection):
        return None
    # The team reads every row (programme.access): one entry for every team member.
    parts = (version, timezone.localdate().isoformat(), get_language(), *astuple(filters))
    return "dashboard-figures:" + ":".join(str(part) for part in parts)


def dashboard_figures(*, user: User, filters: Filters, key: str | None) -> DashboardFigures:
    """`programme_figures` for the dashboard, from the cache under `key` (`dashboard_key`) while nothing
    they read has changed. An entry lives at most DASHBOARD_CACHE_SECONDS, never past midnight nor past
    the next workshop's start (the only figures the clock changes within a day)."""
    if key is None:
        return DashboardFigures(programme_figures(user=user, filters=filters))
    entry: tuple[float, dict[str, Any]] | None = cache.get(key)
    if entry is not None:
        return DashboardFigures(entry[1], entry[0])
    now = timezone.localtime()
    figures = programme_figures(user=user, filters=filters)
    until = [
        now + timedelta(seconds=settings.DASHBOARD_CACHE_SECONDS),
        datetime.combine(now.date() + timedelta(days=1), time(), now.tzinfo),
    ]
    if figures["changes_at"] is not None:
        until.append(figures["changes_at"])
    expires = min(until)
    timeout = int((expires - now).total_seconds())
    if timeout < 1:
        return DashboardFigures(figures)
    cache.set(key, (expires.timestamp(), figures), timeout)
    return DashboardFigures(figures, expires.timestamp())


def dashboard_derived[T](key: str | None, name: str, make: Callable[[], tuple[T, float]]) -> T:
    """What is made of the figures and the request alone (the page's body), cached beside the figures under
    `name`: read without reading them, else `make()` gives it and when the figures' entry ends (0: not
    cached, so neither is this)."""
    if key is None:
        return make()[0]
    full = f"{key}:{name}"
    value: T | None = cache.get(full)
    if value is None:
        value, expires = make()
        timeout = int(expires - timezone.now().timestamp())
        if timeout >= 1:
            cache.set(full, value, timeout)
    return value

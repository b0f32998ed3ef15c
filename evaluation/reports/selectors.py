"""Reads for PDF reports, always scoped by the acting user through programme.access."""

from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import datetime, time, timedelta
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
from programme.models import User


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

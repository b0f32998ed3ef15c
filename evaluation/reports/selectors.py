"""Reads for PDF reports, always scoped by the acting user through programme.access."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from evaluation.models import Report
from programme import access
from programme.models import Cohort, Programme, Territory, Theme, User


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

    def programme(self, raw: str) -> Programme | None:
        """The programme asked for by its id, else the default one (as `selectors.default_programme`)."""
        chosen = next((p for p in self.programmes if str(p.pk) == raw), None) if raw.isdigit() else None
        return chosen or (self.programmes[0] if self.programmes else None)

    def cohorts_of(self, programme: Programme | None) -> list[Cohort]:
        return [c for c in self.cohorts if programme is not None and c.programme_id == programme.pk]


def filter_choices() -> FilterChoices:
    """The four menus of the dashboard's filters in one query: a UNION ALL of four small tables, each row
    tagged with its table, ordered as each model orders itself (programmes: active first, then by name;
    promotions: latest year first; territories and themes by name). Programmes are not scoped (see
    `selectors.default_programme`), nor are these reference lists."""
    tables = {model: model._meta.db_table for model in (Programme, Cohort, Territory, Theme)}
    # Table names from the models, no outside input.
    # Columns: kind, id, name, is_active, programme_id, year, start_date, rank (the programmes' order).
    sql = (
        f"SELECT 1, id, name, is_active, NULL, NULL, start_date, CASE WHEN is_active THEN 1 ELSE 0 END "  # noqa: S608
        f"FROM {tables[Programme]} "
        f"UNION ALL SELECT 2, id, name, is_active, programme_id, year, NULL, 0 FROM {tables[Cohort]} "
        f"UNION ALL SELECT 3, id, name, is_active, NULL, NULL, NULL, 0 FROM {tables[Territory]} "
        f"UNION ALL SELECT 4, id, name, is_active, NULL, NULL, NULL, 0 FROM {tables[Theme]} "
        "ORDER BY 1, 8 DESC, 6 DESC, 3"
    )
    lists: dict[int, list[Any]] = {1: [], 2: [], 3: [], 4: []}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for kind, pk, name, is_active, programme_id, year, start_date, _rank in cursor.fetchall():
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
    return FilterChoices(lists[1], lists[2], lists[3], lists[4])

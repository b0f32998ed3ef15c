"""Reads of the team inbox « À traiter »: each source's items for a member or the whole team, the count
in the navigation. "For me" is decided in SQL: an explicit assignment to the member, or none and the
member among the source's default assignees — never by filtering rows in Python."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, Window

from programme import access
from programme.access import TEAM_ROLES
from programme.models import User

from .models import Assignment, Seen
from .registry import Line, Source, sources

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

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def team_members() -> QuerySet[User]:
    """Who an item may be assigned to: the active members of the programme team."""
    return User.objects.filter(is_active=True, role__in=TEAM_ROLES).order_by("first_name", "last_name", "pk")


def _same_item(model: type[Any]) -> Q:
    """The inbox row naming the outer row (by its content type's natural key: no extra query for it)."""
    return Q(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=OuterRef("pk"),
    )


def rows_for(source: Source, *, today: date, member_id: int | None) -> QuerySet[Any]:
    """The source's open items, each with `inbox_assignee_id` (its explicit assignment), for the member
    (`member_id`) or the whole team (None)."""
    rows: QuerySet[Any] = source.rows(today)
    model = rows.model
    assigned = Assignment.objects.filter(_same_item(model)).values("assignee_id")[:1]
    rows = rows.annotate(inbox_assignee_id=Subquery(assigned))
    if source.seen_after:
        seen = Seen.objects.filter(_same_item(model), seen_at__gte=OuterRef(source.seen_after))
        rows = rows.exclude(Q(Exists(seen)))
    if member_id is not None:
        mine = Q(inbox_assignee_id=member_id) if source.reassignable else Q(pk__in=[])
        rows = rows.filter(mine | (Q(inbox_assignee_id__isnull=True) & source.default_for(member_id)))
    return rows


def inbox(
    user: User,
    *,
    member_id: int | None,
    today: date,
    rows: int = SECTION_ROWS,
    members: list[User] | None = None,
) -> list[Section]:
    """Every section of the inbox, for the member or the whole team: its count and its first rows.
    `members`: the team members already read by the caller (their names say who an item is assigned to)."""
    if not access.is_team(user):
        return []
    names = {u.pk: u.get_full_name() or u.email for u in (members if members is not None else team_members())}
    sections = []
    for source in sources():
        qs = rows_for(source, today=today, member_id=member_id)
        # The section's total rides along on every row (COUNT(*) OVER ()): one query per section.
        found = list(qs.annotate(inbox_total=Window(Count("pk")))[:rows])
        count = found[0].inbox_total if found else 0
        items = [
            Item(
                source=source,
                pk=row.pk,
                line=source.line(row, today),
                url=source.handled_at_url(row),
                assignees=[names.get(row.inbox_assignee_id, "")]
                if row.inbox_assignee_id
                else source.defaults(row),
                assigned_id=row.inbox_assignee_id,
            )
            for row in found
        ]
        sections.append(Section(source=source, count=count, items=items))
    return sections


def inbox_count(user: User, *, today: date) -> int:
    """How many items wait for the user (the navigation's badge): one query for every source."""
    if not access.is_team(user):
        return 0
    parts = [
        rows_for(s, today=today, member_id=user.pk).prefetch_related(None).order_by().values_list(Value(1))
        for s in sources()
    ]
    if not parts:
        return 0
    first, *others = parts
    return first.union(*others, all=True).count()

"""Reads of the structure's pieces (its projects, its timeline, its open next actions) and of a project's
exchanges, each scoped through programme.access for the acting user, in a fixed number of queries."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from programme import access
from programme.batch import Prepared, PreparedModels, stand_in
from programme.models import Organisation, User
from prospects.models import Exchange

from ..funding.selectors import money_by_project
from ..models import Document, Membership, Project
from . import timeline
from .timeline import organisation_projects_q

#: Rows per page of the structure's timeline.
TIMELINE_PAGE_SIZE = 25
#: Open next actions listed above the timeline.
OPEN_ACTIONS_LIMIT = 10


def structure_projects(*, user: User, organisation: Organisation) -> dict[str, Any]:
    """The structure's projects (led or member of), each with its role(s), phase and money (from
    `funding.selectors.money_by_project`: the one definition), and the documents shared with their
    collectives. Six queries whatever the number of projects (one, the memberships, four for money,
    one for the documents)."""
    projects = list(
        access.scoped(user, Project)
        .filter(organisation_projects_q(organisation.pk))
        .distinct()
        .select_related("cohort")
        .order_by("-start_date", "title")
    )
    ids = [p.pk for p in projects]
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        access.scoped(user, Membership)
        .filter(project_id__in=ids, organisation=organisation)
        .select_related("person")
        .order_by("joined_on", "pk")
    ):
        memberships.setdefault(membership.project_id, []).append(membership)
    money = money_by_project(user=user, projects=Project.objects.filter(pk__in=ids)) if ids else {}
    documents = list(
        access.scoped(user, Document)
        .filter(project_id__in=ids, shared_with_collective=True)
        .select_related("project")
        .order_by("project__title", "title")
    )
    return {
        "organisation": organisation,
        "rows": [
            {
                "project": p,
                "lead": p.lead_organisation_id == organisation.pk,
                "memberships": memberships.get(p.pk, []),
                "money": money.get(p.pk),
            }
            for p in projects
        ],
        "documents": documents,
    }


def structure_timeline(
    *, user: User, organisation: Organisation, kinds: list[str], page: Any
) -> dict[str, Any]:
    """One page of the structure's merged timeline (the sources `kinds`, all when empty): a count, the
    page's rows (one UNION ALL with LIMIT/OFFSET) and their projects' titles — three queries whatever the
    number of rows."""
    chosen = [k for k in kinds if k in timeline.SOURCES] or list(timeline.SOURCES)
    union = timeline.merged(user, organisation.pk, chosen)
    paginator = Paginator(union if union is not None else Exchange.objects.none(), TIMELINE_PAGE_SIZE)
    page_obj = paginator.get_page(page)
    entries = timeline.present(list(page_obj.object_list))
    titles = _project_titles(user, {e["project_id"] for e in entries if e["project_id"]})
    return {
        "organisation": organisation,
        "page": page_obj,
        "count": paginator.count,
        "entries": [{**e, "project": titles.get(e["project_id"] or 0)} for e in entries],
        "kinds": [
            {
                "kind": s.kind,
                "label": s.label,
                "checked": s.kind in chosen and len(chosen) < len(timeline.SOURCES),
            }
            for s in timeline.SOURCES.values()
        ],
        "filtered": len(chosen) < len(timeline.SOURCES),
        "chosen": chosen,
    }


def _project_titles(user: User, project_ids: set[int]) -> dict[int, str]:
    """The titles of the projects `project_ids` that `user` may see (one query; the team's compiled once
    per process and number of projects: PROJECT_TITLES_FOR_TEAM)."""
    if not project_ids:
        return {}
    if access.is_team(user):
        values = {stand_in(n): pk for n, pk in enumerate(sorted(project_ids))}
        (rows,) = PROJECT_TITLES_FOR_TEAM.rows(len(values), values=values, today=timezone.localdate())
        return dict(rows)
    return dict(access.scoped(user, Project).filter(pk__in=project_ids).values_list("pk", "title"))


#: `_project_titles` as the team reads them (every project), for `n` projects, compiled once per process.
PROJECT_TITLES_FOR_TEAM = Prepared(
    lambda n: [
        access.scoped(access.team_member(), Project)
        .filter(pk__in=[stand_in(i) for i in range(n)])
        .values_list("pk", "title")
    ]
)


def open_next_actions(*, user: User, organisation: Organisation) -> list[Exchange]:
    """The structure's exchanges whose next action is still to do, soonest first (one query; the team's
    compiled once per process: OPEN_ACTIONS_FOR_TEAM)."""
    if access.is_team(user):
        return OPEN_ACTIONS_FOR_TEAM.objects(
            values={stand_in(0): organisation.pk}, today=timezone.localdate()
        )
    return list(_open_next_actions(user, organisation.pk))


def _open_next_actions(user: User, organisation_id: int) -> QuerySet[Exchange]:
    return (
        access.scoped(user, Exchange)
        .filter(organisation_id=organisation_id, next_action_done_on__isnull=True)
        .filter(~Q(next_action="") | Q(next_action_date__isnull=False))
        .select_related("owner", "contact")
        .order_by("next_action_date", "pk")[:OPEN_ACTIONS_LIMIT]
    )


#: `open_next_actions` as the team reads it (every exchange: `access.scoped`), built for a member standing
#: for all of them, the structure a stand-in, compiled once per process: on a structure with little history
#: building and compiling it cost more than the structure's whole timeline.
OPEN_ACTIONS_FOR_TEAM = PreparedModels(lambda _shape: _open_next_actions(access.team_member(), stand_in(0)))


def organisation_for(user: User, pk: int) -> Organisation:
    """The structure `pk` as `user` may see it (404 otherwise); the team's statement compiled once per
    process (ORGANISATION_FOR_TEAM), as every piece of the structure page reads it."""
    if access.is_team(user):
        return ORGANISATION_FOR_TEAM.get_or_404(values={stand_in(0): pk}, today=timezone.localdate())
    return access.get_for_user_or_404(access.scoped(user, Organisation), pk=pk)


ORGANISATION_FOR_TEAM = PreparedModels(
    lambda _shape: access.scoped(access.team_member(), Organisation).filter(pk=stand_in(0))
)


def project_exchanges(*, user: User, project: Project | int) -> QuerySet[Exchange]:
    """The exchanges tied to a project (or its id), newest first (one query once iterated)."""
    return (
        access.scoped(user, Exchange)
        .filter(projects=project)
        .select_related("organisation", "contact", "user", "owner")
        .order_by("-date", "-pk")
    )


#: The first `count` exchanges of the project stand_in(0) as the team reads them (every exchange:
#: `access.scoped`), built for a member standing for all of them, compiled once per process and count:
#: building and compiling the query of four joined models cost twice its SQL.
FIRST_EXCHANGES_FOR_TEAM = PreparedModels(
    lambda count: project_exchanges(user=access.team_member(), project=stand_in(0))[:count]
)


def project_exchanges_slice(*, user: User, project: Project, skip: int, count: int) -> list[Exchange]:
    """`count` of the project's exchanges after the `skip` newest (`project_exchanges`). The team's first
    page — what every visit of the « Frise » tab reads — is one statement compiled once per process
    (FIRST_EXCHANGES_FOR_TEAM); any other page, or reader, the ORM's query."""
    if skip == 0 and access.is_team(user):
        return FIRST_EXCHANGES_FOR_TEAM.objects(
            count, values={stand_in(0): project.pk}, today=timezone.localdate()
        )
    return list(project_exchanges(user=user, project=project)[skip : skip + count])


def shared_exchanges(*, user: User, limit: int = 20) -> QuerySet[Exchange]:
    """The exchanges a partner may read in the portal: their own structure's, marked shared."""
    return (
        access.scoped(user, Exchange)
        .filter(organisation_id=user.organisation_id or 0, shared=True)
        .select_related("contact")
        .order_by("-date", "-pk")[:limit]
    )

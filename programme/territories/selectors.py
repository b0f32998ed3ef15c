"""Reads of the territories, through programme.access (a local partner reads only what they were given)."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from programme import access
from programme.identity import folded
from programme.models import Person, Territory, User

from .models import Area, AreaKind, Stage, StageMove, TerritoryGrant, TerritoryPartner

SEARCH_LIMIT = 20


def territory_list(*, user: User) -> QuerySet[Territory]:
    """The territories with what the list shows: programme, stage, counts of areas and partners."""
    return (
        access.scoped(user, Territory)
        .select_related("programme", "stage")
        .annotate(
            area_count=Count("areas", distinct=True),
            partner_count=Count("partners", distinct=True),
        )
        .order_by("-is_active", "-kind", "name")
    )


def territory_get(*, user: User, pk: int) -> Territory:
    return access.get_for_user_or_404(
        access.scoped(user, Territory).select_related("programme", "stage"), pk=pk
    )


def territory_detail(*, user: User, territory: Territory) -> dict[str, Any]:
    """Everything the territory's own card shows: areas by level, partners, referents, démarche."""
    areas = list(territory.areas.order_by("kind", "name"))
    by_kind = [
        {"kind": kind, "label": label, "areas": [a for a in areas if a.kind == kind]}
        for kind, label in AreaKind.choices
    ]
    stages = (
        list(Stage.objects.filter(programme_id=territory.programme_id, is_active=True))
        if territory.programme_id
        else []
    )
    moves = list(
        StageMove.objects.filter(territory=territory).select_related("from_stage", "to_stage", "moved_by")
    )
    reached = {m.to_stage_id: m.moved_on for m in reversed(moves)}
    return {
        "areas": [group for group in by_kind if group["areas"]],
        "area_count": len(areas),
        "partners": list(TerritoryPartner.objects.filter(territory=territory).select_related("organisation")),
        "referents": list(
            Person.objects.filter(referent_of=territory, anonymised_at__isnull=True).select_related(
                "organisation"
            )
        ),
        "stages": [
            {"stage": s, "current": s.pk == territory.stage_id, "reached_on": reached.get(s.pk)}
            for s in stages
        ],
        "moves": moves,
        "grants": list(
            TerritoryGrant.objects.filter(territory=territory).select_related("user", "user__organisation")
        )
        if access.is_team(user)
        else [],
    }


def area_search(
    *, user: User, query: str, kind: str = "", exclude: QuerySet[Area] | None = None
) -> list[Area]:
    """Areas whose name starts with (or contains) `query`, or whose code starts with it; communes by
    population first, so « Lyon » finds Lyon before Lyons-la-Forêt."""
    query = query.strip()
    if len(query) < 2:
        return []
    areas = access.scoped(user, Area)
    if kind:
        areas = areas.filter(kind=kind)
    if exclude is not None:
        areas = areas.exclude(pk__in=exclude.values("pk"))
    matches = areas.filter(Q(search_text__contains=folded(query)) | Q(code__startswith=query))
    return list(matches.order_by("-population", "name")[:SEARCH_LIMIT])


def stages_by_programme(*, user: User) -> list[dict[str, Any]]:
    from programme.models import Programme

    stages = Prefetch("stages", queryset=Stage.objects.order_by("position", "pk"))
    return [
        {"programme": p, "stages": list(p.stages.all())}
        for p in Programme.objects.prefetch_related(stages).order_by("-is_active", "name")
    ]

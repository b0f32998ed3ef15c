"""Reads of the action-research and of a territory's page, through programme.access. The figures come from
evaluation.selectors (the one definition); nothing here counts a programme figure of its own."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from programme import access
from programme.models import Programme, Territory, User
from projects.models import DeploymentSite, Project
from prospects.models import Prospect

from .. import selectors as figures
from ..selectors import Filters
from .models import Coding, Condition, FrameworkVersion, Observation, PilotProject, Resource, ResourceStatus

PROSPECTS_SHOWN = 10
OBSERVATIONS_SHOWN = 5


def programme_for(territory: Territory) -> Programme | None:
    return territory.programme or figures.default_programme()


def current_version(programme: Programme | None) -> FrameworkVersion | None:
    if programme is None:
        return None
    return FrameworkVersion.objects.filter(programme=programme).order_by("-number").first()


def conditions_of(version: FrameworkVersion | None) -> list[Condition]:
    """The version's conditions in reading order: each top-level condition followed by its sub-conditions
    (`depth` 0 or 1)."""
    if version is None:
        return []
    rows = list(version.conditions.order_by("position", "pk"))
    children: dict[int, list[Condition]] = {}
    for row in rows:
        if row.parent_id:
            children.setdefault(row.parent_id, []).append(row)
    ordered: list[Condition] = []
    for row in rows:
        if row.parent_id is None:
            row.depth = 0  # type: ignore[attr-defined]
            ordered.append(row)
            for child in children.get(row.pk, []):
                child.depth = 1  # type: ignore[attr-defined]
                ordered.append(child)
    return ordered


# --- The territory page's sections ---------------------------------------------------------------------------


def territory_activity(*, user: User, territory: Territory) -> dict[str, Any]:
    """What is located on the territory: its projects (pilot ones first) with their phase, prospects,
    essaimage sites, and its figures (projects by phase, people mobilised, indicators rolled up)."""
    pilots = set(PilotProject.objects.filter(territory=territory).values_list("project_id", flat=True))
    projects = list(
        access.scoped(user, Project)
        .filter(territory=territory)
        .select_related("lead_organisation")
        .order_by("title")
    )
    prospects = access.scoped(user, Prospect).filter(territory=territory).select_related("organisation")
    sites = (
        access.scoped(user, DeploymentSite)
        .filter(territory=territory)
        .select_related("project", "partner")
        .order_by("project__title")
    )
    return {
        "pilot_projects": [p for p in projects if p.pk in pilots],
        "other_projects": [p for p in projects if p.pk not in pilots],
        "prospects": list(prospects.order_by("-updated_at")[:PROSPECTS_SHOWN]),
        "prospect_count": prospects.count(),
        "sites": list(sites),
        "figures": figures.territory_figures(user=user, filters=Filters(territory_id=territory.pk)),
    }


def territory_research(*, user: User, territory: Territory) -> dict[str, Any]:
    """The territory's action-research: the latest coding of each condition, its last observations."""
    version = current_version(programme_for(territory))
    conditions = conditions_of(version)
    latest = latest_codings(user=user, territory_ids=[territory.pk])
    observations = (
        access.scoped(user, Observation)
        .filter(territory=territory)
        .select_related("author", "project")
        .prefetch_related(Prefetch("codings", queryset=Coding.objects.select_related("condition")))
    )
    return {
        "version": version,
        "rows": [{"condition": c, "coding": latest.get((territory.pk, c.key))} for c in conditions],
        "observations": list(observations[:OBSERVATIONS_SHOWN]),
        "observation_count": observations.count(),
    }


def territory_resources(*, user: User, territory: Territory) -> list[Resource]:
    resources = access.scoped(user, Resource).filter(territory=territory)
    if not access.is_team(user):
        resources = resources.filter(status=ResourceStatus.PUBLISHED)
    return list(resources.select_related("project").order_by("-created_at"))


# --- Codings across territories -------------------------------------------------------------------------------


def latest_codings(
    *, user: User, territory_ids: list[int], start: date | None = None, end: date | None = None
) -> dict[tuple[int, Any], Coding]:
    """{(territory id, condition key): the latest coding in the period}, whatever the framework version it
    was coded against (a condition keeps its key from one version to the next). One query."""
    codings = access.scoped(user, Coding).filter(observation__territory_id__in=territory_ids)
    if start is not None:
        codings = codings.filter(observation__observed_on__gte=start)
    if end is not None:
        codings = codings.filter(observation__observed_on__lte=end)
    latest: dict[tuple[int, Any], Coding] = {}
    for coding in codings.select_related("observation", "condition").order_by(
        "observation__observed_on", "observation_id"
    ):
        latest[(coding.observation.territory_id, coding.condition.key)] = coding
    return latest


@dataclass(frozen=True)
class Period:
    start: date | None = None
    end: date | None = None


def matrix(*, user: User, programme: Programme | None, period: Period) -> dict[str, Any]:
    """Territories × conditions of the current framework: each cell the latest coding in the period
    (with its observation, one click away). Four queries whatever the number of rows."""
    version = current_version(programme)
    conditions = conditions_of(version)
    territories = list(
        access.scoped(user, Territory).filter(is_active=True).order_by("-kind", "name")
        if programme is None
        else access.scoped(user, Territory)
        .filter(is_active=True, programme=programme)
        .order_by("-kind", "name")
    )
    latest = latest_codings(
        user=user, territory_ids=[t.pk for t in territories], start=period.start, end=period.end
    )
    return {
        "version": version,
        "conditions": conditions,
        "rows": [
            {"territory": t, "cells": [latest.get((t.pk, c.key)) for c in conditions]} for t in territories
        ],
        # The same, transposed (a condition per row): the printable matrix, where territories are few.
        "territories": territories,
        "by_condition": [
            {"condition": c, "cells": [latest.get((t.pk, c.key)) for t in territories]} for c in conditions
        ],
    }


def condition_synthesis(*, user: User, condition: Condition, period: Period) -> list[dict[str, Any]]:
    """Every coding of the condition (in any version: same key), from every territory, newest first,
    grouped by territory."""
    codings = (
        access.scoped(user, Coding)
        .filter(condition__key=condition.key, condition__version__programme_id=condition.version.programme_id)
        .select_related(
            "observation",
            "observation__territory",
            "observation__author",
            "observation__project",
            "condition__version",
        )
        .order_by("observation__territory__name", "-observation__observed_on", "-observation_id")
    )
    if period.start is not None:
        codings = codings.filter(observation__observed_on__gte=period.start)
    if period.end is not None:
        codings = codings.filter(observation__observed_on__lte=period.end)
    groups: dict[int, dict[str, Any]] = {}
    for coding in codings:
        territory = coding.observation.territory
        groups.setdefault(territory.pk, {"territory": territory, "codings": []})["codings"].append(coding)
    return list(groups.values())


def observation_list(*, user: User) -> QuerySet[Observation]:
    return (
        access.scoped(user, Observation)
        .select_related("territory", "project", "author", "version")
        .prefetch_related(Prefetch("codings", queryset=Coding.objects.select_related("condition")))
    )

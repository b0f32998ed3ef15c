"""Reads of phase templates (the team's)."""

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from programme import access
from programme.models import Programme, User
from projects.models import Phase, Project

from .models import TEMPLATE_PHASES, AppliedTemplate, PhaseTemplate


def template_overview(user: User) -> list[dict[str, Any]]:
    """Per active programme, each phase's current template (None when there is none)."""
    programmes = list(Programme.objects.filter(is_active=True).order_by("name"))
    templates = (
        access.scoped(user, PhaseTemplate)
        .filter(programme__in=programmes)
        .annotate(item_count=Count("items"))
        .order_by("programme_id", "phase", "-version")
    )
    current: dict[tuple[int, str], PhaseTemplate] = {}
    for template in templates:
        current.setdefault((template.programme_id, template.phase), template)
    return [
        {
            "programme": programme,
            "phases": [
                {"phase": phase, "label": Phase(phase).label, "template": current.get((programme.pk, phase))}
                for phase in TEMPLATE_PHASES
            ],
        }
        for programme in programmes
    ]


def template_detail(user: User, pk: int) -> PhaseTemplate:
    return get_object_or_404(
        access.scoped(user, PhaseTemplate).select_related("programme", "created_by"), pk=pk
    )


def template_versions(template: PhaseTemplate) -> QuerySet[PhaseTemplate]:
    return (
        PhaseTemplate.objects.filter(programme_id=template.programme_id, phase=template.phase)
        .annotate(project_count=Count("applications"))
        .select_related("created_by")
        .order_by("-version")  # the model's order is not applied to a grouped query: said here
    )


def applied_templates(user: User, project: Project) -> QuerySet[AppliedTemplate]:
    """The template versions a project got, by phase (shown on its page)."""
    return access.scoped(user, AppliedTemplate).filter(project=project).select_related("template")

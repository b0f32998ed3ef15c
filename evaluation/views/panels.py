"""Panels of the home page that belong to evaluation, loaded by URL (hx-get) by the programme's home:
the lower apps never name this one."""

from django.db.models import Count, Min
from django.http import HttpResponse
from django.shortcuts import render

from programme import access
from programme.access import AuthedRequest

from ..models import Measurement, MeasurementStatus

#: How many projects the panel lists; the rest are behind the link to the queue.
PANEL_PROJECTS = 8


@access.team_required
def measurements_panel(request: AuthedRequest) -> HttpResponse:
    """Values submitted by the collectives and waiting for the team's validation, per project (oldest
    submission first), from the same rows as the validation queue."""
    rows = list(
        access.scoped(request.user, Measurement)
        .filter(status=MeasurementStatus.SUBMITTED)
        .values("project_indicator__project_id", "project_indicator__project__title")
        .annotate(count=Count("pk"), oldest=Min("submitted_at"))
        .order_by("oldest", "project_indicator__project__title")
    )
    context = {
        "rows": rows[:PANEL_PROJECTS],
        "more": len(rows) - PANEL_PROJECTS if len(rows) > PANEL_PROJECTS else 0,
        "total": sum(r["count"] for r in rows),
        "submitted": MeasurementStatus.SUBMITTED,
    }
    return render(request, "evaluation/partials/_home_measurements.html", context)

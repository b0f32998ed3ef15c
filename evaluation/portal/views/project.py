""" "Mon projet": the partner's home and each of their current projects."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from programme import access
from programme.access import AuthedRequest
from projects.models import Project

from .. import selectors
from .conversations import portal_thread


@access.partner_required
def home(request: AuthedRequest) -> HttpResponse:
    """The partner's home: their (first) current project, or what to expect when there is none yet."""
    project = selectors.first_project(user=request.user)
    if project is None:
        return render(request, "portal/home_empty.html")
    return _project_page(request, project)


@access.partner_required
def project(request: AuthedRequest, pk: int) -> HttpResponse:
    """One of the partner's current projects, or 404."""
    project = get_object_or_404(
        access.scoped(request.user, Project).select_related("lead_organisation", "programme"), pk=pk
    )
    return _project_page(request, project)


def _project_page(request: AuthedRequest, project: Project) -> HttpResponse:
    """The page of one project, with the tab row of the partner's projects when they have several."""
    context = selectors.project_page(user=request.user, project=project)
    context |= portal_thread(request.user, project, None)
    context["project_tabs"] = [
        {"url": reverse("portal:project", args=[p.pk]), "label": p.title, "current": p.pk == project.pk}
        for p in context["projects"]
    ]
    return render(request, "portal/project.html", context)

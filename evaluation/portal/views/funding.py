"""The collective's budget and funding plan, read-only, when the team shares them (projects.funding)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from programme import access
from programme.access import AuthedRequest
from projects.funding import selectors
from projects.funding.models import FundingSettings
from projects.models import Project


@access.partner_required
def funding(request: AuthedRequest, pk: int) -> HttpResponse:
    """The project's money as the team shares it: figures, plan, budgets. 404 unless the partner's
    collective is in the project and the team shares its money."""
    project = get_object_or_404(access.scoped(request.user, Project), pk=pk)
    if (
        not access.scoped(request.user, FundingSettings)
        .filter(project=project, shared_with_collective=True)
        .exists()
    ):
        raise Http404
    context = {
        "project": project,
        "funding": selectors.project_funding(user=request.user, project_id=project.pk),
    }
    return render(request, "portal/funding.html", context)

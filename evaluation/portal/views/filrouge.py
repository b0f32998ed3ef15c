"""The collective's « Fil rouge »: the chain of its project as the partner reads it in the portal (the rules
of « Mon projet »: the workshop outputs, the indicators the partner reports and their results, the lessons
the team shared with the collective)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from evaluation.filrouge.graph import fil_rouge_svg
from evaluation.filrouge.selectors import fil_rouge as fil_rouge_chain
from programme import access
from programme.access import AuthedRequest
from projects.models import Project


@access.partner_required
def fil_rouge(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(access.scoped(request.user, Project).select_related("programme"), pk=pk)
    chain = fil_rouge_chain(user=request.user, project=project, today=timezone.localdate(), collective=True)
    return render(
        request,
        "portal/filrouge.html",
        {
            "project": project,
            "chain": chain,
            "graph": mark_safe(fil_rouge_svg(chain)),  # noqa: S308 — graph.py escapes every text it writes
        },
    )

"""The structure page's « Parcours de prospection » piece (loaded by URL from programme's organisation
page, team only): its prospect record in each programme, with stage, stage history and interviews."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render

from programme import access
from programme.access import AuthedRequest
from programme.models import Organisation

from ..models import Interview, Prospect, StageChange


@access.team_required
def organisation_path(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = access.get_for_user_or_404(access.scoped(request.user, Organisation), pk=pk)
    # Three queries whatever the number of records: the records, their stage changes, their interviews.
    prospects = (
        access.scoped(request.user, Prospect)
        .filter(organisation=organisation)
        .select_related("programme", "cohort", "owner")
        .prefetch_related(
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("changed_by").order_by("-changed_at", "-pk"),
            ),
            Prefetch(
                "interviews",
                queryset=access.scoped(request.user, Interview).order_by("-scheduled_at"),
            ),
        )
        .order_by("-created_at")
    )
    return render(
        request,
        "prospects/partials/_organisation_path.html",
        {"organisation": organisation, "prospects": prospects},
    )

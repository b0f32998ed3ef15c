"""The programme's scoring grid and its versions."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.forms import SubmissionForm
from programme.pages import posted, submitted

from .. import selectors, services
from ..forms import CriterionFormSet

# --- Scoring grid ---------------------------------------------------------------------------------------------


@access.team_required
def grid_detail(request: AuthedRequest) -> HttpResponse:
    programme = selectors.grid_programme(request.user, request.GET.get("programme", ""))
    return render(request, "prospects/grid_detail.html", selectors.grid_page(request.user, programme))


# A grid is a programme setting: directors change it, the team reads it.
@access.director_required
@require_http_methods(["GET", "POST"])
def grid_edit(request: AuthedRequest) -> HttpResponse:
    programme = selectors.grid_programme(request.user, request.GET.get("programme", ""))
    grid = selectors.current_grid(programme)
    if grid is None:
        grid = services.grid_ensure_default(programme=programme, actor=request.user)
    initial = [
        {
            "label": c.label,
            "weight": c.weight,
            "level_0": c.level_0,
            "level_1": c.level_1,
            "level_2": c.level_2,
            "level_3": c.level_3,
        }
        for c in grid.criteria.all()
    ]
    formset = CriterionFormSet(posted(request), initial=initial, prefix="criteria")
    # The formset's one-time token (`criteria-submission_token`): a double click saves one version.
    submission = SubmissionForm(posted(request), prefix="criteria")
    new = (
        submitted(
            request,
            submission,
            lambda: services.grid_new_version(
                actor=request.user, programme=programme, criteria=formset.criteria()
            ),
            message=lambda new: (
                _(
                    "Version %(version)s de la grille enregistrée. Les entretiens déjà planifiés gardent leur version."
                )
                % {"version": new.version}
            ),
        )
        if formset.is_valid()
        else None
    )
    if new is not None:
        return redirect(reverse("prospects:grid.detail") + f"?programme={programme.pk}")
    return render(
        request,
        "prospects/grid_form.html",
        {"formset": formset, "submission": submission, "programme": programme, "grid": grid},
    )

"""Pre-qualification interviews: plan, score, conclude, cancel."""

from collections.abc import Callable
from typing import Any

from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.pages import acted, guarded, posted, submitted

from .. import selectors, services
from ..forms import InterviewCompleteForm, InterviewForm, ScoreForm
from ..models import Interview

# --- Interviews ---------------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def interview_create(request: AuthedRequest, pk: int) -> HttpResponse:
    prospect = selectors.prospect_detail(request.user, pk)
    form = InterviewForm(
        posted(request),
        prospect=prospect,
        initial={"interviewers": [request.user.pk]},
    )

    def schedule() -> Interview:
        data = form.cleaned_data
        return services.interview_schedule(
            actor=request.user,
            prospect=prospect,
            scheduled_at=data["scheduled_at"],
            interviewers=list(data["interviewers"]),
            place=data["place"],
            remote=data["remote"],
            contacts=list(data["contacts"]),
        )

    interview = submitted(request, form, schedule, message=_("Entretien planifié."), refusals_on_form=True)
    if interview is not None:
        return redirect(interview)
    return render(request, "prospects/interview_form.html", {"form": form, "prospect": prospect})


def _interview_context(request: AuthedRequest, interview: Interview, **forms: Form) -> dict[str, Any]:
    sheet = selectors.interview_sheet(request.user, interview)
    return {
        **sheet,
        "score_form": forms.get("score_form")
        or ScoreForm(criteria=sheet["criteria"], initial_scores=sheet["my_scores"], prefix="score"),
        "complete_form": forms.get("complete_form") or InterviewCompleteForm(prefix="end"),
    }


def _interview_action(
    request: AuthedRequest,
    interview: Interview,
    form: Form,
    *,
    form_name: str,
    act: Callable[[], object],
    success: str,
) -> HttpResponse:
    """Score or conclude: a valid form goes to the service; its refusal comes back on the form."""
    if submitted(request, form, guarded(form, act), message=success) is not None:
        return redirect(interview)
    return render(
        request,
        "prospects/interview_detail.html",
        _interview_context(request, interview, **{form_name: form}),
    )


@access.team_required
def interview_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    return render(request, "prospects/interview_detail.html", _interview_context(request, interview))


@access.team_required
@require_POST
def interview_score(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    form = ScoreForm(request.POST, criteria=list(interview.grid.criteria.all()), prefix="score")
    return _interview_action(
        request,
        interview,
        form,
        form_name="score_form",
        act=lambda: services.interview_score(actor=request.user, interview=interview, values=form.values()),
        success=_("Vos notes sont enregistrées."),
    )


@access.team_required
@require_POST
def interview_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    form = InterviewCompleteForm(request.POST, prefix="end")
    return _interview_action(
        request,
        interview,
        form,
        form_name="complete_form",
        act=lambda: services.interview_complete(
            actor=request.user,
            interview=interview,
            recommendation=form.cleaned_data["recommendation"],
            rationale=form.cleaned_data["rationale"],
        ),
        success=_("Entretien terminé : le prospect est pré-qualifié."),
    )


@access.team_required
@require_POST
def interview_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    interview = selectors.interview_detail(request.user, pk)
    acted(
        request,
        lambda: services.interview_cancel(actor=request.user, interview=interview),
        message=_("Entretien annulé."),
    )
    return redirect(interview)

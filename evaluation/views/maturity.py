"""The collective's cooperative maturity, assessed by the team at the start and the end of a phase, and
the team's waiver of a moment that will not be assessed."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import history
from programme.pages import acted, submitted

from .. import selectors, services
from ..forms import MaturityForm
from ..models import ASSESSED_PHASES, DESCRIPTORS, Dimension, MaturityAssessment, Moment


@access.team_required
@require_http_methods(["GET", "POST"])
def maturity_form(
    request: AuthedRequest, project_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Assess a project's collective (project_pk) or correct an assessment (pk; phase and moment fixed)."""
    assessment = selectors.maturity_assessment_get(user=request.user, pk=pk) if pk else None
    if assessment:
        project = assessment.project
        initial = {
            "phase": assessment.phase,
            "moment": assessment.moment,
            "assessed_on": assessment.assessed_on,
            "participants": assessment.participants,
            "comment": assessment.comment,
            **{f"score_{s.dimension}": s.score for s in assessment.scores.all()},
        }
    else:
        assert project_pk is not None  # the create URL carries it
        project = selectors.project_get(user=request.user, pk=project_pk)
        # The moments list links here with the phase and moment owed (an end of phase after the gate).
        phase = request.GET.get("phase", "")
        initial = {
            "phase": phase if phase in ASSESSED_PHASES else project.phase,
            "moment": request.GET.get("moment", "start"),
            "assessed_on": timezone.localdate(),
        }
    form = MaturityForm(request.POST if request.method == "POST" else None, initial=initial)
    if assessment:
        form.fields["phase"].disabled = form.fields["moment"].disabled = True

    def save() -> MaturityAssessment:
        data = form.cleaned_data
        return services.maturity_assessment_save(
            actor=request.user,
            project=project,
            phase=assessment.phase if assessment else data["phase"],
            moment=assessment.moment if assessment else data["moment"],
            assessed_on=data["assessed_on"],
            scores=form.scores(),
            participants=data["participants"],
            comment=data["comment"],
        )

    saved = submitted(
        request,
        form,
        save,
        message=_("Maturité coopérative mise à jour.")
        if assessment
        else _("Maturité coopérative enregistrée."),
        refusals_on_form=True,
    )
    if saved is not None:
        return redirect("evaluation:protocol", project_pk=project.pk)
    context = {
        "form": form,
        "project": project,
        "assessment": assessment,
        "dimensions": [(d, DESCRIPTORS[d], form[f"score_{d.value}"]) for d in Dimension],
    }
    if assessment:
        context["audit_entries"] = history(assessment)
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/maturity_form.html", context, status=status)


@access.team_required
@require_POST
def maturity_waive(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The team waives a maturity moment still owed (phase and moment posted), with the reason."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    phase, moment = request.POST.get("phase", ""), request.POST.get("moment", "")

    def waive() -> object:
        if phase not in ASSESSED_PHASES or moment not in Moment.values:
            raise ValidationError(_("Choisissez une phase d’accompagnement et un moment (début ou fin)."))
        return services.maturity_moment_waive(
            actor=request.user,
            project=project,
            phase=phase,
            moment=moment,
            reason=request.POST.get("reason", ""),
        )

    acted(request, waive, message=_("Dispense enregistrée : cette auto-évaluation n’est plus attendue."))
    return redirect("evaluation:protocol", project_pk=project.pk)

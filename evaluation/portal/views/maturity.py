"""The collective's cooperative maturity self-assessment: filled here while the moment is open to the
collective (`evaluation.models.maturity_moments`: a phase entered or left makes its moment due), and
opened early by the team (the one team action filed under the portal)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evaluation.models import MaturityAssessment
from programme import access
from programme.access import AuthedRequest
from programme.pages import save_once
from projects.models import Project

from ... import services
from ...models import DESCRIPTORS, Dimension, Moment
from ...selectors import maturity_moments_for
from ..forms import PortalMaturityForm


@access.partner_required
@require_http_methods(["GET", "POST"])
def maturity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A self-assessment of the collective: filled here while open to the collective, read-only after."""
    assessment = get_object_or_404(
        access.portal_scoped(request.user, MaturityAssessment).select_related("project", "assessed_by"), pk=pk
    )
    return _fill(request, assessment.project, assessment)


@access.partner_required
@require_http_methods(["GET", "POST"])
def maturity_moment(request: AuthedRequest, pk: int, phase: str, moment: str) -> HttpResponse:
    """A moment owed that nobody has started yet (the phase began or ended since): the same page, and the
    assessment is created when the collective saves it. 404 for a moment that is not owed."""
    project = get_object_or_404(access.scoped(request.user, Project), pk=pk)
    due = next(
        (
            m
            for m in maturity_moments_for(user=request.user, project=project)
            if (m.phase, m.moment) == (phase, moment)
        ),
        None,
    )
    if due is not None and due.assessment is not None:
        return redirect("portal:maturity", due.assessment.pk)
    if due is None or not due.open_to_partners:
        raise Http404
    return _fill(request, project, MaturityAssessment(project=project, phase=phase, moment=moment))


def _fill(request: AuthedRequest, project: Project, assessment: MaturityAssessment) -> HttpResponse:
    key = (assessment.phase, assessment.moment)
    due = next(
        (m for m in maturity_moments_for(user=request.user, project=project) if (m.phase, m.moment) == key),
        None,
    )
    is_open = due is not None and due.open_to_partners
    scores = {s.dimension: s.score for s in assessment.scores.all()} if assessment.pk else {}
    form = None
    status = 200
    if is_open:
        initial: dict[str, Any] = {"participants": assessment.participants, "comment": assessment.comment}
        initial.update({f"score_{d}": s for d, s in scores.items()})
        form = PortalMaturityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Cette auto-évaluation est close : l’équipe l’a finalisée."))
            return redirect(request.path)
        if form.is_valid():
            try:
                saved = save_once(
                    form,
                    lambda: services.maturity_assessment_save(
                        actor=request.user,
                        project=project,
                        phase=assessment.phase,
                        moment=assessment.moment,
                        assessed_on=timezone.localdate(),
                        scores=form.scores(),
                        participants=form.cleaned_data["participants"],
                        comment=form.cleaned_data["comment"],
                    ),
                    refusals_on_form=True,
                )
            except PermissionDenied:
                raise Http404
            if saved is not None:
                messages.success(request, _("Auto-évaluation enregistrée. Merci !"))
                return redirect("portal:project", project.pk)
        status = 400
    rows = [
        {
            "label": d.label,
            "score": scores.get(d.value),
            "descriptor": DESCRIPTORS[d][scores[d.value] - 1] if d.value in scores else "",
        }
        for d in Dimension
    ]
    context = {
        "assessment": assessment,
        "project": project,
        "form": form,
        "is_open": is_open,
        "rows": rows,
    }
    return render(request, "portal/maturity.html", context, status=status)


@access.team_required
@require_POST
def maturity_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """The team opens the collective's self-assessment for the project's current phase (start or end)
    early — an end-of-phase one before the gate, typically: an assessment without scores, which the
    partners then fill in the portal."""
    project = get_object_or_404(access.scoped(request.user, Project), pk=pk)
    moment = request.POST.get("moment", "")
    try:
        if moment not in Moment.values:
            raise ValidationError(_("Choisissez le moment (début ou fin de phase) d’un projet en cours."))
        _assessment, created = services.maturity_assessment_open(
            actor=request.user, project=project, moment=Moment(moment)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(project)
    if created:
        messages.success(
            request, _("Auto-évaluation ouverte : les partenaires du collectif peuvent la remplir.")
        )
    else:
        messages.info(request, _("Cette auto-évaluation existe déjà."))
    return redirect(project)

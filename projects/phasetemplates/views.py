"""Phase template pages: the team reads them, directors save new versions."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.forms import SubmissionForm
from programme.models import Programme
from programme.pages import posted, submitted
from projects.models import Phase, Project

from . import selectors, services
from .forms import FIELDS, TemplateItemFormSet
from .models import TEMPLATE_PHASES


@access.team_required
def template_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "projects/phasetemplates/list.html",
        {"title": _("Modèles de phase"), "overview": selectors.template_overview(request.user)},
    )


@access.team_required
def template_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    template = selectors.template_detail(request.user, pk)
    return render(
        request,
        "projects/phasetemplates/detail.html",
        {
            "title": _("Modèle %(name)s") % {"name": template},
            "template": template,
            "items": template.items.all(),
            "versions": selectors.template_versions(template),
            "months": services.phase_duration_months(template.programme, template.phase),
        },
    )


@access.director_required
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthedRequest) -> HttpResponse:
    programme_id, phase = request.GET.get("programme", ""), request.GET.get("phase", "")
    if phase not in TEMPLATE_PHASES:
        raise Http404
    if programme_id.isdigit():
        programme = get_object_or_404(Programme.objects.all(), pk=programme_id)
    else:  # the first active programme, as on the grid page
        programme = get_object_or_404(Programme.objects.order_by("-is_active", "name")[:1])
    current = services.current_template(programme.pk, phase)
    initial = [{key: getattr(item, key) for key in FIELDS} for item in current.items.all()] if current else []
    months = services.phase_duration_months(programme, phase)
    formset = TemplateItemFormSet(
        posted(request), initial=initial, prefix="items", form_kwargs={"months": months}
    )
    submission = SubmissionForm(posted(request), prefix="items")
    new = (
        submitted(
            request,
            submission,
            lambda: services.template_new_version(
                actor=request.user, programme=programme, phase=phase, items=formset.items()
            ),
            message=lambda new: (
                _("Modèle %(name)s enregistré. Les projets déjà entrés dans la phase gardent le leur.")
                % {"name": new}
            ),
            refusals_on_form=True,
        )
        if formset.is_valid()
        else None
    )
    if new is not None:
        return redirect(new)
    return render(
        request,
        "projects/phasetemplates/form.html",
        {
            "title": _("Modèle de phase — %(phase)s") % {"phase": Phase(phase).label},
            "formset": formset,
            "submission": submission,
            "programme": programme,
            "phase": phase,
            "current": current,
            "months": months,
        },
    )


@access.team_required
def project_templates(request: AuthedRequest, pk: int) -> HttpResponse:
    """The line of a project page that says which template versions the project got (a partial)."""
    project = access.get_for_user_or_404(access.scoped(request.user, Project), pk=pk)
    return render(
        request,
        "projects/phasetemplates/partials/_project.html",
        {"applied": selectors.applied_templates(request.user, project)},
    )

"""The projects list and board, a project's creation, overview, edit and timeline, and the gate dossier
with the director's decision."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.pages import posted, render_filtered_list, save_once

from .. import selectors, services, timeline
from ..filters import ProjectFilter
from ..forms import GateDecisionForm, ProjectCreateForm, ProjectForm
from ..models import Project
from ..relations import selectors as relations_selectors
from .base import project_for, render_form_page, render_tab


@access.team_required
def project_list(request: AuthedRequest) -> HttpResponse:
    queryset = selectors.projects_with_status(request.user).order_by("title")
    filterset = ProjectFilter(request.GET, queryset=queryset)
    return render_filtered_list(
        request,
        filterset=filterset,
        template="projects/project_list.html",
        partial="projects/partials/_project_table.html",
        context={"title": _("Projets")},
    )


@access.team_required
def project_board(request: AuthedRequest) -> HttpResponse:
    columns, closed = selectors.board(request.user)
    # The cards' URLs from one reverse per page, not one per card.
    detail = reverse("projects:project.detail", args=[0]).replace("/0/", "/{}/")
    for column in columns:
        for project in column["projects"]:
            project.detail_url = detail.format(project.pk)  # type: ignore[attr-defined]
    return render(request, "projects/project_board.html", {"columns": columns, "closed": closed})


@access.team_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedRequest) -> HttpResponse:
    form = ProjectCreateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        project = save_once(
            form, lambda: services.project_save(actor=request.user, edit=Edit.from_form(form))
        )
        if project is not None:
            messages.success(request, _("Projet « %(title)s » créé.") % {"title": project.title})
            return redirect(project)
    return render_form_page(
        request, project=None, form=form, title=_("Nouveau projet"), cancel=reverse("projects:project.list")
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = ProjectForm(posted(request), instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_save(actor=request.user, edit=Edit.from_form(form))
        messages.success(request, _("Projet mis à jour."))
        return redirect(project)
    return render_form_page(
        request, project=project, form=form, title=_("Modifier le projet"), cancel=project.get_absolute_url()
    )


@access.team_required
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    today = timezone.localdate()
    context = {**selectors.project_overview(request.user, project, today=today), "today": today}
    return render_tab(request, project, "overview", "projects/project_detail.html", context)


@access.team_required
def project_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    periods = sorted(project.phase_periods.all(), key=lambda p: p.planned_start)
    tl = timeline.build(
        project,
        periods=periods,
        milestones=list(project.milestones.all()),
        workshops=list(project.workshops.order_by("starts_at")),
        committees=list(project.committees.order_by("date")),
    )
    context = {
        "tl": tl,
        "periods": periods,
        "exchanges": relations_selectors.project_exchanges(user=request.user, project=project),
        "back": request.get_full_path() + "#exchanges",
    }
    return render_tab(request, project, "timeline", "projects/project_timeline.html", context)


# --- Gate decision ------------------------------------------------------------------------------------


def _dossier_page(request: AuthedRequest, project: Project, form: GateDecisionForm | None) -> HttpResponse:
    context = {
        "dossier": selectors.gate_dossier(request.user, project),
        "form": form,
        "outcomes": services.allowed_outcomes(project),
    }
    return render_tab(request, project, "dossier", "projects/gate_dossier.html", context)


@access.team_required
def gate_dossier(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    outcomes = services.allowed_outcomes(project)
    form = GateDecisionForm(project=project) if access.is_director(request.user) and outcomes else None
    return _dossier_page(request, project, form)


@access.director_required
@require_http_methods(["GET", "POST"])
def gate_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    outcomes = services.allowed_outcomes(project)
    if not outcomes:
        messages.error(
            request,
            _("Ce projet est « %(phase)s » : plus aucune décision d’étape n’est possible.")
            % {"phase": project.get_phase_display()},
        )
        return redirect(project)
    form = GateDecisionForm(posted(request), project=project)
    if request.method == "POST" and form.is_valid():
        to_phase = services.target_phase(project.phase, form.cleaned_data["outcome"])
        assert to_phase is not None  # the form offers only the outcomes allowed from this phase
        decision = save_once(
            form,
            lambda: services.project_move(
                actor=request.user, project=project, to_phase=to_phase, **form.service_data()
            ),
            refusals_on_form=True,
        )
        if decision is None:
            return _dossier_page(request, project, form)
        messages.success(
            request,
            _("Décision enregistrée : %(outcome)s — le projet est maintenant en « %(phase)s ».")
            % {"outcome": decision.get_outcome_display(), "phase": decision.get_to_phase_display()},
        )
        return redirect(project)
    return _dossier_page(request, project, form)

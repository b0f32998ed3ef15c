"""The fil rouge pages of the team: the project's « Fil rouge » tab (graph + list), the outputs an
indicator tests, the sources of a lesson in the project."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluation.models import Lesson, ProjectIndicator
from programme import access
from programme.access import AuthedRequest
from programme.pages import posted
from projects.views.base import project_for, render_tab, save_or_show

from . import selectors, services
from .forms import IndicatorOutputsForm, LessonSourcesForm
from .graph import fil_rouge_svg


@access.team_required
def fil_rouge(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The project page's « Fil rouge » tab: the chain as a graph and as a list, its gaps, and where to
    link what is missing."""
    project = project_for(request, project_pk)
    chain = selectors.fil_rouge(user=request.user, project=project, today=timezone.localdate())
    context = {
        "chain": chain,
        "graph": mark_safe(fil_rouge_svg(chain)),  # noqa: S308 — graph.py escapes every text it writes
        "indicators": access.scoped(request.user, ProjectIndicator)
        .filter(project=project)
        .select_related("indicator")
        .order_by("indicator__name"),
        "lessons": access.scoped(request.user, Lesson).filter(projects=project).order_by("title"),
    }
    return render_tab(request, project, "filrouge", "evaluation/filrouge/page.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def indicator_outputs(request: AuthedRequest, pk: int) -> HttpResponse:
    """Which workshop outputs an indicator of the project tests."""
    pi = get_object_or_404(
        access.scoped(request.user, ProjectIndicator).select_related("indicator", "project"), pk=pk
    )
    form = IndicatorOutputsForm(
        posted(request), user=request.user, project=pi.project, initial={"outputs": list(pi.outputs.all())}
    )

    def save() -> ProjectIndicator:
        return services.indicator_outputs_set(
            actor=request.user, project_indicator=pi, outputs=list(form.cleaned_data["outputs"])
        )

    return save_or_show(
        request,
        form,
        save,
        message=_("Productions testées enregistrées."),
        refusals_on_form=True,
        project=pi.project,
        title=_("Ce que teste l’indicateur « %(name)s »") % {"name": pi.indicator.name},
        cancel=reverse("evaluation:filrouge", args=[pi.project_id]),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def lesson_sources(request: AuthedRequest, project_pk: int, pk: int) -> HttpResponse:
    """What a lesson comes from in the project: outputs, workshops, committees, findings."""
    project = project_for(request, project_pk)
    lesson = get_object_or_404(access.scoped(request.user, Lesson), pk=pk)
    if not lesson.projects.filter(pk=project.pk).exists():
        raise Http404
    initial = {
        "outputs": list(lesson.outputs.filter(project=project)),
        "workshops": list(lesson.workshops.filter(project=project)),
        "committees": list(lesson.committees.filter(project=project)),
        "findings": list(lesson.findings.filter(project=project)),
    }
    form = LessonSourcesForm(posted(request), user=request.user, project=project, initial=initial)

    def save() -> Lesson:
        return services.lesson_sources_set(
            actor=request.user,
            lesson=lesson,
            project=project,
            outputs=list(form.cleaned_data["outputs"]),
            workshops=list(form.cleaned_data["workshops"]),
            committees=list(form.cleaned_data["committees"]),
            findings=list(form.cleaned_data["findings"]),
        )

    return save_or_show(
        request,
        form,
        save,
        message=_("Sources de l’enseignement enregistrées."),
        refusals_on_form=True,
        project=project,
        title=_("D’où vient l’enseignement « %(title)s »") % {"title": lesson.title},
        cancel=reverse("evaluation:filrouge", args=[project.pk]),
    )

"""Lessons learned (capitalisation) and the essaimage kit."""

import unicodedata

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evaluation.models import Lesson
from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.models import Programme
from programme.pages import posted, render_filtered_list, share_toggle, submitted
from projects.models import Project

from .. import selectors, services
from ..filters import LessonFilter
from ..forms import LessonForm
from ..judgement import services as judgement_services
from ..models import LessonKind


@access.team_required
def lesson_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    queryset = access.scoped(user, Lesson).select_related("author").prefetch_related("themes", "projects")
    filterset = LessonFilter(request.GET, queryset=queryset, projects=access.scoped(user, Project))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/lesson_list.html",
        partial="evaluation/partials/_lesson_table.html",
        page_size=25,
    )


def _sort_key(text: str) -> str:
    """Alphabetical order the French way: accents do not push "Économie" after "Sans"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


@access.team_required
def lesson_kit(request: AuthedRequest) -> HttpResponse:
    """Lessons gathered by theme, for the essaimage kit (printable)."""
    lessons = (
        access.scoped(request.user, Lesson).prefetch_related("themes", "projects").order_by("kind", "title")
    )
    by_theme: dict[str, list[Lesson]] = {}
    no_theme = _("Sans thématique")
    for lesson in lessons:
        names = [t.name for t in lesson.themes.all()] or [no_theme]
        for name in names:
            by_theme.setdefault(name, []).append(lesson)
    order = {k: i for i, k in enumerate(LessonKind.values)}
    groups: list[dict[str, object]] = [
        {"theme": name, "lessons": sorted(items, key=lambda lesson: (order[lesson.kind], lesson.title))}
        for name, items in sorted(
            by_theme.items(), key=lambda item: (item[0] == no_theme, _sort_key(item[0]))
        )
    ]
    return render(request, "evaluation/lesson_kit.html", {"groups": groups})


@access.team_required
def lesson_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(access.scoped(request.user, Lesson).select_related("author"), pk=pk)
    return render(
        request,
        "evaluation/lesson_detail.html",
        {
            "lesson": lesson,
            "findings": lesson.findings.select_related("question").order_by("project_id", "question__order"),
            "audit_entries": history(lesson),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def lesson_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Write a lesson (optionally from a project: ?project=<pk>) or edit one (pk)."""
    user = request.user
    lesson = get_object_or_404(access.scoped(user, Lesson), pk=pk) if pk else None
    initial = {}
    programme: Programme | None
    if lesson:
        programme = lesson.programme
    else:
        project = None
        if request.GET.get("project", "").isdigit():
            project = access.scoped(user, Project).filter(pk=request.GET["project"]).first()
            if project:
                initial = {"projects": [project.pk], "phase": project.phase}
        programme = project.programme if project else selectors.default_programme()
        if programme is None:
            messages.error(request, _("Créez d’abord un programme."))
            return redirect("evaluation:lesson.list")
    form = LessonForm(
        posted(request),
        instance=lesson,
        programme=programme,
        projects=access.scoped(user, Project),
        initial=initial,
    )
    saved = submitted(
        request,
        form,
        lambda: services.lesson_save(actor=user, edit=Edit.from_form(form)),
        message=_("Enseignement mis à jour.") if lesson else _("Enseignement enregistré."),
    )
    if saved is not None:
        return redirect(saved)
    return render(
        request, "evaluation/lesson_form.html", {"form": form, "creating": lesson is None, "lesson": lesson}
    )


@access.team_required
@require_POST
def lesson_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(access.scoped(request.user, Lesson), pk=pk)
    services.lesson_delete(actor=request.user, lesson=lesson)
    messages.success(request, _("Enseignement supprimé."))
    return redirect("evaluation:lesson.list")


@access.team_required
@require_POST
def lesson_share(request: AuthedRequest, pk: int) -> HttpResponse:
    """Share the lesson with the collectives of its projects, or keep it to the team again."""
    lesson = get_object_or_404(access.scoped(request.user, Lesson), pk=pk)
    share_toggle(
        request,
        lambda shared: judgement_services.lesson_share(actor=request.user, lesson=lesson, shared=shared),
        shared=_("Enseignement partagé avec le collectif."),
        kept=_("Enseignement réservé à l’équipe."),
    )
    return redirect(lesson)

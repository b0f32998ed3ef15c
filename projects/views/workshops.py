"""The workshops tab: workshops with attendance, and the design items (needs, ideas, prototypes)."""

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.formatting import fr_datetime
from programme.pages import posted, reverse_pattern, submitted

from .. import selectors, services
from ..forms import WorkshopForm, WorkshopItemForm
from ..models import DesignStep, Project, Workshop
from .base import HEAD_PREFETCH, child_for, project_for, render_form_page, render_tab


def _workshop_rows(workshops: "Iterable[Mapping[str, Any]]") -> str:
    """The table's rows, written with string joins — the markup the template's loop wrote, byte for
    byte: a hundred workshops through the template engine were most of the tab's time. Labels and the
    link are prepared once for the page."""
    detail = reverse_pattern("projects:workshop.detail")
    steps = {value: escape(str(label)) for value, label in DesignStep.choices}
    shared = escape(_("partagé"))
    team_only = '<span class="muted">{}</span>'.format(escape(_("équipe seulement")))
    return "".join(
        f"<tr><td>{escape(fr_datetime(w['starts_at']))}</td>"
        f'<td><a href="{detail.format(w["pk"])}">{escape(w["title"])}</a></td>'
        f"<td>{steps.get(w['step'], escape(w['step']))}</td><td>{escape(w['place'] or '—')}</td>"
        f'<td class="num">{w["present_count"]} / {w["invited_count"]}</td>'
        f"<td>{shared if w['shared_with_collective'] else team_only}</td></tr>"
        for w in workshops
    )


@access.team_required
def project_workshops(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, prefetch=HEAD_PREFETCH)
    workshops = list(
        project.workshops.values(
            "pk",
            "starts_at",
            "title",
            "step",
            "place",
            "shared_with_collective",
            present_count=Count("attendances", filter=Q(attendances__present=True)),
            invited_count=Count("attendances", filter=Q(attendances__invited=True)),
        )
    )
    items = list(project.design_items.select_related("workshop"))
    needs = [i for i in items if i.kind == "need"]
    context = {
        "workshops": workshops,
        "workshop_rows": mark_safe(_workshop_rows(workshops)),  # noqa: S308 — every value escaped above
        "needs": needs,
        "children": {i.pk: [c for c in items if c.answers_id == i.pk] for i in items},
        "orphans": [i for i in items if i.kind != "need" and i.answers_id is None],
    }
    return render_tab(request, project, "workshops", "projects/project_workshops.html", context)


def _workshop_form_page(request: AuthedRequest, project: Project, workshop: Workshop | None) -> HttpResponse:
    people = selectors.collective_people(request.user, project)
    form = WorkshopForm(posted(request), instance=workshop, people=people)
    saved = submitted(
        request,
        form,
        lambda: services.workshop_save(
            actor=request.user,
            edit=Edit.from_form(form),
            project=project,
            invited=list(form.cleaned_data["invited"]),
            present=list(form.cleaned_data["present"]),
        ),
        message=lambda saved: _("Atelier « %(title)s » enregistré.") % {"title": saved.title},
    )
    if saved is not None:
        return redirect(saved)
    title = _("Modifier l’atelier") if workshop else _("Nouvel atelier")
    cancel = (
        workshop.get_absolute_url() if workshop else reverse("projects:project.workshops", args=[project.pk])
    )
    return render_form_page(request, project=project, form=form, title=title, cancel=cancel)


@access.team_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: AuthedRequest, pk: int) -> HttpResponse:
    return _workshop_form_page(request, project_for(request, pk), None)


@access.team_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = child_for(request, Workshop, pk)
    return _workshop_form_page(request, workshop.project, workshop)


@access.team_required
def workshop_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = child_for(request, Workshop, pk, related=("facilitator",))
    project = workshop.project
    context = {
        "workshop": workshop,
        "attendances": workshop.attendances.select_related("person__organisation").order_by(
            "person__last_name"
        ),
        "items": workshop.items.select_related("answers"),
        "item_form": WorkshopItemForm(project=project),
        "audit_entries": history(workshop, limit=20),
    }
    return render_tab(request, project, "workshops", "projects/workshop_detail.html", context)


@access.team_required
@require_POST
def workshop_item_create(request: AuthedRequest, pk: int) -> HttpResponse:
    workshop = child_for(request, Workshop, pk)
    project = workshop.project
    form = WorkshopItemForm(request.POST, project=project)
    form.instance.workshop = workshop
    saved = submitted(
        request,
        form,
        lambda: services.record_save(actor=request.user, edit=Edit.from_form(form), project=project),
        message=_("Élément ajouté."),
    )
    if saved is not None:
        return redirect(workshop)
    return render_form_page(
        request,
        project=project,
        form=form,
        title=_("Ajouter un besoin, une idée ou un prototype"),
        cancel=workshop.get_absolute_url(),
    )

"""The workshops tab: workshops with attendance, and the design items (needs, ideas, prototypes)."""

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.batch import Prepared, stand_in
from programme.formatting import datetime_writer
from programme.pages import posted, reverse_pattern, submitted

from .. import selectors, services
from ..forms import WorkshopForm, WorkshopItemForm
from ..models import DesignStep, Project, Workshop, WorkshopItem
from .base import HEAD_PREFETCH, child_for, project_for, render_form_page, render_tab, save_or_show


def _workshop_rows(workshops: "Iterable[Mapping[str, Any]]") -> str:
    """The table's rows, written with string joins — the markup the template's loop wrote, byte for
    byte: a hundred workshops through the template engine were most of the tab's time. Labels and the
    link are prepared once for the page."""
    detail = reverse_pattern("projects:workshop.detail")
    steps = {value: escape(str(label)) for value, label in DesignStep.choices}
    shared = escape(_("partagé"))
    team_only = '<span class="muted">{}</span>'.format(escape(_("équipe seulement")))
    when = datetime_writer()
    return "".join(
        f"<tr><td>{escape(when(w['starts_at']))}</td>"
        f'<td><a href="{detail.format(w["pk"])}">{escape(w["title"])}</a></td>'
        f"<td>{steps.get(w['step'], escape(w['step']))}</td><td>{escape(w['place'] or '—')}</td>"
        f'<td class="num">{w["present_count"]} / {w["invited_count"]}</td>'
        f"<td>{shared if w['shared_with_collective'] else team_only}</td></tr>"
        for w in workshops
    )


#: What a workshop's row shows on the tab (with its present and invited counts).
WORKSHOP_COLUMNS = ("pk", "starts_at", "title", "step", "place", "shared_with_collective")
#: What a design item shows (its workshop's title on its row): id, kind, title, answers, workshop.
ITEM_COLUMNS = ("id", "kind", "title", "answers_id", "workshop_id", "workshop__title")


def _workshops_round(_shape: object) -> list[QuerySet[Any, Any]]:
    """The workshops tab's rows for the project stand_in(0): its workshops with their attendance counts,
    and its design items."""
    project = stand_in(0)
    return [
        Workshop.objects.filter(project_id=project)
        .order_by()
        .values(
            *WORKSHOP_COLUMNS,
            present_count=Count("attendances", filter=Q(attendances__present=True)),
            invited_count=Count("attendances", filter=Q(attendances__invited=True)),
        ),
        WorkshopItem.objects.filter(project_id=project).order_by().values_list(*ITEM_COLUMNS),
    ]


#: The workshops and the design items in one statement (programme.batch.Prepared), compiled once per process.
WORKSHOPS_ROUND = Prepared(_workshops_round)


def _design_items(rows: "Iterable[tuple[Any, ...]]") -> list[WorkshopItem]:
    """The design items as the tab shows them — the model's order (kind, title), each with its workshop's
    title — made from their rows."""
    items = []
    for pk, kind, title, answers_id, workshop_id, workshop_title in sorted(
        rows, key=lambda r: (r[1], r[2], r[0])
    ):
        item = WorkshopItem(pk=pk, kind=kind, title=title, answers_id=answers_id, workshop_id=workshop_id)
        if workshop_id is not None:
            item.workshop = Workshop(pk=workshop_id, title=workshop_title)
        items.append(item)
    return items


@access.team_required
def project_workshops(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, prefetch=HEAD_PREFETCH)
    workshops, item_rows = WORKSHOPS_ROUND.rows(values={stand_in(0): project.pk}, today=timezone.localdate())
    workshops.sort(key=lambda w: (w["starts_at"], w["pk"]), reverse=True)  # the model's order: newest first
    items = _design_items(item_rows)
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
    return save_or_show(
        request,
        form,
        lambda: services.record_save(actor=request.user, edit=Edit.from_form(form), project=project),
        message=_("Élément ajouté."),
        project=project,
        title=_("Ajouter un besoin, une idée ou un prototype"),
        cancel=workshop.get_absolute_url(),
    )

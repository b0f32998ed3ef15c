"""What every tab of a project shares: the project and its records fetched through programme.access
(404 for outsiders), the tab frame, and the one create/edit form page of a project record."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.pages import posted, save_once

from .. import selectors, services
from ..models import Project

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def project_for(request: AuthedRequest, pk: int) -> Project:
    queryset = access.scoped(request.user, Project).select_related(
        "lead_organisation", "cohort", "territory", "programme"
    )
    return get_object_or_404(queryset.prefetch_related("phase_periods", "staff_leads", "themes"), pk=pk)


def child_for[M: Model](
    request: AuthedRequest, model: type[M], pk: int, *, related: tuple[str, ...] = ()
) -> M:
    """A record hanging off a project, fetched through the access rules (404 for outsiders)."""
    queryset = access.scoped(request.user, model).select_related("project", *related)
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class Tab:
    """One tab of a project page: its key (what `render_tab` is given), its URL name and its label, which is
    also the page's title."""

    key: str
    url_name: str
    label: "StrOrPromise"


TABS = (
    Tab("overview", "projects:project.detail", _("Vue d’ensemble")),
    Tab("collective", "projects:project.collective", _("Collectif")),
    Tab("timeline", "projects:project.timeline", _("Frise")),
    Tab("workshops", "projects:project.workshops", _("Ateliers")),
    Tab("governance", "projects:project.governance", _("Gouvernance")),
    Tab("deployment", "projects:project.deployment", _("Déploiement")),
    Tab("deliverables", "projects:project.deliverables", _("Jalons et livrables")),
    Tab("documents", "projects:project.documents", _("Documents")),
    Tab("funding", "projects:funding.page", _("Financement")),
)


def render_tab(
    request: AuthedRequest, project: Project, tab: str, template: str, context: dict[str, Any]
) -> HttpResponse:
    period = selectors.current_period(project)
    base = {
        "project": project,
        "tab": tab,
        "tabs": [
            {"url": reverse(t.url_name, args=[project.pk]), "label": t.label, "current": t.key == tab}
            for t in TABS
        ],
        "tab_label": next((t.label for t in TABS if t.key == tab), ""),
        "period": period,
        "late": bool(period and period.is_late()),
        "is_director": access.is_director(request.user),
    }
    return render(request, template, {**base, **context})


def render_form_page(
    request: AuthedRequest,
    *,
    project: Project | None,
    form: forms.BaseForm,
    title: str | Promise,
    cancel: str,
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "title": title, "cancel": cancel, "multipart": multipart},
    )


@dataclass(frozen=True)
class RecordPage:
    """The create/edit page of one kind of project record: the tab it returns to, and what the page and
    the confirmation say when adding or when editing."""

    tab: str
    create_title: "StrOrPromise"
    edit_title: "StrOrPromise"
    created: "StrOrPromise" = _("Enregistré.")
    updated: "StrOrPromise" = _("Enregistré.")


def record_form(
    request: AuthedRequest, page: RecordPage, form: forms.ModelForm, *, project: Project
) -> HttpResponse:
    """Add (the form's instance is new) or edit a record of `project`: saved through the audited service,
    then back to the tab; an invalid form is shown again with its errors."""
    editing = form.instance.pk is not None
    cancel = reverse(page.tab, args=[project.pk])
    if request.method == "POST" and form.is_valid():
        saved = save_once(
            form, lambda: services.record_save(actor=request.user, edit=Edit.from_form(form), project=project)
        )
        if saved is not None:
            messages.success(request, page.updated if editing else page.created)
            return redirect(cancel)
    title = page.edit_title if editing else page.create_title
    return render_form_page(request, project=project, form=form, title=title, cancel=cancel)


type RecordView = Callable[..., HttpResponseBase]


def record_views(
    page: RecordPage,
    form_class: type[forms.ModelForm],
    model: type[Model],
    *,
    initial: Callable[[], dict[str, Any]] = dict,
) -> tuple[RecordView, RecordView]:
    """The create view (`pk` is the project's) and the edit view (`pk` is the record's) of a project record
    whose form takes nothing but its data, its instance and `initial()` for a new record."""

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def create(request: AuthedRequest, pk: int) -> HttpResponse:
        project = project_for(request, pk)
        return record_form(request, page, form_class(posted(request), initial=initial()), project=project)

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def edit(request: AuthedRequest, pk: int) -> HttpResponse:
        form = form_class(posted(request), instance=child_for(request, model, pk))
        return record_form(request, page, form, project=form.instance.project)

    return create, edit

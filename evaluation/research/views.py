"""The action-research pages: the territory page's sections (registered into programme.territories), the
framework of conditions, the journal of observations, the cross-territory matrix and the synthesis per
condition, the resources. Team pages, but a local partner given access reads their territory's resources.
Objects only through programme.access (outsiders 404); writes through .services."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.exports import export_response
from programme.files import private_file_response
from programme.formatting import fr_date
from programme.pages import acted, create_edit_views, form_page, guarded, posted, save_once, submitted
from programme.territories.selectors import territory_get
from projects.models import Project

from .. import selectors as figure_selectors
from ..models import ReportKind
from ..reports.services import report_request
from . import selectors, services
from .forms import (
    ConditionForm,
    JournalFilterForm,
    ObservationForm,
    PeriodForm,
    ResourceForm,
    SourceForm,
    VersionForm,
)
from .models import Condition, FrameworkVersion, Observation, ObservationSource, Resource, ResourceFormat

PAGE_SIZE = 25


def _programme() -> Any:
    return figure_selectors.default_programme()


# --- The territory page's sections --------------------------------------------------------------------------


@access.team_required
def territory_activity(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = territory_get(user=request.user, pk=pk)
    context = {"territory": territory, **selectors.territory_activity(user=request.user, territory=territory)}
    return render(request, "evaluation/research/partials/_territory_activity.html", context)


@access.team_required
def territory_research(request: AuthedRequest, pk: int) -> HttpResponse:
    territory = territory_get(user=request.user, pk=pk)
    context = {"territory": territory, **selectors.territory_research(user=request.user, territory=territory)}
    return render(request, "evaluation/research/partials/_territory_research.html", context)


def territory_resources(request: AuthedRequest, pk: int) -> HttpResponse:
    """The territory's resources: the team reads them all, a local partner given access the published ones."""
    territory = territory_get(user=request.user, pk=pk)
    resources = selectors.territory_resources(user=request.user, territory=territory)
    return render(
        request,
        "evaluation/research/partials/_territory_resources.html",
        {"territory": territory, "resources": resources, "team": access.is_team(request.user)},
    )


@access.team_required
@require_POST
def pilot_project(request: AuthedRequest, pk: int, project_pk: int) -> HttpResponse:
    """Mark (or unmark) a project of the territory as its pilot project."""
    territory = territory_get(user=request.user, pk=pk)
    project = get_object_or_404(access.scoped(request.user, Project), pk=project_pk, territory=territory)
    pilot = request.POST.get("pilot") == "1"
    services.pilot_project_set(actor=request.user, territory=territory, project=project, pilot=pilot)
    messages.success(
        request,
        (
            _("« %(project)s » est un projet pilote du territoire.")
            if pilot
            else _("« %(project)s » n’est plus projet pilote.")
        )
        % {"project": project},
    )
    return redirect(territory)


# --- The framework --------------------------------------------------------------------------------------------


@access.team_required
def framework(request: AuthedRequest) -> HttpResponse:
    programme = _programme()
    version = selectors.current_version(programme)
    versions = (
        list(FrameworkVersion.objects.filter(programme=programme).select_related("created_by"))
        if programme
        else []
    )
    return render(
        request,
        "evaluation/research/framework.html",
        {
            "title": _("Cadre d’action"),
            "programme": programme,
            "version": version,
            "conditions": selectors.conditions_of(version),
            "versions": versions,
            "version_form": VersionForm(),
        },
    )


@access.team_required
@require_POST
def version_create(request: AuthedRequest) -> HttpResponse:
    programme = _programme()
    if programme is None:
        raise Http404
    form = VersionForm(request.POST)
    if form.is_valid():
        saved = save_once(
            form,
            lambda: services.framework_version_create(
                actor=request.user, programme=programme, note=form.cleaned_data["note"]
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _(
                    "Nouvelle version du cadre : v%(number)s. Les observations déjà codées gardent leur version."
                )
                % {"number": saved.number},
            )
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect("evaluation:research.framework")


def _condition_page(request: AuthedRequest, condition: Condition | None) -> HttpResponse:
    version = condition.version if condition else selectors.current_version(_programme())
    if version is None:
        messages.error(request, _("Créez d’abord une première version du cadre d’action."))
        return redirect("evaluation:research.framework")
    form = ConditionForm(posted(request), instance=condition, version=version)
    if condition is None and not form.is_bound:
        form.fields["position"].initial = services.next_position(version)
    saved = submitted(
        request,
        form,
        guarded(form, lambda: services.condition_save(actor=request.user, edit=Edit.from_form(form))),
        message=_("La condition est enregistrée."),
    )
    if saved is not None:
        return redirect("evaluation:research.framework")
    title = _("Nouvelle condition") if condition is None else _("Modifier « %(name)s »") % {"name": condition}
    return render(
        request,
        "evaluation/research/form.html",
        {"title": title, "form": form, "cancel": reverse("evaluation:research.framework")},
    )


condition_create, condition_edit = create_edit_views(
    _condition_page,
    required=access.team_required,
    get=lambda request, pk: get_object_or_404(
        access.scoped(request.user, Condition).select_related("version__programme"), pk=pk
    ),
)


# --- The journal ----------------------------------------------------------------------------------------------


@access.team_required
def journal(request: AuthedRequest) -> HttpResponse:
    form = JournalFilterForm(request.GET or None)
    observations = selectors.observation_list(user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("territory"):
            observations = observations.filter(territory=data["territory"])
        if data.get("start"):
            observations = observations.filter(observed_on__gte=data["start"])
        if data.get("end"):
            observations = observations.filter(observed_on__lte=data["end"])
    page = Paginator(observations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/research/journal.html",
        {
            "title": _("Journal de recherche-action"),
            "filter_form": form,
            "page": page,
            "count": page.paginator.count,
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def observation_create(request: AuthedRequest) -> HttpResponse:
    programme = _programme()
    version = selectors.current_version(programme)
    if version is None:
        messages.error(request, _("Créez d’abord une première version du cadre d’action."))
        return redirect("evaluation:research.framework")
    conditions = selectors.conditions_of(version)
    initial = {"territory": request.GET.get("territory")} if request.GET.get("territory") else None
    form = ObservationForm(posted(request), request.FILES or None, conditions=conditions, initial=initial)

    def save() -> Observation:
        data = form.cleaned_data
        sources = []
        if data.get("source_label"):
            sources.append(
                services.SourceInput(
                    label=data["source_label"],
                    url=data.get("source_url") or "",
                    file=data.get("source_file"),
                )
            )
        return services.observation_create(
            actor=request.user,
            territory=data["territory"],
            project=data.get("project"),
            observed_on=data["observed_on"],
            text=data["text"],
            version=version,
            codings=form.codings(),
            sources=sources,
        )

    return form_page(
        request,
        form,
        save=guarded(form, save),
        message=lambda saved: _("L’observation est enregistrée."),
        template="evaluation/research/observation_form.html",
        context={"title": _("Nouvelle observation"), "version": version},
    )


def _observation(request: AuthedRequest, pk: int) -> Observation:
    return get_object_or_404(selectors.observation_list(user=request.user).prefetch_related("sources"), pk=pk)


@access.team_required
def observation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = _observation(request, pk)
    return render(
        request,
        "evaluation/research/observation.html",
        {
            "title": _("Observation du %(date)s") % {"date": fr_date(observation.observed_on)},
            "observation": observation,
            "source_form": SourceForm(),
        },
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def source_add(request: AuthedRequest, pk: int) -> HttpResponse:
    observation = _observation(request, pk)
    form = SourceForm(posted(request), request.FILES or None)

    def save() -> object:
        data = form.cleaned_data
        source = services.SourceInput(label=data["label"], url=data.get("url") or "", file=data.get("file"))
        return services.source_add(actor=request.user, observation=observation, source=source)

    if submitted(request, form, guarded(form, save), message=_("La source est ajoutée.")) is not None:
        return redirect(observation)
    return render(
        request,
        "evaluation/research/form.html",
        {
            "title": _("Ajouter une source"),
            "form": form,
            "cancel": observation.get_absolute_url(),
            "multipart": True,
        },
    )


@access.team_required
def source_download(request: AuthedRequest, pk: int) -> FileResponse:
    source = get_object_or_404(access.scoped(request.user, ObservationSource), pk=pk)
    if not source.file:
        raise Http404
    return private_file_response(source.file, filename=source.original_name, content_type=source.content_type)


# --- Across territories ---------------------------------------------------------------------------------------


def _period(request: AuthedRequest) -> tuple[PeriodForm, selectors.Period]:
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, selectors.Period(start=form.cleaned_data.get("start"), end=form.cleaned_data.get("end"))
    return form, selectors.Period()


@access.team_required
def matrix(request: AuthedRequest) -> HttpResponse:
    form, period = _period(request)
    data = selectors.matrix(user=request.user, programme=_programme(), period=period)
    return render(
        request,
        "evaluation/research/matrix.html",
        {
            "title": _("Matrice territoires × conditions"),
            "period_form": form,
            "query": request.GET.urlencode(),
            **data,
        },
    )


@access.team_required
def matrix_export(request: AuthedRequest) -> HttpResponse:
    """The matrix as XLSX: one row per territory, per condition its latest coding, date and justification."""
    _form, period = _period(request)
    data = selectors.matrix(user=request.user, programme=_programme(), period=period)
    headers = [_("Territoire"), _("Type")]
    for condition in data["conditions"]:
        name = f"↳ {condition.name}" if condition.depth else condition.name
        headers += [
            name,
            _("%(condition)s — date") % {"condition": name},
            _("%(condition)s — justification") % {"condition": name},
        ]
    rows = []
    for row in data["rows"]:
        line: list[Any] = [row["territory"].name, row["territory"].get_kind_display()]
        for coding in row["cells"]:
            if coding is None:
                line += ["", "", ""]
            else:
                line += [coding.get_status_display(), coding.observation.observed_on, coding.justification]
        rows.append(line)
    return export_response(
        fmt="xlsx", filename="matrice-recherche-action", title=_("Matrice"), headers=headers, rows=rows
    )


@access.team_required
@require_POST
def matrix_pdf(request: AuthedRequest) -> HttpResponse:
    """Order the printable matrix: a report rendered in the background (evaluation/reports)."""
    programme = _programme()
    if programme is None:
        raise Http404
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("evaluation:research.matrix")
    report = acted(
        request,
        lambda: report_request(
            actor=request.user,
            kind=ReportKind.RESEARCH_MATRIX,
            programme=programme,
            parameters={
                "period_start": form.cleaned_data.get("start"),
                "period_end": form.cleaned_data.get("end"),
            },
        ),
        message=_("La matrice imprimable est en préparation : elle sera prête dans un instant."),
    )
    if report is None:
        return redirect("evaluation:research.matrix")
    return redirect("evaluation:report.detail", pk=report.pk)


@access.team_required
def condition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The synthesis of a condition: every observation that coded it, from every territory."""
    condition = get_object_or_404(
        access.scoped(request.user, Condition).select_related("version", "parent"), pk=pk
    )
    form, period = _period(request)
    return render(
        request,
        "evaluation/research/condition.html",
        {
            "title": condition.name,
            "condition": condition,
            "period_form": form,
            "groups": selectors.condition_synthesis(user=request.user, condition=condition, period=period),
        },
    )


# --- Resources ------------------------------------------------------------------------------------------------


@access.team_required
def resource_list(request: AuthedRequest) -> HttpResponse:
    resources = (
        access.scoped(request.user, Resource)
        .select_related("territory", "project")
        .prefetch_related("conditions")
    )
    fmt = request.GET.get("format", "")
    if fmt in ResourceFormat.values:
        resources = resources.filter(format=fmt)
    page = Paginator(resources, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/research/resources.html",
        {
            "title": _("Ressources méthodologiques"),
            "page": page,
            "count": page.paginator.count,
            "formats": ResourceFormat.choices,
            "current_format": fmt,
        },
    )


def _resource_page(request: AuthedRequest, resource: Resource | None) -> HttpResponse:
    conditions = selectors.conditions_of(selectors.current_version(_programme()))
    initial = (
        {"territory": request.GET.get("territory")}
        if resource is None and request.GET.get("territory")
        else None
    )
    form = ResourceForm(
        posted(request), request.FILES or None, instance=resource, conditions=conditions, initial=initial
    )
    title = _("Nouvelle ressource") if resource is None else _("Modifier « %(name)s »") % {"name": resource}
    cancel = resource.get_absolute_url() if resource else reverse("evaluation:research.resource.list")
    return form_page(
        request,
        form,
        save=guarded(
            form,
            lambda: services.resource_save(
                actor=request.user, edit=Edit.from_form(form), upload=form.cleaned_data.get("upload")
            ),
        ),
        message=lambda saved: _("La ressource est enregistrée."),
        template="evaluation/research/form.html",
        context={"title": title, "cancel": cancel, "multipart": True},
    )


resource_create, resource_edit = create_edit_views(
    _resource_page,
    required=access.team_required,
    get=lambda request, pk: get_object_or_404(access.scoped(request.user, Resource), pk=pk),
)


def _readable_resource(request: AuthedRequest, pk: int) -> Resource:
    """The team reads every resource; a local partner given access, their territory's published ones."""
    return get_object_or_404(
        access.scoped(request.user, Resource).select_related("territory", "project", "created_by"), pk=pk
    )


def resource_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    resource = _readable_resource(request, pk)
    return render(
        request,
        "evaluation/research/resource.html",
        {"title": resource.title, "resource": resource, "team": access.is_team(request.user)},
    )


def resource_download(request: AuthedRequest, pk: int) -> FileResponse:
    resource = _readable_resource(request, pk)
    if not resource.file:
        raise Http404
    return private_file_response(
        resource.file, filename=resource.original_name, content_type=resource.content_type
    )

"""The project's "Financement" tab and the pages that record its money: budget lines, funding requests and
their decisions, conventions with their schedule, payments and justifications, funders' programmes.

Team only (partners read a shared plan in the portal). Every page gets its objects through
`programme.access` (outsiders 404) and writes through `projects.funding.services`; a refusal is shown next to
its field and nothing is saved."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.files import private_file_response
from programme.forms import add_validation_error
from programme.pages import posted

from ..forms import UploadForm
from ..models import Project
from ..views.base import project_for, render_form_page, render_tab
from . import selectors, services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .forms import (
    BudgetLineForm,
    ConventionForm,
    FunderProgrammeForm,
    FundingRequestForm,
    InstalmentForm,
    JustificationForm,
    PaymentForm,
    RequestMoveForm,
)
from .models import (
    BudgetLine,
    Convention,
    FunderProgramme,
    FundingRequest,
    Instalment,
    Justification,
    RequestDocument,
)


def _page(project: Project) -> str:
    return reverse("projects:funding.page", args=[project.pk])


def _scoped[M: Model](request: AuthedRequest, model: type[M], pk: int, *related: str) -> M:
    queryset = access.scoped(request.user, model)
    return get_object_or_404(queryset.select_related(*related) if related else queryset, pk=pk)


def _save_or_show(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    project: Project | None,
    title: str | Promise,
    save: Callable[[], Any],
    done: "StrOrPromise",
    cancel: str,
    multipart: bool = False,
) -> HttpResponse:
    """A valid POST saves through `save()` (a service) and goes back to `cancel`; a service refusal is shown
    on the form and nothing is saved; otherwise the form page."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ValidationError as error:
            add_validation_error(form, error)
        else:
            messages.success(request, done)
            return redirect(cancel)
    return render_form_page(
        request, project=project, form=form, title=title, cancel=cancel, multipart=multipart
    )


# --- The tab ----------------------------------------------------------------------------------------


@access.team_required
def funding_page(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    funding = selectors.project_funding(user=request.user, project_id=project.pk)
    moves = {r.pk: services.allowed_moves(r.status) for r in funding["requests"]}
    return render_tab(
        request, project, "funding", "projects/funding/page.html", {"funding": funding, "moves": moves}
    )


@access.team_required
@require_POST
def funding_share(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    shared = request.POST.get("shared") == "1"
    services.funding_share(actor=request.user, project=project, shared=shared)
    messages.success(
        request,
        _("Le budget et le plan de financement sont partagés avec le collectif.")
        if shared
        else _("Le budget et le plan de financement ne sont plus partagés avec le collectif."),
    )
    return redirect(_page(project))


# --- Budget -----------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def line_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    initial = {k: request.GET[k] for k in ("phase", "version", "side") if k in request.GET}
    form = BudgetLineForm(posted(request), project=project, initial={"phase": project.phase, **initial})

    def save() -> BudgetLine:
        budget = services.budget_get_or_create(
            actor=request.user,
            project=project,
            phase=form.cleaned_data["phase"],
            version=form.cleaned_data["version"],
        )
        return services.budget_line_save(actor=request.user, edit=Edit.from_form(form), budget=budget)

    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Nouvelle ligne de budget"),
        save=save,
        done=_("Ligne de budget enregistrée."),
        cancel=_page(project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def line_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    line = _scoped(request, BudgetLine, pk, "budget__project")
    project = line.budget.project
    form = BudgetLineForm(posted(request), instance=line, project=project)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Modifier la ligne de budget"),
        save=lambda: services.budget_line_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Ligne de budget mise à jour."),
        cancel=_page(project),
    )


@access.team_required
@require_POST
def line_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    line = _scoped(request, BudgetLine, pk, "budget__project")
    project = line.budget.project
    services.budget_line_delete(actor=request.user, line=line)
    messages.success(request, _("Ligne de budget supprimée."))
    return redirect(_page(project))


# --- Requests ---------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def request_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    form = FundingRequestForm(posted(request), project=project)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Nouvelle demande de financement"),
        save=lambda: services.funding_request_save(
            actor=request.user, edit=Edit.from_form(form), project=project
        ),
        done=_("Demande enregistrée (en préparation)."),
        cancel=_page(project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def request_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    funding_request = _scoped(request, FundingRequest, pk, "project")
    project = funding_request.project
    form = FundingRequestForm(posted(request), instance=funding_request, project=project)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Modifier la demande"),
        save=lambda: services.funding_request_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Demande mise à jour."),
        cancel=_page(project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def request_move(request: AuthedRequest, pk: int) -> HttpResponse:
    funding_request = _scoped(request, FundingRequest, pk, "project", "funder")
    project = funding_request.project
    initial = {"status": request.GET["status"]} if "status" in request.GET else {}
    if request.GET.get("status") in ("granted",):
        initial["amount"] = funding_request.amount_requested
    form = RequestMoveForm(posted(request), request=funding_request, initial=initial)

    def save() -> FundingRequest:
        data = form.cleaned_data
        return services.funding_request_move(
            actor=request.user,
            request=funding_request,
            to_status=data["status"],
            on=data["on"],
            amount=data["amount"],
            reason=data["reason"],
        )

    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Suivi de la demande « %(title)s » (%(funder)s)")
        % {"title": funding_request.title, "funder": funding_request.funder},
        save=save,
        done=_("État de la demande enregistré."),
        cancel=_page(project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def request_document(request: AuthedRequest, pk: int) -> HttpResponse:
    funding_request = _scoped(request, FundingRequest, pk, "project")
    project = funding_request.project
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else (None, None)))
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Joindre un document à la demande « %(t)s »") % {"t": funding_request.title},
        save=lambda: services.request_document_add(
            actor=request.user,
            request=funding_request,
            file=form.cleaned_data["file"],
            comment=form.cleaned_data["comment"],
        ),
        done=_("Document joint."),
        cancel=_page(project),
        multipart=True,
    )


@access.team_required
def request_document_download(request: AuthedRequest, pk: int) -> FileResponse:
    document = _scoped(request, RequestDocument, pk)
    return private_file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )


# --- Conventions ------------------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def convention_create(request: AuthedRequest, pk: int) -> HttpResponse:
    funding_request = _scoped(request, FundingRequest, pk, "project", "funder")
    project = funding_request.project
    initial = {
        "amount_granted": funding_request.amount_granted,
        "period_start": funding_request.period_start,
        "period_end": funding_request.period_end,
        "signed_on": funding_request.decided_on,
    }
    form = ConventionForm(posted(request), project=project, initial=initial)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Convention avec %(funder)s") % {"funder": funding_request.funder},
        save=lambda: services.convention_save(
            actor=request.user, edit=Edit.from_form(form), request=funding_request
        ),
        done=_("Convention enregistrée, avec ses échéances de justification habituelles."),
        cancel=_page(project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def convention_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    convention = _scoped(request, Convention, pk, "project")
    project = convention.project
    form = ConventionForm(posted(request), instance=convention, project=project)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Modifier la convention %(ref)s") % {"ref": convention.reference},
        save=lambda: services.convention_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Convention mise à jour."),
        cancel=_page(project),
    )


def _gap_message(request: AuthedRequest, convention: Convention) -> None:
    """The schedule is allowed to miss part of the granted amount, but the team is told by how much."""
    from programme.formatting import fr_amount

    gap = selectors.schedule_gap(convention)
    if gap > 0:
        messages.warning(
            request,
            _("L’échéancier ne couvre pas tout le montant conventionné : il manque %(gap)s.")
            % {"gap": fr_amount(gap)},
        )


@access.team_required
@require_http_methods(["GET", "POST"])
def instalment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    convention = _scoped(request, Convention, pk, "project")
    form = InstalmentForm(posted(request))

    def save() -> Instalment:
        instalment = services.instalment_save(
            actor=request.user, edit=Edit.from_form(form), convention=convention
        )
        _gap_message(request, convention)
        return instalment

    return _save_or_show(
        request,
        form,
        project=convention.project,
        title=_("Nouvelle échéance de versement — %(ref)s") % {"ref": convention.reference},
        save=save,
        done=_("Échéance enregistrée."),
        cancel=_page(convention.project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def instalment_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    instalment = _scoped(request, Instalment, pk, "convention__project")
    convention = instalment.convention
    form = InstalmentForm(posted(request), instance=instalment)

    def save() -> Instalment:
        saved = services.instalment_save(actor=request.user, edit=Edit.from_form(form))
        _gap_message(request, convention)
        return saved

    return _save_or_show(
        request,
        form,
        project=convention.project,
        title=_("Modifier l’échéance"),
        save=save,
        done=_("Échéance mise à jour."),
        cancel=_page(convention.project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def payment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    convention = _scoped(request, Convention, pk, "project")
    form = PaymentForm(posted(request))

    def save() -> Any:
        data = form.cleaned_data
        return services.payment_record(
            actor=request.user,
            convention=convention,
            received_on=data["received_on"],
            amount=data["amount"],
            reference=data["reference"],
            excess_reason=data["excess_reason"],
        )

    return _save_or_show(
        request,
        form,
        project=convention.project,
        title=_("Versement reçu — convention %(ref)s") % {"ref": convention.reference},
        save=save,
        done=_("Versement enregistré."),
        cancel=_page(convention.project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def justification_create(request: AuthedRequest, pk: int) -> HttpResponse:
    convention = _scoped(request, Convention, pk, "project")
    form = JustificationForm(posted(request))
    return _save_or_show(
        request,
        form,
        project=convention.project,
        title=_("Nouveau justificatif attendu — %(ref)s") % {"ref": convention.reference},
        save=lambda: services.justification_save(
            actor=request.user, edit=Edit.from_form(form), convention=convention
        ),
        done=_("Justificatif enregistré."),
        cancel=_page(convention.project),
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def justification_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    justification = _scoped(request, Justification, pk, "convention__project")
    project = justification.convention.project
    form = JustificationForm(posted(request), instance=justification)
    return _save_or_show(
        request,
        form,
        project=project,
        title=_("Justificatif : %(what)s") % {"what": justification},
        save=lambda: services.justification_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Justificatif mis à jour."),
        cancel=_page(project),
    )


# --- Funders' programmes ----------------------------------------------------------------------------


@access.team_required
def funder_list(request: AuthedRequest) -> HttpResponse:
    from django.shortcuts import render

    from .forms import funders

    return render(
        request,
        "projects/funding/funders.html",
        {"funders": funders().prefetch_related("funder_programmes", "people")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def programme_create(request: AuthedRequest) -> HttpResponse:
    form = FunderProgrammeForm(posted(request), initial={"funder": request.GET.get("funder")})
    cancel = reverse("projects:funding.funders")
    return _save_or_show(
        request,
        form,
        project=None,
        title=_("Nouveau programme de financement"),
        save=lambda: services.funder_programme_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Programme enregistré."),
        cancel=cancel,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    form = FunderProgrammeForm(posted(request), instance=_scoped(request, FunderProgramme, pk))
    return _save_or_show(
        request,
        form,
        project=None,
        title=_("Modifier le programme de financement"),
        save=lambda: services.funder_programme_save(actor=request.user, edit=Edit.from_form(form)),
        done=_("Programme mis à jour."),
        cancel=reverse("projects:funding.funders"),
    )

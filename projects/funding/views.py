"""The project's "Financement" tab and the pages that record its money: budget lines, funding requests and
their decisions, conventions with their schedule, payments and justifications, funders' programmes.

Team only (partners read a shared plan in the portal). Every page gets its objects through
`programme.access` (outsiders 404) and writes through `projects.funding.services`; a refusal is shown next to
its field and nothing is saved."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit
from programme.files import private_file_response
from programme.formatting import fr_amount, fr_date
from programme.pages import guarded, posted, share_toggle, submitted

from ..forms import UploadForm
from ..models import Project
from ..views.base import project_for, render_form_page, render_tab
from . import selectors, services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from .forms import (
    BudgetLineForm,
    ConfirmForm,
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
    Payment,
    RequestDocument,
)


def _page(project: Project) -> str:
    return reverse("projects:funding.page", args=[project.pk])


def _scoped[M: Model](request: AuthedRequest, model: type[M], pk: int, *related: str) -> M:
    queryset = access.scoped(request.user, model)
    return get_object_or_404(queryset.select_related(*related) if related else queryset, pk=pk)


def _project_of(obj: Model, path: str) -> Project:
    """The project a money record hangs off, following `path` ("": the record is the project)."""
    for name in filter(None, path.split("__")):
        obj = getattr(obj, name)
    assert isinstance(obj, Project)
    return obj


def _render_page(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    project: Project | None,
    title: "StrOrPromise",
    cancel: str,
    multipart: bool = False,
    template: str | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    if template is None:
        return render_form_page(
            request, project=project, form=form, title=title, cancel=cancel, multipart=multipart
        )
    return render(
        request,
        template,
        {"form": form, "project": project, "title": title, "cancel": cancel, **(context or {})},
    )


def _save_or_show(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    project: Project | None,
    title: "StrOrPromise",
    save: Callable[[], Any],
    done: "StrOrPromise",
    cancel: str,
    multipart: bool = False,
    template: str | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A valid POST saves through `save()` (a service) and goes back to `cancel`; a service refusal is shown
    on the form and nothing is saved; otherwise the form page (or `template`)."""
    # One transaction with the claim of the form's submission token: a double click saves once.
    if submitted(request, form, guarded(form, save), message=done) is not None:
        return redirect(cancel)
    return _render_page(
        request,
        form,
        project=project,
        title=title,
        cancel=cancel,
        multipart=multipart,
        template=template,
        context=context,
    )


type Title = StrOrPromise | Callable[[Any], StrOrPromise]
type Saver = Callable[..., Any]
#: Path from a record to its project; None for a funder's programme (no project).
type ProjectPath = str | None


def _title(title: Title, obj: Any) -> "StrOrPromise":
    return title(obj) if callable(title) else title


def _cancel(project: Project | None) -> str:
    return _page(project) if project is not None else reverse("projects:funding.funders")


def form_view(
    model: type[Model],
    *,
    path: ProjectPath,
    form: "type[forms.ModelForm[Any]]",
    save: Saver,
    title: Title,
    done: "StrOrPromise",
    parent_kw: str | None = None,
    with_project: bool = False,
    initial: Callable[[Any], dict[str, Any]] | None = None,
    after: Callable[[AuthedRequest, Any], None] | None = None,
) -> Callable[..., HttpResponseBase]:
    """The page that adds or changes a money record (`initial`: the new record's values taken from its parent). `pk` names a `model` row found through the access
    rules (404 for outsiders): with `parent_kw`, the parent (a project, a convention) the new record goes
    under, saved by `save(actor=, edit=, <parent_kw>=parent)`; without, the record itself, saved by
    `save(actor=, edit=)`. The service's refusals are shown on the form and nothing is saved."""

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        obj = project_for(request, pk) if path == "" else _scoped(request, model, pk, *filter(None, [path]))
        project = _project_of(obj, path) if path is not None else None
        extra: dict[str, Any] = {"project": project} if with_project else {}
        if parent_kw is None:
            extra["instance"] = obj
        elif initial is not None:
            extra["initial"] = initial(obj)
        bound = form(posted(request), **extra)

        def saved() -> Any:
            parent = {parent_kw: obj} if parent_kw else {}
            result = save(actor=request.user, edit=Edit.from_form(bound), **parent)
            if after is not None:
                after(request, obj)
            return result

        return _save_or_show(
            request,
            bound,
            project=project,
            title=_title(title, obj),
            save=saved,
            done=done,
            cancel=_cancel(project),
        )

    return view


def delete_view(
    model: type[Model],
    *,
    path: str,
    delete: Saver,
    kw: str,
    title: Title,
    done: "StrOrPromise",
) -> Callable[..., HttpResponseBase]:
    """GET: the confirmation page; POST: the service `delete(actor=, <kw>=obj)` (audited). A refusal (the
    deletion would break a rule) is shown on the page and nothing is deleted; outsiders get 404."""

    @access.team_required
    @require_http_methods(["GET", "POST"])
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        obj = _scoped(request, model, pk, path)
        project = _project_of(obj, path)
        return _save_or_show(
            request,
            ConfirmForm(posted(request)),
            project=project,
            title=_title(title, obj),
            save=lambda: delete(actor=request.user, **{kw: obj}),
            done=done,
            cancel=_page(project),
            template="projects/funding/confirm_delete.html",
            context={"record": obj},
        )

    return view


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
    share_toggle(
        request,
        lambda shared: services.funding_share(actor=request.user, project=project, shared=shared),
        shared=_("Le budget et le plan de financement sont partagés avec le collectif."),
        kept=_("Le budget et le plan de financement ne sont plus partagés avec le collectif."),
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


# --- Requests ---------------------------------------------------------------------------------------


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


# --- Plain create / edit / delete pages (one helper each) -------------------------------------------

line_edit = form_view(
    BudgetLine,
    path="budget__project",
    form=BudgetLineForm,
    with_project=True,
    save=services.budget_line_save,
    title=gettext_lazy("Modifier la ligne de budget"),
    done=gettext_lazy("Ligne de budget mise à jour."),
)
line_delete = delete_view(
    BudgetLine,
    path="budget__project",
    delete=services.budget_line_delete,
    kw="line",
    title=lambda line: _("Supprimer la ligne de budget « %(label)s »") % {"label": line.label},
    done=gettext_lazy("Ligne de budget supprimée."),
)
request_create = form_view(
    Project,
    path="",
    form=FundingRequestForm,
    with_project=True,
    save=services.funding_request_save,
    parent_kw="project",
    title=gettext_lazy("Nouvelle demande de financement"),
    done=gettext_lazy("Demande enregistrée (en préparation)."),
)
request_edit = form_view(
    FundingRequest,
    path="project",
    form=FundingRequestForm,
    with_project=True,
    save=services.funding_request_save,
    title=gettext_lazy("Modifier la demande"),
    done=gettext_lazy("Demande mise à jour."),
)
convention_edit = form_view(
    Convention,
    path="project",
    form=ConventionForm,
    with_project=True,
    save=services.convention_save,
    title=lambda c: _("Modifier la convention %(ref)s") % {"ref": c.reference},
    done=gettext_lazy("Convention mise à jour."),
)
convention_create = form_view(
    FundingRequest,
    path="project",
    form=ConventionForm,
    with_project=True,
    save=services.convention_save,
    parent_kw="request",
    initial=lambda r: {
        "amount_granted": r.amount_granted,
        "period_start": r.period_start,
        "period_end": r.period_end,
        "signed_on": r.decided_on,
    },
    title=lambda r: _("Convention avec %(funder)s") % {"funder": r.funder},
    done=gettext_lazy("Convention enregistrée, avec ses échéances de justification habituelles."),
)
instalment_create = form_view(
    Convention,
    path="project",
    form=InstalmentForm,
    save=services.instalment_save,
    parent_kw="convention",
    title=lambda c: _("Nouvelle échéance de versement — %(ref)s") % {"ref": c.reference},
    done=gettext_lazy("Échéance enregistrée."),
    after=lambda request, convention: _gap_message(request, convention),
)
instalment_edit = form_view(
    Instalment,
    path="convention__project",
    form=InstalmentForm,
    save=services.instalment_save,
    title=gettext_lazy("Modifier l’échéance"),
    done=gettext_lazy("Échéance mise à jour."),
    after=lambda request, instalment: _gap_message(request, instalment.convention),
)
instalment_delete = delete_view(
    Instalment,
    path="convention__project",
    delete=services.instalment_delete,
    kw="instalment",
    title=lambda i: _("Supprimer l’échéance « %(what)s »") % {"what": i},
    done=gettext_lazy("Échéance supprimée."),
)
payment_create = form_view(
    Convention,
    path="project",
    form=PaymentForm,
    save=services.payment_add,
    parent_kw="convention",
    title=lambda c: _("Versement reçu — convention %(ref)s") % {"ref": c.reference},
    done=gettext_lazy("Versement enregistré."),
)
payment_edit = form_view(
    Payment,
    path="convention__project",
    form=PaymentForm,
    save=services.payment_save,
    title=lambda p: (
        _("Corriger le versement du %(date)s — convention %(ref)s")
        % {"date": fr_date(p.received_on), "ref": p.convention.reference}
    ),
    done=gettext_lazy("Versement corrigé."),
)
payment_delete = delete_view(
    Payment,
    path="convention__project",
    delete=services.payment_delete,
    kw="payment",
    title=lambda p: (
        _("Supprimer le versement du %(date)s (%(amount)s)")
        % {"date": fr_date(p.received_on), "amount": fr_amount(p.amount)}
    ),
    done=gettext_lazy("Versement supprimé."),
)
justification_create = form_view(
    Convention,
    path="project",
    form=JustificationForm,
    save=services.justification_save,
    parent_kw="convention",
    title=lambda c: _("Nouveau justificatif attendu — %(ref)s") % {"ref": c.reference},
    done=gettext_lazy("Justificatif enregistré."),
)
justification_edit = form_view(
    Justification,
    path="convention__project",
    form=JustificationForm,
    save=services.justification_save,
    title=lambda j: _("Justificatif : %(what)s") % {"what": j},
    done=gettext_lazy("Justificatif mis à jour."),
)
justification_delete = delete_view(
    Justification,
    path="convention__project",
    delete=services.justification_delete,
    kw="justification",
    title=lambda j: _("Supprimer le justificatif « %(what)s »") % {"what": j},
    done=gettext_lazy("Justificatif supprimé."),
)
programme_edit = form_view(
    FunderProgramme,
    path=None,
    form=FunderProgrammeForm,
    save=services.funder_programme_save,
    title=gettext_lazy("Modifier le programme de financement"),
    done=gettext_lazy("Programme mis à jour."),
)

"""A project's evaluation protocol: evaluative questions, criteria, the indicators followed with their
targets, and the evaluation part of the gate dossier."""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm, ModelForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from evaluation.models import IndicatorTarget, ReportKind
from programme import access
from programme.access import AuthedRequest
from programme.audit import Edit, history
from programme.pages import posted, submitted
from projects.models import Project
from projects.views.base import project_for, render_tab

from .. import selectors, services
from ..forms import (
    CriterionForm,
    LockForm,
    MeasurementForm,
    ProjectIndicatorForm,
    QuestionForm,
    ReturnForm,
    TargetForm,
    UnlockForm,
)
from ..models import EvaluationCriterion, EvaluationQuestion, ProjectIndicator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@access.team_required
def protocol(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The project page's « Évaluation » tab: the indicators with their figures (`indicator_summary`), the
    protocol (questions → criteria → indicators), the collective's maturity, the period lock, and the
    order of a funder report for the project."""
    project = project_for(request, project_pk)
    today = timezone.localdate()
    funder_report: dict[str, str | int] = {
        "kind": ReportKind.FUNDER,
        "programme": project.programme_id,
        "project": project.pk,
    }
    context = {
        **selectors.protocol_for(user=request.user, project=project, today=today),
        "maturity_moments": selectors.maturity_moments_for(user=request.user, project=project),
        "lock_form": LockForm(
            initial={"period_start": date(today.year - 1, 1, 1), "period_end": date(today.year - 1, 12, 31)}
        ),
        "funder_report_url": f"{reverse('evaluation:report.create')}?{urlencode(funder_report)}",
    }
    return render_tab(request, project, "evaluation", "evaluation/protocol.html", context)


@access.team_required
def gate_dossier_section(request: AuthedRequest, project_pk: int) -> HttpResponse:
    """The evaluation part of the gate dossier (indicator values so far, the collective's maturity), a
    partial the projects app's gate dossier page loads by URL."""
    project = selectors.project_get(user=request.user, pk=project_pk)
    section = selectors.gate_dossier_evaluation(user=request.user, project=project)
    return render(request, "evaluation/partials/_gate_dossier.html", {"section": section})


# --- Questions and criteria -----------------------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def question_form(
    request: AuthedRequest, project_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Add a question to a project's protocol (project_pk) or edit one (pk)."""
    question = (
        get_object_or_404(access.scoped(request.user, EvaluationQuestion).select_related("project"), pk=pk)
        if pk
        else None
    )
    project = _project_of(request, question, project_pk)
    form = QuestionForm(
        posted(request),
        instance=question,
        initial=None if question else {"order": project.evaluation_questions.count() + 1},
    )
    form.instance.project = project
    return _item_form(request, QUESTION, form, project=project, delete_url="evaluation:question.delete")


@access.team_required
@require_POST
def question_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(access.scoped(request.user, EvaluationQuestion), pk=pk)
    return _delete_item(
        request, question, project_pk=question.project_id, message=_("Question évaluative supprimée.")
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def criterion_form(
    request: AuthedRequest, question_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Add a criterion to an evaluative question (question_pk) or edit one (pk)."""
    criterion = (
        get_object_or_404(
            access.scoped(request.user, EvaluationCriterion).select_related("question__project"), pk=pk
        )
        if pk
        else None
    )
    question = (
        criterion.question
        if criterion
        else get_object_or_404(
            access.scoped(request.user, EvaluationQuestion).select_related("project"), pk=question_pk
        )
    )
    form = CriterionForm(
        posted(request),
        instance=criterion,
        initial=None if criterion else {"order": question.criteria.count() + 1},
    )
    form.instance.question = question
    return _item_form(
        request,
        CRITERION,
        form,
        project=question.project,
        delete_url="evaluation:criterion.delete",
        subtitle=question.text,
    )


@access.team_required
@require_POST
def criterion_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(
        access.scoped(request.user, EvaluationCriterion).select_related("question"), pk=pk
    )
    return _delete_item(
        request, criterion, project_pk=criterion.question.project_id, message=_("Critère supprimé.")
    )


def _project_of(
    request: AuthedRequest, item: EvaluationQuestion | ProjectIndicator | None, project_pk: int | None
) -> Project:
    """The project of the protocol item being edited, or, for a new one, the project its URL names."""
    if item is not None:
        return item.project
    assert project_pk is not None  # the create URL carries it
    return selectors.project_get(user=request.user, pk=project_pk)


@dataclass(frozen=True)
class ItemTexts:
    """What the create/edit page of one kind of protocol item says when adding or when editing."""

    create_title: "StrOrPromise"
    edit_title: "StrOrPromise"
    created: "StrOrPromise"
    updated: "StrOrPromise"


QUESTION = ItemTexts(
    create_title=gettext_lazy("Nouvelle question évaluative"),
    edit_title=gettext_lazy("Modifier la question évaluative"),
    created=gettext_lazy("Question évaluative ajoutée."),
    updated=gettext_lazy("Question évaluative mise à jour."),
)
CRITERION = ItemTexts(
    create_title=gettext_lazy("Nouveau critère"),
    edit_title=gettext_lazy("Modifier le critère"),
    created=gettext_lazy("Critère ajouté."),
    updated=gettext_lazy("Critère mis à jour."),
)


def _item_form(
    request: AuthedRequest,
    texts: ItemTexts,
    form: ModelForm,
    *,
    project: Project,
    delete_url: str,
    subtitle: str = "",
) -> HttpResponse:
    """Add (the form's instance is new) or edit a question or a criterion: saved through the audited
    service, then back to the protocol; otherwise its page, with the delete button (`delete_url` is the
    URL name) when editing."""
    editing = form.instance.pk is not None
    saved = submitted(
        request,
        form,
        lambda: services.protocol_item_save(actor=request.user, edit=Edit.from_form(form)),
        message=texts.updated if editing else texts.created,
    )
    if saved is not None:
        return redirect("evaluation:protocol", project_pk=project.pk)
    return _item_page(
        request,
        form,
        project=project,
        title=texts.edit_title if editing else texts.create_title,
        subtitle=subtitle,
        delete_url=reverse(delete_url, args=[form.instance.pk]) if editing else "",
    )


def _item_page(
    request: AuthedRequest, form: BaseForm, *, project: Project, **context: object
) -> HttpResponse:
    """The create/edit page of a protocol item, under its project: `title`, `subtitle`, `delete_url`."""
    return render(request, "evaluation/item_form.html", {"form": form, "project": project, **context})


def _delete_item(
    request: AuthedRequest, item: EvaluationQuestion | EvaluationCriterion, *, project_pk: int, message: str
) -> HttpResponse:
    services.protocol_item_delete(actor=request.user, obj=item)
    messages.success(request, message)
    return redirect("evaluation:protocol", project_pk=project_pk)


# --- Indicators followed by the project ---------------------------------------------------------------


@access.team_required
@require_http_methods(["GET", "POST"])
def project_indicator_form(
    request: AuthedRequest, project_pk: int | None = None, pk: int | None = None
) -> HttpResponse:
    """Add an indicator of the library to a project's protocol (project_pk), or set its baseline, target
    and reporting (pk)."""
    pi = selectors.project_indicator_get(user=request.user, pk=pk) if pk else None
    project = _project_of(request, pi, project_pk)
    form = ProjectIndicatorForm(
        posted(request),
        instance=pi,
        project=project,
        initial=None if pi else {"indicator": request.GET.get("indicator")},
    )
    saved = submitted(
        request,
        form,
        lambda: services.protocol_item_save(actor=request.user, edit=Edit.from_form(form)),
        message=lambda saved: (
            _("Référence et cible enregistrées.")
            if pi
            else _("Indicateur « %(name)s » ajouté au protocole.") % {"name": saved.indicator.name}
        ),
    )
    if saved is not None:
        return redirect(saved)
    return _item_page(
        request,
        form,
        project=project,
        title=_("Référence, cible et saisie") if pi else _("Ajouter un indicateur au protocole"),
        subtitle=pi.indicator.name if pi else "",
        delete_url=reverse("evaluation:project_indicator.delete", args=[pk]) if pi else "",
    )


@access.team_required
@require_POST
def project_indicator_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    pi = selectors.project_indicator_get(user=request.user, pk=pk)
    try:
        services.protocol_item_delete(actor=request.user, obj=pi)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(pi)
    messages.success(request, _("Indicateur retiré du protocole."))
    return redirect("evaluation:protocol", project_pk=pi.project_id)


@access.team_required
def project_indicator_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    data = selectors.project_indicator_detail(user=request.user, pk=pk, today=timezone.localdate())
    pi = data["pi"]
    period = data["next_period"]  # None while the next period is still running
    context = {
        "pi": pi,
        "project": pi.project,
        "indicator": pi.indicator,
        "measurements": data["measurements"],
        "targets": data["targets"],
        **data["summary"],
        "target_form": TargetForm(),
        "next_period": period,
        "form": MeasurementForm(
            indicator=pi.indicator,
            initial={"period_start": period[0], "period_end": period[1]} if period else None,
        ),
        "return_form": ReturnForm(),
        "unlock_form": UnlockForm(),
        "audit_entries": history(pi, pi.measurements.all(), pi.targets.all()),
    }
    return render(request, "evaluation/project_indicator_detail.html", context)


@access.team_required
@require_POST
def target_add(request: AuthedRequest, pk: int) -> HttpResponse:
    pi = selectors.project_indicator_get(user=request.user, pk=pk)
    form = TargetForm(request.POST)
    submitted(
        request,
        form,
        lambda: services.indicator_target_set(actor=request.user, project_indicator=pi, **form.cleaned_data),
        message=_("Cible intermédiaire enregistrée."),
        refusals_on_form=True,
    )
    if form.errors:
        messages.error(
            request,
            _("Cible non enregistrée : %(reason)s")
            % {"reason": " ".join(str(m) for errors in form.errors.values() for m in errors)},
        )
    return redirect(pi)


@access.team_required
@require_POST
def target_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        access.scoped(request.user, IndicatorTarget).select_related("project_indicator"), pk=pk
    )
    services.indicator_target_delete(actor=request.user, target=target)
    messages.success(request, _("Cible intermédiaire supprimée."))
    return redirect(target.project_indicator)

"""Evaluation pages: library, protocols, measurements, maturity, lessons and the director dashboard.

Team pages only (partners reach their project's figures through the portal, which calls the same
services). Every object comes through programme/access.py; outsiders get 404.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.audit import audit_entries_for
from programme.exports import export_response
from programme.files import private_file_response
from programme.models import Programme
from programme.pages import render_filtered_list

from . import dashboard as dashboard_tables
from . import selectors, services
from .figures import Point, aggregate, change_from_baseline, progress, target_for_period
from .filters import IndicatorFilter, LessonFilter, MeasurementQueueFilter
from .forms import (
    CriterionForm,
    DashboardFilterForm,
    IndicatorForm,
    LessonForm,
    LockForm,
    MaturityForm,
    MeasurementForm,
    ProjectIndicatorForm,
    QuestionForm,
    ReturnForm,
    TargetForm,
    UnlockForm,
)
from .models import (
    DESCRIPTORS,
    Dimension,
    IndicatorType,
    LessonKind,
    Measurement,
    MeasurementStatus,
    Periodicity,
)

# --- Home ---------------------------------------------------------------------------------------------


@access.team_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    pending = (
        access.measurements_for(user)
        .filter(project_indicator__project=OuterRef("pk"), status=MeasurementStatus.SUBMITTED)
        .order_by()
        .values("project_indicator__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    projects = (
        access.projects_for(user)
        .select_related("cohort")
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            pending=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
        )
        .order_by("title")
    )
    measurements = access.measurements_for(user)
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    context = {
        "projects": page.object_list,
        "page": page,
        "querystring": "",
        "indicator_count": access.indicators_for(user).filter(is_active=True).count(),
        "submitted_count": measurements.filter(status=MeasurementStatus.SUBMITTED).count(),
        "returned_count": measurements.filter(status=MeasurementStatus.RETURNED).count(),
        "lessons": access.lessons_for(user).prefetch_related("themes")[:5],
    }
    return render(request, "evaluation/home.html", context)


# --- Indicator library --------------------------------------------------------------------------------


@access.team_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    queryset = (
        access.indicators_for(request.user).annotate(projects=Count("project_indicators")).order_by("name")
    )
    return render_filtered_list(
        request,
        filterset=IndicatorFilter(request.GET, queryset=queryset),
        template="evaluation/indicator_list.html",
        partial="evaluation/partials/_indicator_table.html",
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        indicator = services.indicator_save(actor=request.user, form=form)
        messages.success(
            request, _("Indicateur « %(name)s » ajouté à la bibliothèque.") % {"name": indicator.name}
        )
        return redirect("evaluation:indicator.list")
    return render(request, "evaluation/indicator_form.html", {"form": form, "creating": True})


@access.team_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(access.indicators_for(request.user), pk=pk)
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        services.indicator_save(actor=request.user, form=form)
        messages.success(request, _("Indicateur mis à jour."))
        return redirect("evaluation:indicator.list")
    context = {
        "form": form,
        "creating": False,
        "indicator": indicator,
        "audit_entries": audit_entries_for(indicator)[:30],
    }
    return render(request, "evaluation/indicator_form.html", context)


# --- Protocol of a project ----------------------------------------------------------------------------


def _project(request: HttpRequest, project_pk: int):
    return get_object_or_404(
        access.projects_for(request.user).select_related("cohort", "lead_organisation"), pk=project_pk
    )


@access.team_required
def protocol(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    user = request.user
    today = timezone.localdate()
    indicators = selectors.project_indicators_with_summary(user=user, project=project, today=today)
    by_criterion: dict[int | None, list] = {}
    for pi in indicators:
        by_criterion.setdefault(pi.criterion_id, []).append(pi)
    questions = list(
        access.evaluation_questions_for(user).filter(project=project).prefetch_related("criteria")
    )
    for question in questions:
        for criterion in question.criteria.all():
            criterion.linked = by_criterion.get(criterion.pk, [])
    maturity = selectors.project_maturity(user=user, project_id=project.pk)
    context = {
        "project": project,
        "questions": questions,
        "unlinked": by_criterion.get(None, []),
        "indicators": indicators,
        "maturity": maturity,
        "maturity_charts": _maturity_charts(maturity),
        "assessments": access.maturity_assessments_for(user).filter(project=project).order_by("assessed_on"),
        "lock_form": LockForm(
            initial={"period_start": date(today.year - 1, 1, 1), "period_end": date(today.year - 1, 12, 31)}
        ),
        "locked_count": access.measurements_for(user)
        .filter(project_indicator__project=project, locked=True)
        .count(),
    }
    return render(request, "evaluation/protocol.html", context)


def _maturity_charts(rows: list[dict]) -> list[tuple[str, str]]:
    """One SVG per phase assessed: each dimension at the start and the end of the phase."""
    from . import charts

    by_phase: dict[str, list[dict]] = {}
    for row in rows:
        by_phase.setdefault(row["phase_label"], []).append(row)
    return [
        (
            phase,
            charts.grouped_bar_chart(
                title=_("Maturité coopérative — %(phase)s") % {"phase": phase},
                desc=_("Note de 1 à 4 de chaque dimension au début et à la fin de la phase."),
                categories=[r["label"] for r in items],
                series=[
                    charts.Series(_("Début de phase"), [r["start"] for r in items], charts.PALETTE[2]),
                    charts.Series(_("Fin de phase"), [r["end"] for r in items], charts.PALETTE[0]),
                ],
                max_value=4,
                width=480,
                label_width=220,
            ),
        )
        for phase, items in by_phase.items()
    ]


@access.team_required
@require_http_methods(["GET", "POST"])
def question_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        initial={"order": project.evaluation_questions.count() + 1},
    )
    form.instance.project = project
    if request.method == "POST" and form.is_valid():
        services.protocol_item_save(actor=request.user, form=form, action="evaluation_question")
        messages.success(request, _("Question évaluative ajoutée."))
        return redirect("evaluation:protocol", project_pk=project.pk)
    return render(
        request,
        "evaluation/item_form.html",
        {"form": form, "project": project, "title": _("Nouvelle question évaluative")},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        access.evaluation_questions_for(request.user).select_related("project"), pk=pk
    )
    form = QuestionForm(request.POST if request.method == "POST" else None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.protocol_item_save(actor=request.user, form=form, action="evaluation_question")
        messages.success(request, _("Question évaluative mise à jour."))
        return redirect("evaluation:protocol", project_pk=question.project_id)
    context = {
        "form": form,
        "project": question.project,
        "title": _("Modifier la question évaluative"),
        "delete_url": reverse("evaluation:question.delete", args=[pk]),
    }
    return render(request, "evaluation/item_form.html", context)


@access.team_required
@require_POST
def question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(access.evaluation_questions_for(request.user), pk=pk)
    project_pk = question.project_id
    services.protocol_item_delete(actor=request.user, obj=question)
    messages.success(request, _("Question évaluative supprimée."))
    return redirect("evaluation:protocol", project_pk=project_pk)


@access.team_required
@require_http_methods(["GET", "POST"])
def criterion_create(request: HttpRequest, question_pk: int) -> HttpResponse:
    question = get_object_or_404(
        access.evaluation_questions_for(request.user).select_related("project"), pk=question_pk
    )
    form = CriterionForm(
        request.POST if request.method == "POST" else None, initial={"order": question.criteria.count() + 1}
    )
    form.instance.question = question
    if request.method == "POST" and form.is_valid():
        services.protocol_item_save(actor=request.user, form=form, action="evaluation_criterion")
        messages.success(request, _("Critère ajouté."))
        return redirect("evaluation:protocol", project_pk=question.project_id)
    context = {
        "form": form,
        "project": question.project,
        "title": _("Nouveau critère"),
        "subtitle": question.text,
    }
    return render(request, "evaluation/item_form.html", context)


@access.team_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(
        access.evaluation_criteria_for(request.user).select_related("question__project"), pk=pk
    )
    form = CriterionForm(request.POST if request.method == "POST" else None, instance=criterion)
    project = criterion.question.project
    if request.method == "POST" and form.is_valid():
        services.protocol_item_save(actor=request.user, form=form, action="evaluation_criterion")
        messages.success(request, _("Critère mis à jour."))
        return redirect("evaluation:protocol", project_pk=project.pk)
    context = {
        "form": form,
        "project": project,
        "title": _("Modifier le critère"),
        "subtitle": criterion.question.text,
        "delete_url": reverse("evaluation:criterion.delete", args=[pk]),
    }
    return render(request, "evaluation/item_form.html", context)


@access.team_required
@require_POST
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_object_or_404(
        access.evaluation_criteria_for(request.user).select_related("question"), pk=pk
    )
    project_pk = criterion.question.project_id
    services.protocol_item_delete(actor=request.user, obj=criterion)
    messages.success(request, _("Critère supprimé."))
    return redirect("evaluation:protocol", project_pk=project_pk)


@access.team_required
@require_http_methods(["GET", "POST"])
def project_indicator_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    form = ProjectIndicatorForm(
        request.POST if request.method == "POST" else None,
        project=project,
        initial={"indicator": request.GET.get("indicator")},
    )
    if request.method == "POST" and form.is_valid():
        pi = services.protocol_item_save(actor=request.user, form=form, action="project_indicator")
        messages.success(
            request, _("Indicateur « %(name)s » ajouté au protocole.") % {"name": pi.indicator.name}
        )
        return redirect(pi)
    return render(
        request,
        "evaluation/item_form.html",
        {"form": form, "project": project, "title": _("Ajouter un indicateur au protocole")},
    )


def _project_indicator(request: HttpRequest, pk: int):
    return get_object_or_404(
        access.project_indicators_for(request.user).select_related("project", "indicator", "criterion"), pk=pk
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def project_indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pi = _project_indicator(request, pk)
    form = ProjectIndicatorForm(
        request.POST if request.method == "POST" else None, instance=pi, project=pi.project
    )
    if request.method == "POST" and form.is_valid():
        services.protocol_item_save(actor=request.user, form=form, action="project_indicator")
        messages.success(request, _("Référence et cible enregistrées."))
        return redirect(pi)
    context = {
        "form": form,
        "project": pi.project,
        "title": _("Référence, cible et saisie"),
        "subtitle": pi.indicator.name,
        "delete_url": reverse("evaluation:project_indicator.delete", args=[pk]),
    }
    return render(request, "evaluation/item_form.html", context)


@access.team_required
@require_POST
def project_indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pi = _project_indicator(request, pk)
    try:
        services.protocol_item_delete(actor=request.user, obj=pi)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(pi)
    messages.success(request, _("Indicateur retiré du protocole."))
    return redirect("evaluation:protocol", project_pk=pi.project_id)


def _next_period(pi, last_end: date | None, today: date) -> tuple[date, date]:
    """Suggest the period after the last one entered, following the indicator's periodicity."""
    start = (
        (last_end + timedelta(days=1)) if last_end else date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    )
    months = {Periodicity.MONTHLY: 1, Periodicity.QUARTERLY: 3, Periodicity.YEARLY: 12}.get(
        pi.indicator.periodicity, 3
    )
    month = start.month - 1 + months
    end = date(start.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return start, end


@access.team_required
def project_indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pi = _project_indicator(request, pk)
    today = timezone.localdate()
    measurements = list(pi.measurements.select_related("entered_by", "validated_by").order_by("-period_end"))
    points = [
        Point(m.period_end, m.value, m.numerator, m.denominator)
        for m in measurements
        if m.status == MeasurementStatus.VALIDATED
    ]
    value = (
        aggregate(points, aggregation=pi.indicator.aggregation, kind=pi.indicator.type)
        if pi.indicator.is_numeric
        else None
    )
    targets = list(pi.targets.all())
    target_now = target_for_period(
        period_end=today, intermediate=[(t.period_end, t.value) for t in targets], final=pi.target_value
    )
    start, end = _next_period(pi, measurements[0].period_end if measurements else None, today)
    context = {
        "pi": pi,
        "project": pi.project,
        "indicator": pi.indicator,
        "measurements": measurements,
        "targets": targets,
        "value": value,
        "target_now": target_now,
        "progress": progress(value, pi.baseline_value, target_now),
        "progress_final": progress(value, pi.baseline_value, pi.target_value),
        "change": change_from_baseline(value, pi.baseline_value),
        "target_form": TargetForm(),
        "form": MeasurementForm(indicator=pi.indicator, initial={"period_start": start, "period_end": end}),
        "return_form": ReturnForm(),
        "unlock_form": UnlockForm(),
        "audit_entries": audit_entries_for(pi)[:30],
    }
    return render(request, "evaluation/project_indicator_detail.html", context)


@access.team_required
@require_POST
def target_add(request: HttpRequest, pk: int) -> HttpResponse:
    pi = _project_indicator(request, pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.indicator_target_set(actor=request.user, project_indicator=pi, **form.cleaned_data)
        messages.success(request, _("Cible intermédiaire enregistrée."))
    else:
        messages.error(
            request, _("Cible non enregistrée : indiquez une date de fin de période et une valeur.")
        )
    return redirect(pi)


@access.team_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        access.indicator_targets_for(request.user).select_related("project_indicator"), pk=pk
    )
    services.indicator_target_delete(actor=request.user, target=target)
    messages.success(request, _("Cible intermédiaire supprimée."))
    return redirect(target.project_indicator)


# --- Measurements ---------------------------------------------------------------------------------------


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@access.team_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    pi = _project_indicator(request, pk)
    form = MeasurementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        indicator=pi.indicator,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measurement_record(
                actor=request.user,
                project_indicator=pi,
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=_decimal(data.get("value")),
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                text_value=data.get("text_value", ""),
                source=data.get("source", ""),
                evidence=data.get("evidence"),
                submit=not data.get("draft"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Valeur enregistrée."))
            return redirect(pi)
    return render(
        request, "evaluation/measurement_form.html", {"form": form, "pi": pi, "project": pi.project}
    )


def _decimal(value):
    from decimal import Decimal

    return None if value is None or value == "" else Decimal(str(value))


def _measurement(request: HttpRequest, pk: int) -> Measurement:
    return get_object_or_404(
        access.measurements_for(request.user).select_related(
            "project_indicator__project", "project_indicator__indicator"
        ),
        pk=pk,
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def measurement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    pi = measurement.project_indicator
    if measurement.locked:
        messages.error(request, _("Cette période est verrouillée : la valeur ne peut plus être modifiée."))
        return redirect(pi)
    initial = {
        "period_start": measurement.period_start,
        "period_end": measurement.period_end,
        "value": int(measurement.value)
        if pi.indicator.type == IndicatorType.BOOLEAN and measurement.value is not None
        else measurement.value,
        "numerator": measurement.numerator,
        "denominator": measurement.denominator,
        "text_value": measurement.text_value,
        "source": measurement.source,
    }
    form = MeasurementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        indicator=pi.indicator,
        initial=initial,
    )
    form.fields["period_start"].disabled = form.fields["period_end"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measurement_record(
                actor=request.user,
                project_indicator=pi,
                period_start=measurement.period_start,
                period_end=measurement.period_end,
                value=_decimal(data.get("value")),
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                text_value=data.get("text_value", ""),
                source=data.get("source", ""),
                evidence=data.get("evidence"),
                submit=not data.get("draft"),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Valeur corrigée."))
            return redirect(pi)
    context = {
        "form": form,
        "pi": pi,
        "project": pi.project,
        "measurement": measurement,
        "audit_entries": audit_entries_for(measurement)[:30],
    }
    return render(request, "evaluation/measurement_form.html", context)


def _back(request: HttpRequest, measurement: Measurement) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt == "queue":
        return redirect("evaluation:measurement.queue")
    return redirect(measurement.project_indicator)


@access.team_required
@require_POST
def measurement_validate(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    try:
        services.measurement_validate(actor=request.user, measurement=measurement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Valeur validée."))
    return _back(request, measurement)


@access.team_required
@require_POST
def measurement_return(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Renvoi impossible : expliquez ce qui doit être corrigé."))
        return _back(request, measurement)
    try:
        services.measurement_return(
            actor=request.user, measurement=measurement, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Valeur renvoyée pour correction."))
    return _back(request, measurement)


@access.team_required
@require_POST
def measurement_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    measurement = _measurement(request, pk)
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Déverrouillage impossible : indiquez le motif."))
        return _back(request, measurement)
    try:
        services.measurement_unlock(
            actor=request.user, measurement=measurement, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Valeur déverrouillée ; le motif est conservé dans l'historique."))
    return _back(request, measurement)


@access.team_required
@require_POST
def measurement_lock(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Verrouillage impossible : indiquez une période valide."))
        return redirect("evaluation:protocol", project_pk=project.pk)
    try:
        count = services.measurement_lock_period(actor=request.user, project=project, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(n)s valeur(s) verrouillée(s).") % {"n": count})
    return redirect("evaluation:protocol", project_pk=project.pk)


def measurement_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, for the team and the partners of the project (the portal links here)."""
    measurement = get_object_or_404(access.measurements_for(request.user), pk=pk)
    if not measurement.evidence:
        raise Http404
    extension = measurement.evidence.name.rsplit(".", 1)[-1]
    return private_file_response(measurement.evidence, filename=f"justificatif-{measurement.pk}.{extension}")


@access.team_required
def measurement_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = (
        access.measurements_for(user)
        .filter(status__in=[MeasurementStatus.SUBMITTED, MeasurementStatus.RETURNED])
        .select_related("project_indicator__project", "project_indicator__indicator", "entered_by")
        .order_by("-submitted_at", "-pk")
    )
    filterset = MeasurementQueueFilter(request.GET, queryset=queryset, projects=access.projects_for(user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/measurement_queue.html",
        partial="evaluation/partials/_measurement_queue_table.html",
        context={"return_form": ReturnForm()},
    )


# --- Cooperative maturity -------------------------------------------------------------------------------


def _maturity_context(form, project, assessment=None) -> dict:
    return {
        "form": form,
        "project": project,
        "assessment": assessment,
        "dimensions": [(d, DESCRIPTORS[d], form[f"score_{d.value}"]) for d in Dimension],
    }


@access.team_required
@require_http_methods(["GET", "POST"])
def maturity_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    initial = {
        "phase": project.phase,
        "moment": request.GET.get("moment", "start"),
        "assessed_on": timezone.localdate(),
    }
    form = MaturityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.maturity_assessment_save(
            actor=request.user,
            project=project,
            phase=data["phase"],
            moment=data["moment"],
            assessed_on=data["assessed_on"],
            scores=form.scores(),
            participants=data["participants"],
            comment=data["comment"],
        )
        messages.success(request, _("Maturité coopérative enregistrée."))
        return redirect("evaluation:protocol", project_pk=project.pk)
    return render(request, "evaluation/maturity_form.html", _maturity_context(form, project))


@access.team_required
@require_http_methods(["GET", "POST"])
def maturity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        access.maturity_assessments_for(request.user).select_related("project").prefetch_related("scores"),
        pk=pk,
    )
    initial = {
        "phase": assessment.phase,
        "moment": assessment.moment,
        "assessed_on": assessment.assessed_on,
        "participants": assessment.participants,
        "comment": assessment.comment,
        **{f"score_{s.dimension}": s.score for s in assessment.scores.all()},
    }
    form = MaturityForm(request.POST if request.method == "POST" else None, initial=initial)
    form.fields["phase"].disabled = form.fields["moment"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.maturity_assessment_save(
            actor=request.user,
            project=assessment.project,
            phase=assessment.phase,
            moment=assessment.moment,
            assessed_on=data["assessed_on"],
            scores=form.scores(),
            participants=data["participants"],
            comment=data["comment"],
        )
        messages.success(request, _("Maturité coopérative mise à jour."))
        return redirect("evaluation:protocol", project_pk=assessment.project_id)
    context = _maturity_context(form, assessment.project, assessment)
    context["audit_entries"] = audit_entries_for(assessment)[:30]
    return render(request, "evaluation/maturity_form.html", context)


# --- Lessons learned ------------------------------------------------------------------------------------


def _default_programme() -> Programme | None:
    return Programme.objects.order_by("-is_active", "name").first()


@access.team_required
def lesson_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    queryset = access.lessons_for(user).select_related("author").prefetch_related("themes", "projects")
    filterset = LessonFilter(request.GET, queryset=queryset, projects=access.projects_for(user))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/lesson_list.html",
        partial="evaluation/partials/_lesson_table.html",
        page_size=25,
    )


def _sort_key(text: str) -> str:
    """Alphabetical order the French way: accents do not push "Économie" after "Sans"."""
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


@access.team_required
def lesson_kit(request: HttpRequest) -> HttpResponse:
    """Lessons gathered by theme, for the essaimage kit (printable)."""
    lessons = (
        access.lessons_for(request.user).prefetch_related("themes", "projects").order_by("kind", "title")
    )
    by_theme: dict[str, list] = {}
    no_theme = _("Sans thématique")
    for lesson in lessons:
        names = [t.name for t in lesson.themes.all()] or [no_theme]
        for name in names:
            by_theme.setdefault(name, []).append(lesson)
    order = {k: i for i, k in enumerate(LessonKind.values)}
    groups = [
        {"theme": name, "lessons": sorted(items, key=lambda lesson: (order[lesson.kind], lesson.title))}
        for name, items in sorted(
            by_theme.items(), key=lambda item: (item[0] == no_theme, _sort_key(item[0]))
        )
    ]
    return render(request, "evaluation/lesson_kit.html", {"groups": groups})


@access.team_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(access.lessons_for(request.user).select_related("author"), pk=pk)
    return render(
        request,
        "evaluation/lesson_detail.html",
        {"lesson": lesson, "audit_entries": audit_entries_for(lesson)[:30]},
    )


@access.team_required
@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {}
    project = None
    if request.GET.get("project", "").isdigit():
        project = access.projects_for(user).filter(pk=request.GET["project"]).first()
        if project:
            initial = {"projects": [project.pk], "phase": project.phase}
    programme = project.programme if project else _default_programme()
    if programme is None:
        messages.error(request, _("Créez d'abord un programme."))
        return redirect("evaluation:lesson.list")
    form = LessonForm(
        request.POST if request.method == "POST" else None,
        programme=programme,
        projects=access.projects_for(user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        lesson = services.lesson_save(actor=user, form=form)
        messages.success(request, _("Enseignement enregistré."))
        return redirect(lesson)
    return render(request, "evaluation/lesson_form.html", {"form": form, "creating": True})


@access.team_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    lesson = get_object_or_404(access.lessons_for(user), pk=pk)
    form = LessonForm(
        request.POST if request.method == "POST" else None,
        instance=lesson,
        programme=lesson.programme,
        projects=access.projects_for(user),
    )
    if request.method == "POST" and form.is_valid():
        services.lesson_save(actor=user, form=form)
        messages.success(request, _("Enseignement mis à jour."))
        return redirect(lesson)
    return render(request, "evaluation/lesson_form.html", {"form": form, "creating": False, "lesson": lesson})


@access.team_required
@require_POST
def lesson_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(access.lessons_for(request.user), pk=pk)
    services.lesson_delete(actor=request.user, lesson=lesson)
    messages.success(request, _("Enseignement supprimé."))
    return redirect("evaluation:lesson.list")


# --- Director dashboard ---------------------------------------------------------------------------------


def _dashboard_filters(
    request: HttpRequest,
) -> tuple[DashboardFilterForm, selectors.Filters, Programme | None]:
    """Read the filters from the query string; an unknown value is ignored, never an error page."""
    programme = None
    raw = request.GET.get("programme", "")
    if raw.isdigit():
        programme = Programme.objects.filter(pk=raw).first()
    programme = programme or _default_programme()
    today = timezone.localdate()
    first_year = programme.start_date.year if programme and programme.start_date else today.year - 2
    years = list(range(today.year, min(first_year, today.year) - 1, -1))
    data = request.GET.copy()
    if programme:
        data["programme"] = str(programme.pk)
    form = DashboardFilterForm(data, programme=programme, years=years)
    form.is_valid()
    cleaned = {
        name: form.cleaned_data.get(name)
        for name in ("cohort", "territory", "theme", "year")
        if name not in form.errors
    }
    filters = selectors.Filters(
        programme_id=programme.pk if programme else None,
        cohort_id=cleaned.get("cohort").pk if cleaned.get("cohort") else None,
        territory_id=cleaned.get("territory").pk if cleaned.get("territory") else None,
        theme_id=cleaned.get("theme").pk if cleaned.get("theme") else None,
        year=cleaned.get("year") or None,
    )
    return form, filters, programme


def _active_filters(request: HttpRequest, form: DashboardFilterForm) -> list[dict]:
    active = []
    for name in ("cohort", "territory", "theme", "year"):
        value = form.cleaned_data.get(name) if name not in form.errors else None
        if value in (None, ""):
            continue
        query = request.GET.copy()
        query.pop(name, None)
        active.append(
            {
                "name": name,
                "label": form.fields[name].label,
                "value": str(value),
                "remove_query": query.urlencode(),
            }
        )
    return active


@access.team_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters, programme = _dashboard_filters(request)
    figures = selectors.programme_figures(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("table", None)
    context = {
        "filter_form": form,
        "programme": programme,
        "filters": filters,
        "figures": figures,
        "headline": figures["headline"],
        "tables": dashboard_tables.tables_from(figures),
        "charts": dashboard_tables.charts_from(figures),
        "active_filters": _active_filters(request, form),
        "querystring": query.urlencode(),
        "late_count": len(figures["late"]),
    }
    template = (
        "evaluation/partials/_dashboard_body.html"
        if request.htmx and not request.htmx.boosted
        else "evaluation/dashboard.html"
    )
    return render(request, template, context)


@access.team_required
def dashboard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in dashboard_tables.TABLES or fmt not in ("csv", "xlsx"):
        raise Http404
    _form, filters, _programme = _dashboard_filters(request)
    data = dashboard_tables.table_for(table, user=request.user, filters=filters)
    stamp = timezone.localdate().isoformat()
    return export_response(
        fmt=fmt, filename=f"parcours-{table}-{stamp}", title=data.title, headers=data.headers, rows=data.rows
    )

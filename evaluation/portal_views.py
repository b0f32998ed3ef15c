"""Partner portal pages (evaluation side) and "Mon projet".

"Mon projet" lives here because it shows the indicators to report and the maturity self-assessment on
top of the projects part (`projects.portal_views.project_page_context`): this app may import projects,
not the other way round. Every object comes through `programme.access`; outsiders get 404."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.audit import audit_log
from programme.files import private_file_response
from programme.models import Role
from projects.models import ACTIVE_PHASES
from projects.portal_views import portal_project, project_page_context

from . import services
from .models import DESCRIPTORS, Dimension, MaturityAssessment, MeasurementStatus, Moment
from .portal_forms import PortalMaturityForm, PortalMeasurementForm, reporting_periods

#: Statuses a partner may still correct and (re)submit.
EDITABLE_STATUSES = (MeasurementStatus.DRAFT, MeasurementStatus.SUBMITTED, MeasurementStatus.RETURNED)


# --- Mon projet -----------------------------------------------------------------------------------------


def _open_periods(project_indicator, measured: set, today) -> list:
    return [p for p in reporting_periods(project_indicator, today=today) if (p.start, p.end) not in measured]


def _indicator_rows(request: HttpRequest, project) -> list[dict]:
    today = timezone.localdate()
    indicators = list(
        access.portal_project_indicators_for(request.user)
        .filter(project=project)
        .select_related("indicator", "project")
        .prefetch_related("project__phase_periods")
        .order_by("indicator__name")
    )
    by_indicator = defaultdict(list)
    for m in (
        access.portal_measurements_for(request.user)
        .filter(project_indicator__in=indicators)
        .order_by("-period_end")
    ):
        by_indicator[m.project_indicator_id].append(m)
    rows = []
    for pi in indicators:
        measurements = by_indicator[pi.pk]
        measured = {(m.period_start, m.period_end) for m in measurements}
        rows.append(
            {
                "pi": pi,
                "latest": measurements[0] if measurements else None,
                "returned": sum(m.status == MeasurementStatus.RETURNED for m in measurements),
                "to_report": len(_open_periods(pi, measured, today)),
            }
        )
    return rows


def _is_open(assessment: MaturityAssessment, project) -> bool:
    """Open to the collective: the team opened it for the current phase and has not filled it itself."""
    if assessment.phase != project.phase or project.phase not in ACTIVE_PHASES:
        return False
    by = assessment.assessed_by
    # `.all()` so a prefetched list is used on "Mon projet".
    return not list(assessment.scores.all()) or (by is not None and by.role == Role.PARTNER)


def _render_project(request: HttpRequest, project) -> HttpResponse:
    context = project_page_context(request, project)
    assessments = list(
        access.portal_maturity_assessments_for(request.user)
        .filter(project=project)
        .select_related("assessed_by")
        .prefetch_related("scores")
        .order_by("-assessed_on")
    )
    context.update(
        {
            "indicator_rows": _indicator_rows(request, project),
            "open_assessments": [a for a in assessments if _is_open(a, project)],
            "assessments": assessments,
            # Funder reports the team shared with the collective (PDF, read through the reports pages).
            "reports": list(
                access.reports_for(request.user)
                .filter(project=project, status="done")
                .order_by("-finished_at", "-pk")
            ),
        }
    )
    return render(request, "portal/project.html", context)


@access.partner_required
def home(request: HttpRequest) -> HttpResponse:
    """The partner's home: their (first) current project, or what to expect when there is none yet."""
    project = (
        access.projects_for(request.user)
        .select_related("lead_organisation", "programme")
        .order_by("title")
        .first()
    )
    if project is None:
        return render(request, "portal/home_empty.html")
    return _render_project(request, project)


@access.partner_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_project(request, portal_project(request, pk))


# --- Indicators -----------------------------------------------------------------------------------------


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _record(request: HttpRequest, form, project_indicator, period_start, period_end) -> bool:
    data = form.cleaned_data
    try:
        services.measurement_record(
            actor=request.user,
            project_indicator=project_indicator,
            period_start=period_start,
            period_end=period_end,
            value=data.get("value"),
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            text_value=data.get("text_value", ""),
            source=data.get("source", ""),
            evidence=data.get("evidence") or None,
            submit=request.POST.get("intent") != "draft",
        )
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        _apply_errors(form, error)
        return False
    return True


@access.partner_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An indicator the collective reports: every period's value and status, and a form for a new one."""
    pi = get_object_or_404(
        access.portal_project_indicators_for(request.user).select_related("indicator", "project"), pk=pk
    )
    today = timezone.localdate()
    measurements = list(
        access.portal_measurements_for(request.user).filter(project_indicator=pi).order_by("-period_end")
    )
    periods = _open_periods(pi, {(m.period_start, m.period_end) for m in measurements}, today)
    form = None
    status = 200
    if periods:
        form = PortalMeasurementForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            indicator=pi.indicator,
            periods=periods,
        )
    if request.method == "POST":
        if form is not None and form.is_valid():
            period = form.period()
            if _record(request, form, pi, period.start, period.end):
                if request.POST.get("intent") == "draft":
                    messages.success(request, _("Valeur enregistrée en brouillon : pensez à la soumettre."))
                else:
                    messages.success(request, _("Valeur soumise : l'équipe du programme va la valider."))
                return redirect("portal:indicator", pi.pk)
        elif form is None:
            messages.error(request, _("Aucune période n'est ouverte à la saisie pour cet indicateur."))
            return redirect("portal:indicator", pi.pk)
        status = 400
    context = {
        "pi": pi,
        "indicator": pi.indicator,
        "project": pi.project,
        "measurements": measurements,
        "form": form,
        "today": today,
    }
    return render(request, "portal/indicator.html", context, status=status)


@access.partner_required
@require_http_methods(["GET", "POST"])
def measurement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One period's value: correct and (re)submit it while the team has not validated or locked it."""
    measurement = get_object_or_404(
        access.portal_measurements_for(request.user).select_related(
            "project_indicator__indicator", "project_indicator__project", "validated_by"
        ),
        pk=pk,
    )
    pi = measurement.project_indicator
    editable = not measurement.locked and measurement.status in EDITABLE_STATUSES
    form = None
    status = 200
    if editable:
        initial = {
            "value": measurement.value,
            "numerator": measurement.numerator,
            "denominator": measurement.denominator,
            "text_value": measurement.text_value,
            "source": measurement.source,
        }
        if pi.indicator.type == "boolean" and measurement.value is not None:
            initial["value"] = int(measurement.value)
        form = PortalMeasurementForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            indicator=pi.indicator,
            initial=initial,
        )
    if request.method == "POST":
        if not editable:
            messages.error(
                request,
                _("Cette valeur est verrouillée.")
                if measurement.locked
                else _("Cette valeur a été validée par l'équipe : elle ne peut plus être modifiée."),
            )
            return redirect("portal:measurement", measurement.pk)
        if form.is_valid() and _record(request, form, pi, measurement.period_start, measurement.period_end):
            messages.success(
                request,
                _("Valeur enregistrée en brouillon.")
                if request.POST.get("intent") == "draft"
                else _("Valeur soumise : l'équipe du programme va la valider."),
            )
            return redirect("portal:indicator", pi.pk)
        status = 400
    context = {
        "measurement": measurement,
        "pi": pi,
        "indicator": pi.indicator,
        "project": pi.project,
        "form": form,
        "editable": editable,
    }
    return render(request, "portal/measurement.html", context, status=status)


@access.partner_required
def measurement_evidence(request: HttpRequest, pk: int) -> FileResponse:
    measurement = get_object_or_404(access.portal_measurements_for(request.user), pk=pk)
    if not measurement.evidence:
        raise Http404
    extension = measurement.evidence.name.rsplit(".", 1)[-1]
    return private_file_response(measurement.evidence, filename=f"justificatif-{measurement.pk}.{extension}")


# --- Cooperative maturity -------------------------------------------------------------------------------


@access.partner_required
@require_http_methods(["GET", "POST"])
def maturity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The collective's self-assessment: filled here while the team keeps it open, read-only after."""
    assessment = get_object_or_404(
        access.portal_maturity_assessments_for(request.user).select_related("project", "assessed_by"), pk=pk
    )
    project = assessment.project
    is_open = _is_open(assessment, project)
    scores = {s.dimension: s.score for s in assessment.scores.all()}
    form = None
    status = 200
    if is_open:
        initial = {"participants": assessment.participants, "comment": assessment.comment}
        initial.update({f"score_{d}": s for d, s in scores.items()})
        form = PortalMaturityForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form is None:
            messages.error(request, _("Cette auto-évaluation est close : l'équipe l'a finalisée."))
            return redirect("portal:maturity", assessment.pk)
        if form.is_valid():
            try:
                services.maturity_assessment_save(
                    actor=request.user,
                    project=project,
                    phase=assessment.phase,
                    moment=assessment.moment,
                    assessed_on=timezone.localdate(),
                    scores=form.scores(),
                    participants=form.cleaned_data["participants"],
                    comment=form.cleaned_data["comment"],
                )
            except PermissionDenied:
                raise Http404
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("Auto-évaluation enregistrée. Merci !"))
                return redirect("portal:project", project.pk)
        status = 400
    rows = [
        {
            "label": d.label,
            "score": scores.get(d.value),
            "descriptor": DESCRIPTORS[d][scores[d.value] - 1] if d.value in scores else "",
        }
        for d in Dimension
    ]
    context = {
        "assessment": assessment,
        "project": project,
        "form": form,
        "is_open": is_open,
        "rows": rows,
    }
    return render(request, "portal/maturity.html", context, status=status)


@access.team_required
@require_POST
def maturity_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The team opens the collective's self-assessment for the project's current phase (start or end):
    an assessment without scores, which the partners then fill in the portal."""
    project_obj = get_object_or_404(access.projects_for(request.user), pk=pk)
    moment = request.POST.get("moment")
    if moment not in Moment.values or project_obj.phase not in ACTIVE_PHASES:
        messages.error(request, _("Choisissez le moment (début ou fin de phase) d'un projet en cours."))
        return redirect(project_obj)
    with transaction.atomic():
        assessment, created = MaturityAssessment.objects.select_for_update().get_or_create(
            project=project_obj,
            phase=project_obj.phase,
            moment=moment,
            defaults={"assessed_on": timezone.localdate(), "assessed_by": request.user},
        )
        if created:
            audit_log(
                actor=request.user,
                obj=assessment,
                action="maturity.opened",
                changes={"moment": [None, moment]},
            )
    if created:
        messages.success(
            request, _("Auto-évaluation ouverte : les partenaires du collectif peuvent la remplir.")
        )
    else:
        messages.info(request, _("Cette auto-évaluation existe déjà."))
    return redirect(project_obj)

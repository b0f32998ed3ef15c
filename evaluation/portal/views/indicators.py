"""Indicators the collective reports: a value per period, corrected and (re)submitted until the team
validates or locks it, with its evidence."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluation.models import Measurement
from programme import access
from programme.access import AuthedRequest
from programme.files import private_file_response
from programme.forms import add_validation_error
from programme.pages import save_once

from ... import services
from ...models import MeasurementStatus, ProjectIndicator
from .. import selectors
from ..forms import PortalMeasurementForm
from .conversations import portal_thread

#: Statuses a partner may still correct and (re)submit.
EDITABLE_STATUSES = (MeasurementStatus.DRAFT, MeasurementStatus.SUBMITTED, MeasurementStatus.RETURNED)


def _record(
    request: AuthedRequest,
    form: PortalMeasurementForm,
    project_indicator: ProjectIndicator,
    period_start: date,
    period_end: date,
) -> bool:
    """Record the partner's value once per submission (`save_once`); False with the reason on the form."""

    def attempt() -> bool:
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
                confirmed=form.confirmed,
            )
        except PermissionDenied:
            raise Http404
        except services.ConfirmationNeeded as warning:
            form.ask_confirmation(warning.messages)
            return False
        except ValidationError as error:
            add_validation_error(form, error)
            return False
        return True

    return bool(save_once(form, attempt))


@access.partner_required
@require_http_methods(["GET", "POST"])
def indicator_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An indicator the collective reports: where the project stands, every period's value and status, and
    a form for a new one."""
    today = timezone.localdate()
    page = selectors.indicator_page(user=request.user, pk=pk, today=today)
    pi, measurements = page.pi, page.measurements
    periods = selectors.open_periods(pi, {(m.period_start, m.period_end) for m in measurements}, today)
    form = None
    status = 200
    if periods:
        form = PortalMeasurementForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            indicator=pi.indicator,
            periods=periods,
            today=today,
        )
    if request.method == "POST":
        if form is not None and form.is_valid():
            period = form.period()
            assert period is not None  # a valid form has a period among `periods` (a required choice)
            if _record(request, form, pi, period.start, period.end):
                if request.POST.get("intent") == "draft":
                    messages.success(request, _("Valeur enregistrée en brouillon : pensez à la soumettre."))
                else:
                    messages.success(request, _("Valeur soumise : l’équipe du programme va la valider."))
                return redirect("portal:indicator", pi.pk)
        elif form is None:
            messages.error(request, _("Aucune période n’est ouverte à la saisie pour cet indicateur."))
            return redirect("portal:indicator", pi.pk)
        status = 400
    context = {
        "pi": pi,
        "indicator": pi.indicator,
        "project": pi.project,
        "measurements": measurements,
        "summary": page.summary,
        "form": form,
        "today": today,
    }
    return render(request, "portal/indicator.html", context, status=status)


@access.partner_required
@require_http_methods(["GET", "POST"])
def measurement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One period's value: correct and (re)submit it while the team has not validated or locked it."""
    measurement = get_object_or_404(
        access.portal_scoped(request.user, Measurement).select_related(
            "project_indicator__indicator", "project_indicator__project", "validated_by"
        ),
        pk=pk,
    )
    pi = measurement.project_indicator
    editable = not measurement.locked and measurement.status in EDITABLE_STATUSES
    form = None
    status = 200
    if editable:
        initial: dict[str, Any] = {
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
        if form is None:  # not editable
            messages.error(
                request,
                _("Cette valeur est verrouillée.")
                if measurement.locked
                else _("Cette valeur a été validée par l’équipe : elle ne peut plus être modifiée."),
            )
            return redirect("portal:measurement", measurement.pk)
        if form.is_valid() and _record(request, form, pi, measurement.period_start, measurement.period_end):
            messages.success(
                request,
                _("Valeur enregistrée en brouillon.")
                if request.POST.get("intent") == "draft"
                else _("Valeur soumise : l’équipe du programme va la valider."),
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
        **portal_thread(request.user, pi.project, measurement),
    }
    return render(request, "portal/measurement.html", context, status=status)


@access.partner_required
def measurement_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    measurement = get_object_or_404(access.portal_scoped(request.user, Measurement), pk=pk)
    if not measurement.evidence.name:
        raise Http404
    extension = measurement.evidence.name.rsplit(".", 1)[-1]
    return private_file_response(measurement.evidence, filename=f"justificatif-{measurement.pk}.{extension}")

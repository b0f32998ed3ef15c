"""Measurements: entering and correcting a value, the validation workflow (validate, return, unlock),
locking a period, the evidence file and the team's queue of values to validate."""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from programme import access
from programme.access import AuthedRequest
from programme.audit import history
from programme.files import private_file_response
from programme.forms import add_validation_error
from programme.pages import acted, render_filtered_list, submitted
from projects.models import Project

from .. import selectors, services
from ..filters import MeasurementQueueFilter
from ..forms import LockForm, MeasurementForm, ReturnForm, UnlockForm
from ..models import IndicatorType, Measurement, MeasurementStatus, ProjectIndicator


def _decimal(value: object) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@access.team_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enter a value for a project indicator (the period proposed: the next finished one)."""
    pi = selectors.project_indicator_get(user=request.user, pk=pk)
    return _measurement_page(request, pi=pi, measurement=None)


@access.team_required
@require_http_methods(["GET", "POST"])
def measurement_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a value (its period is fixed): freely while it waits, with a reason once validated; a
    locked value cannot be changed."""
    measurement = selectors.measurement_get(user=request.user, pk=pk)
    return _measurement_page(request, pi=measurement.project_indicator, measurement=measurement)


def _initial(pi: ProjectIndicator, measurement: Measurement | None) -> dict[str, Any] | None:
    """The form's starting values: the measurement's own, or the period to enter next."""
    if measurement is None:
        last = pi.measurements.order_by("-period_end").values_list("period_end", flat=True).first()
        period = selectors.next_period(pi, last, timezone.localdate())
        return {"period_start": period[0], "period_end": period[1]} if period else None
    return {
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


def _save(
    request: AuthedRequest, form: MeasurementForm, pi: ProjectIndicator, measurement: Measurement | None
) -> Measurement:
    """Call the service the form is for: a correction (validated value, with its reason) or an entry."""
    data = form.cleaned_data
    values: dict[str, Any] = {
        "value": _decimal(data.get("value")),
        "numerator": data.get("numerator"),
        "denominator": data.get("denominator"),
        "text_value": data.get("text_value", ""),
        "source": data.get("source", ""),
        "evidence": data.get("evidence"),
        "confirmed": form.confirmed,
    }
    if measurement is not None and measurement.status == MeasurementStatus.VALIDATED:
        return services.measurement_correct(
            actor=request.user, measurement=measurement, reason=data["reason"], **values
        )
    return services.measurement_record(
        actor=request.user,
        project_indicator=pi,
        period_start=measurement.period_start if measurement else data["period_start"],
        period_end=measurement.period_end if measurement else data["period_end"],
        submit=not data.get("draft"),
        **values,
    )


def _measurement_page(
    request: AuthedRequest, *, pi: ProjectIndicator, measurement: Measurement | None
) -> HttpResponse:
    if measurement and measurement.locked:
        messages.error(request, _("Cette période est verrouillée : la valeur ne peut plus être modifiée."))
        return redirect(pi)
    form = MeasurementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        indicator=pi.indicator,
        initial=_initial(pi, measurement),
    )
    if measurement:
        form.fields["period_start"].disabled = form.fields["period_end"].disabled = True
        if measurement.status == MeasurementStatus.VALIDATED:
            form.correcting()
    try:
        saved = submitted(
            request,
            form,
            lambda: _save(request, form, pi, measurement),
            message=lambda saved: _saved_message(saved, corrected=measurement is not None),
        )
    except services.ConfirmationNeeded as warning:
        form.ask_confirmation(warning.messages)
    except ValidationError as error:
        add_validation_error(form, error)
    else:
        if saved is not None:
            return redirect(pi)
    context = {"form": form, "pi": pi, "project": pi.project}
    if measurement:
        context |= {"measurement": measurement, "audit_entries": history(measurement)}
    return render(request, "evaluation/measurement_form.html", context)


def _saved_message(measurement: Measurement, *, corrected: bool) -> str:
    if measurement.review_flags and measurement.status == MeasurementStatus.SUBMITTED:
        return _(
            "Valeur enregistrée avec son signalement : un autre membre de l’équipe doit la valider "
            "avant qu’elle compte dans les chiffres."
        )
    if measurement.status == MeasurementStatus.DRAFT:
        return _("Valeur enregistrée en brouillon : elle ne compte pas tant qu’elle n’est pas validée.")
    return _("Valeur corrigée.") if corrected else _("Valeur enregistrée.")


# --- Validation workflow --------------------------------------------------------------------------------


class Transition(enum.Enum):
    """What the team does with an entered value (each URL name maps to one)."""

    VALIDATE = "validate"
    RETURN = "return"
    UNLOCK = "unlock"


@dataclass(frozen=True)
class _Step:
    service: Callable[..., Measurement]
    done: Promise
    #: The form asking for what the service needs besides the measurement (its fields are the service's
    #: keyword arguments), with the refusal shown when it is not filled in.
    form: type[forms.Form] | None = None
    refused: Promise | None = None


STEPS: dict[Transition, _Step] = {
    Transition.VALIDATE: _Step(service=services.measurement_validate, done=gettext_lazy("Valeur validée.")),
    Transition.RETURN: _Step(
        service=services.measurement_return,
        done=gettext_lazy("Valeur renvoyée pour correction."),
        form=ReturnForm,
        refused=gettext_lazy("Renvoi impossible : expliquez ce qui doit être corrigé."),
    ),
    Transition.UNLOCK: _Step(
        service=services.measurement_unlock,
        done=gettext_lazy("Valeur déverrouillée ; le motif est conservé dans l’historique."),
        form=UnlockForm,
        refused=gettext_lazy("Déverrouillage impossible : indiquez le motif."),
    ),
}


def _back(request: AuthedRequest, measurement: Measurement) -> HttpResponse:
    if request.POST.get("next", "") == "queue":
        return redirect("evaluation:measurement.queue")
    return redirect(measurement.project_indicator)


@access.team_required
@require_POST
def measurement_transition(request: AuthedRequest, pk: int, transition: Transition) -> HttpResponse:
    """Validate, return (with what to correct) or unlock (with the reason) one value."""
    measurement = selectors.measurement_get(user=request.user, pk=pk)
    step = STEPS[transition]
    arguments: dict[str, Any] = {}
    if step.form is not None:
        form = step.form(request.POST)
        if not form.is_valid():
            messages.error(request, str(step.refused))
            return _back(request, measurement)
        arguments = form.cleaned_data
    acted(
        request,
        lambda: step.service(actor=request.user, measurement=measurement, **arguments),
        message=str(step.done),
    )
    return _back(request, measurement)


@access.team_required
@require_POST
def measurement_lock(request: AuthedRequest, project_pk: int) -> HttpResponse:
    project = selectors.project_get(user=request.user, pk=project_pk)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Verrouillage impossible : indiquez une période valide."))
        return redirect("evaluation:protocol", project_pk=project.pk)
    acted(
        request,
        lambda: services.measurement_lock_period(actor=request.user, project=project, **form.cleaned_data),
        message=lambda count: (
            ngettext("%(n)s valeur verrouillée.", "%(n)s valeurs verrouillées.", count) % {"n": count}
        ),
    )
    return redirect("evaluation:protocol", project_pk=project.pk)


def measurement_evidence(request: AuthedRequest, pk: int) -> FileResponse:
    """The evidence file, for the team and the partners of the project (the portal links here)."""
    measurement = get_object_or_404(access.scoped(request.user, Measurement), pk=pk)
    if not measurement.evidence:
        raise Http404
    assert measurement.evidence.name is not None  # a file that is set has a name
    extension = measurement.evidence.name.rsplit(".", 1)[-1]
    return private_file_response(measurement.evidence, filename=f"justificatif-{measurement.pk}.{extension}")


@access.team_required
def measurement_queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    queryset = (
        access.scoped(user, Measurement)
        .filter(status__in=[MeasurementStatus.SUBMITTED, MeasurementStatus.RETURNED])
        .select_related("project_indicator__project", "project_indicator__indicator", "entered_by")
        .order_by("-submitted_at", "-pk")
    )
    filterset = MeasurementQueueFilter(request.GET, queryset=queryset, projects=access.scoped(user, Project))
    return render_filtered_list(
        request,
        filterset=filterset,
        template="evaluation/measurement_queue.html",
        partial="evaluation/partials/_measurement_queue_table.html",
        context={"return_form": ReturnForm()},
    )

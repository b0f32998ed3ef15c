"""The printable cross-territory matrix: a report kind of evaluation/reports (`ReportKind.RESEARCH_MATRIX`),
rendered in the background like the others. The report services call these three functions for that kind
and nothing else: its parameters, its title, its HTML."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from programme.formatting import fr_date, fr_datetime
from programme.models import Programme

from . import selectors

if TYPE_CHECKING:
    from evaluation.models import Report


def _iso(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return value.isoformat() if isinstance(value, date) else date.fromisoformat(str(value)).isoformat()
    except ValueError as error:
        raise ValidationError(_("Indiquez une période valide.")) from error


def matrix_parameters(parameters: Any) -> dict[str, str]:
    """The period (either end may be open), ISO dates."""
    start, end = _iso(parameters.get("period_start")), _iso(parameters.get("period_end"))
    if start and end and start > end:
        raise ValidationError(_("La fin de la période précède son début."))
    return {key: value for key, value in (("period_start", start), ("period_end", end)) if value}


def period_label(parameters: dict[str, Any]) -> str:
    start, end = parameters.get("period_start"), parameters.get("period_end")
    if start and end:
        return _("du %(start)s au %(end)s") % {
            "start": fr_date(date.fromisoformat(start)),
            "end": fr_date(date.fromisoformat(end)),
        }
    if start:
        return _("depuis le %(start)s") % {"start": fr_date(date.fromisoformat(start))}
    if end:
        return _("jusqu’au %(end)s") % {"end": fr_date(date.fromisoformat(end))}
    return _("toutes dates")


def matrix_title(programme: Programme, parameters: dict[str, Any]) -> str:
    return (
        _("Matrice de la recherche-action — %(programme)s — %(period)s")
        % {"programme": programme.name, "period": period_label(parameters)}
    )[:255]


def matrix_html(report: "Report") -> str:
    from evaluation.reports.content import team_user_for

    params = report.parameters or {}
    period = selectors.Period(
        start=date.fromisoformat(params["period_start"]) if params.get("period_start") else None,
        end=date.fromisoformat(params["period_end"]) if params.get("period_end") else None,
    )
    data = selectors.matrix(user=team_user_for(report), programme=report.programme, period=period)
    return render_to_string(
        "reports/research_matrix.html",
        {
            "report": report,
            "sections": [{"id": "matrice", "title": _("Matrice territoires × conditions")}],
            "period": period_label(params),
            "generated_at": fr_datetime(timezone.now()),
            "requested_by": report.requested_by or _("planification"),
            **data,
        },
    )

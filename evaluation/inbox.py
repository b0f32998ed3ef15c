"""evaluation's two sources of the team inbox « À traiter » (projects.inbox), registered from
`EvaluationConfig.ready()`: projects never names evaluation.

- measurements a partner submitted, waiting for validation (to the project's staff leads);
- maturity self-assessments the collective filled in the portal, to read (to the project's staff leads),
  closed by « Marquer comme vu » until the collective changes them, or by the team's own save."""

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.access import TEAM_ROLES
from programme.formatting import fr_date
from projects.inbox.registry import Line, register_source
from projects.inbox.sources import led_by, url_to, url_to_page
from projects.models import Phase, Project

from .models import (
    MaturityAssessment,
    MaturityScore,
    Measurement,
    MeasurementStatus,
    Moment,
    ProjectIndicator,
)


def _measurements(today: date) -> QuerySet[Measurement]:
    return Measurement.objects.filter(status=MeasurementStatus.SUBMITTED).order_by("submitted_at", "pk")


def _measurements_led_by(user_id: int) -> Q:
    """The measurement's project is steered by the user, as a set of project indicators (those of the
    user's projects, read from their staff leads): PostgreSQL reads it once, rather than joining every
    project indicator (10,000 at full size) to test each submitted measurement's project."""
    led = Project.staff_leads.through.objects.filter(user_id=user_id).values("project_id")
    return Q(project_indicator__in=ProjectIndicator.objects.filter(project__in=led).values("pk"))


def _measurement_line(r: dict[str, Any], today: date) -> Line:
    # As Measurement.__str__ writes it: the indicator and the period.
    title = f"{r['indicator']} — {fr_date(r['start'])} – {fr_date(r['end'])}"
    return Line(title, r["about"], r["day"], _("soumise le"))


def _maturity(today: date) -> QuerySet[MaturityAssessment]:
    scored = MaturityScore.objects.filter(assessment=OuterRef("pk"))
    return (
        MaturityAssessment.objects.filter(waived_at__isnull=True, assessed_by__isnull=False)
        .exclude(assessed_by__role__in=TEAM_ROLES)
        .filter(Exists(scored))
        .order_by("updated_at", "pk")
    )


def _maturity_line(r: dict[str, Any], today: date) -> Line:
    title = _("Maturité coopérative — %(phase)s, %(moment)s") % {
        "phase": Phase(r["phase"]).label,
        "moment": str(Moment(r["moment"]).label).lower(),
    }
    return Line(title, r["about"], r["day"], _("remplie le"))


def register() -> None:
    queue = url_to_page("evaluation:measurement.queue")
    register_source(
        "measurements",
        gettext_lazy("Mesures à valider"),
        _measurements,
        lambda r: queue(),
        default_for=_measurements_led_by,
        columns={
            "indicator": "project_indicator__indicator__name",
            "start": "period_start",
            "end": "period_end",
            "about": "project_indicator__project__title",
            "project": "project_indicator__project_id",
            "day": "submitted_at",
        },
        dates=("day", "start", "end"),
        leads="project",
        line=_measurement_line,
        order=15,
        help=gettext_lazy("Valeurs soumises par les partenaires\u202f: validez-les ou renvoyez-les."),
    )
    register_source(
        "maturity",
        gettext_lazy("Auto-évaluations de maturité remplies"),
        _maturity,
        lambda r: url_to("evaluation:maturity.edit", r["pk"]),
        default_for=lambda uid: led_by(uid),
        columns={
            "phase": "phase",
            "moment": "moment",
            "about": "project__title",
            "project": "project_id",
            "day": "updated_at",
        },
        leads="project",
        line=_maturity_line,
        order=17,
        seen_after="updated_at",
        help=gettext_lazy("Remplies par le collectif dans son portail\u202f: prenez-en connaissance."),
    )

"""evaluation's two sources of the team inbox « À traiter » (projects.inbox), registered from
`EvaluationConfig.ready()`: projects never names evaluation.

- measurements a partner submitted, waiting for validation (to the project's staff leads);
- maturity self-assessments the collective filled in the portal, to read (to the project's staff leads),
  closed by « Marquer comme vu » until the collective changes them, or by the team's own save."""

from datetime import date

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programme.access import TEAM_ROLES
from projects.inbox.registry import Line, register_source
from projects.inbox.sources import lead_names, led_by, url_to, with_leads

from .models import MaturityAssessment, MaturityScore, Measurement, MeasurementStatus


def _measurements(today: date) -> QuerySet[Measurement]:
    return with_leads(
        Measurement.objects.filter(status=MeasurementStatus.SUBMITTED)
        .select_related("project_indicator__indicator", "project_indicator__project")
        .order_by("submitted_at", "pk"),
        "project_indicator__project",
    )


def _measurement_line(m: Measurement, today: date) -> Line:
    submitted = timezone.localdate(m.submitted_at) if m.submitted_at else None
    return Line(str(m), m.project_indicator.project.title, submitted, _("soumise le"))


def _maturity(today: date) -> QuerySet[MaturityAssessment]:
    scored = MaturityScore.objects.filter(assessment=OuterRef("pk"))
    return with_leads(
        MaturityAssessment.objects.filter(waived_at__isnull=True, assessed_by__isnull=False)
        .exclude(assessed_by__role__in=TEAM_ROLES)
        .filter(Exists(scored))
        .select_related("project")
        .order_by("updated_at", "pk")
    )


def _maturity_line(a: MaturityAssessment, today: date) -> Line:
    title = _("Maturité coopérative — %(phase)s, %(moment)s") % {
        "phase": a.get_phase_display(),
        "moment": a.get_moment_display().lower(),
    }
    return Line(title, a.project.title, timezone.localdate(a.updated_at), _("remplie le"))


def register() -> None:
    register_source(
        "measurements",
        gettext_lazy("Mesures à valider"),
        _measurements,
        lambda m: reverse("evaluation:measurement.queue"),
        default_for=lambda uid: led_by(uid, "project_indicator__project_id"),
        defaults=lambda m: lead_names(m.project_indicator.project),
        line=_measurement_line,
        order=15,
        help=gettext_lazy("Valeurs soumises par les partenaires : validez-les ou renvoyez-les."),
    )
    register_source(
        "maturity",
        gettext_lazy("Auto-évaluations de maturité remplies"),
        _maturity,
        lambda a: url_to("evaluation:maturity.edit", a.pk),
        default_for=lambda uid: led_by(uid),
        defaults=lambda a: lead_names(a.project),
        line=_maturity_line,
        order=17,
        seen_after="updated_at",
        help=gettext_lazy("Remplies par le collectif dans son portail : prenez-en connaissance."),
    )

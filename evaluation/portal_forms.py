"""Forms of the partner portal (evaluation side): a value for an indicator the collective reports, and
the cooperative maturity self-assessment. Only what a partner may change is a field: status, project,
validation, lock… are never read from the request."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from programme.files import check_upload
from projects.models import Phase

from .forms import MaturityForm, MeasurementForm
from .models import Periodicity, ProjectIndicator

#: How many periods back a partner may still report (on top of the current one).
PERIODS_BACK = {Periodicity.MONTHLY: 5, Periodicity.QUARTERLY: 3, Periodicity.YEARLY: 1}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _month_end(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _span(start: date, end: date) -> str:
    return f"{date_format(start, 'j N Y')} – {date_format(end, 'j N Y')}"


def reporting_periods(project_indicator: ProjectIndicator, *, today: date) -> list[Period]:
    """The periods a partner may report for, most recent first, following the indicator's periodicity."""
    periodicity = project_indicator.indicator.periodicity
    periods: list[Period] = []
    if periodicity == Periodicity.MONTHLY:
        cursor = today.replace(day=1)
        for _i in range(PERIODS_BACK[periodicity] + 1):
            periods.append(Period(cursor, _month_end(cursor), date_format(cursor, "F Y").capitalize()))
            cursor = (cursor - timedelta(days=1)).replace(day=1)
    elif periodicity == Periodicity.QUARTERLY:
        quarter = (today.month - 1) // 3
        year = today.year
        for _i in range(PERIODS_BACK[periodicity] + 1):
            start = date(year, quarter * 3 + 1, 1)
            end = _month_end(date(year, quarter * 3 + 3, 1))
            label = _t("T%(q)s %(y)s (%(span)s)") % {"q": quarter + 1, "y": year, "span": _span(start, end)}
            periods.append(Period(start, end, label))
            quarter -= 1
            if quarter < 0:
                quarter, year = 3, year - 1
    elif periodicity == Periodicity.YEARLY:
        for year in range(today.year, today.year - PERIODS_BACK[periodicity] - 1, -1):
            periods.append(Period(date(year, 1, 1), date(year, 12, 31), _t("Année %(y)s") % {"y": year}))
    else:  # per phase: the project's phase periods that have begun
        for p in sorted(
            project_indicator.project.phase_periods.all(), key=lambda p: p.planned_start, reverse=True
        ):
            start = p.actual_start or p.planned_start
            end = p.actual_end or p.planned_end
            if end is None or start > today:
                continue
            label = _t("%(phase)s (%(span)s)") % {"phase": Phase(p.phase).label, "span": _span(start, end)}
            periods.append(Period(start, end, label))
    return periods


class PortalMeasurementForm(MeasurementForm):
    """A value for one period. On a new value the partner picks the period among those still open; when
    correcting an existing value the period is fixed (no period field)."""

    def __init__(self, *args, indicator, periods: list[Period] | None = None, **kwargs):
        super().__init__(*args, indicator=indicator, **kwargs)
        for name in ("period_start", "period_end", "draft"):
            self.fields.pop(name, None)
        self.periods = {p.key: p for p in periods or []}
        if periods is not None:
            self.fields["period"] = forms.ChoiceField(
                label=_("Période"),
                choices=[("", _("— choisissez la période —"))] + [(p.key, p.label) for p in periods],
                error_messages={
                    "required": _("Choisissez la période concernée."),
                    "invalid_choice": _("Cette période n'est pas ouverte à la saisie."),
                },
            )
            self.order_fields(["period"])
        self.fields["evidence"].label = _("Justificatif")
        self.fields["evidence"].help_text = _("PDF, image, tableur ou texte — facultatif mais recommandé.")

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            check_upload(evidence)
        return evidence

    def period(self) -> Period | None:
        key = self.cleaned_data.get("period")
        return self.periods.get(key) if key else None


class PortalMaturityForm(MaturityForm):
    """The collective's self-assessment: phase and moment are those the team opened, the date is today."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("phase", "moment", "assessed_on"):
            self.fields.pop(name, None)
        for field in self.score_fields():
            field.field.error_messages["required"] = _("Choisissez un niveau pour cette dimension.")
        self.fields["participants"].help_text = _("Qui a participé à l'auto-évaluation (noms ou structures).")

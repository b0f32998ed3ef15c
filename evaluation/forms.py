from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programme.forms import Form, FrenchDecimalField, ModelForm
from programme.models import Organisation, Programme
from projects.forms import project_checks
from projects.models import Phase, Project

from .models import (
    ASSESSED_PHASES,
    DESCRIPTORS,
    Dimension,
    EvaluationCriterion,
    EvaluationQuestion,
    Indicator,
    IndicatorType,
    Lesson,
    Moment,
    ProjectIndicator,
    TargetKind,
)
from .services import target_refusal

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _relation(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A ModelForm's field for a relation (a ModelChoiceField by construction), to narrow its choices."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class IndicatorForm(ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "description",
            "unit",
            "unit_singular",
            "type",
            "aggregation",
            "direction",
            "periodicity",
            "scope",
            "verification",
            "scale_min",
            "scale_max",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _("Identifiant court et stable, par ex. « emplois-crees »."),
            "aggregation": _(
                "Flux : les périodes s’additionnent (emplois créés). Stock : seule compte la dernière "
                "valeur (structures impliquées). Taux : moyenne des périodes ; un pourcentage est "
                "toujours le rapport des sommes (Σ numérateurs / Σ dénominateurs)."
            ),
            "verification": _("La pièce ou la source qui atteste la valeur (feuille d’émargement, bilan…)."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("type") == IndicatorType.SCALE:
            low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
            if low is None or high is None or high <= low:
                self.add_error(
                    "scale_max", _("Une échelle a un minimum et un maximum plus grand que le minimum.")
                )
        return cleaned


class QuestionForm(ModelForm):
    class Meta:
        model = EvaluationQuestion
        fields = ["text", "order"]


class CriterionForm(ModelForm):
    class Meta:
        model = EvaluationCriterion
        fields = ["text", "order"]


class ProjectIndicatorForm(ModelForm):
    class Meta:
        model = ProjectIndicator
        fields = [
            "indicator",
            "criterion",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "target_kind",
            "reporter",
            "reporter_organisation",
        ]
        widgets = {"baseline_date": DateInput, "target_date": DateInput}
        # Typed the French way ("12 500,50"), never through a browser's number input.
        field_classes = {"baseline_value": FrenchDecimalField, "target_value": FrenchDecimalField}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        _relation(self, "indicator").queryset = Indicator.objects.filter(
            is_active=True
        ) | Indicator.objects.filter(pk=self.instance.indicator_id or 0)
        _relation(self, "criterion").queryset = EvaluationCriterion.objects.filter(question__project=project)
        _relation(self, "reporter_organisation").queryset = Organisation.objects.filter(
            memberships__project=project
        ).distinct()
        if self.instance.pk:
            self.fields["indicator"].disabled = True
        # Cumulative unless said otherwise (the model's default), so a form without the field stays valid.
        self.fields["target_kind"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        indicator = cleaned.get("indicator")
        project = self.instance.project
        if (
            indicator
            and ProjectIndicator.objects.filter(project=project, indicator=indicator)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("indicator", _("Cet indicateur fait déjà partie du protocole du projet."))
        if indicator:
            for name in ("baseline_value", "target_value"):
                refusal = target_refusal(indicator, cleaned.get(name))
                if refusal and name not in self.errors:
                    self.add_error(name, refusal)
        base, target = cleaned.get("baseline_date"), cleaned.get("target_date")
        if base and target and target < base:
            self.add_error("target_date", _("L’échéance de la cible précède la date de référence."))
        if not cleaned.get("target_kind"):
            cleaned["target_kind"] = TargetKind.CUMULATIVE
        return cleaned


class TargetForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    period_end = forms.DateField(label=_("Fin de la période"), widget=DateInput)
    value = FrenchDecimalField(label=_("Cible"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: it shares the indicator page with the measurement form (same field names).
        kwargs.setdefault("auto_id", "id_target_%s")
        super().__init__(*args, **kwargs)


class MeasurementForm(Form):
    """A value for one period, typed the French way. When the service finds it worth a second look
    (`ConfirmationNeeded`), the view calls `ask_confirmation`: the form comes back with the reasons and a
    "Je confirme cette valeur" checkbox, the typed value kept; `confirmed` is then passed to the service."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)
    period_fields = ("period_start", "period_end")
    period_start = forms.DateField(label=_("Début de la période"), widget=DateInput)
    period_end = forms.DateField(label=_("Fin de la période"), widget=DateInput)
    value = FrenchDecimalField(label=_("Valeur"), max_digits=14, decimal_places=2, required=False)
    numerator = FrenchDecimalField(label=_("Numérateur"), max_digits=14, decimal_places=2, required=False)
    denominator = FrenchDecimalField(label=_("Dénominateur"), max_digits=14, decimal_places=2, required=False)
    text_value = forms.CharField(label=_("Valeur"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source = forms.CharField(label=_("Source"), max_length=255, required=False)
    evidence = forms.FileField(label=_("Justificatif (facultatif)"), required=False)
    draft = forms.BooleanField(label=_("Garder en brouillon (ne pas valider tout de suite)"), required=False)

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        kind = indicator.type
        if kind == IndicatorType.PERCENTAGE:
            del self.fields["value"], self.fields["text_value"]
            self.fields["numerator"].required = self.fields["denominator"].required = True
        elif kind == IndicatorType.TEXT:
            del self.fields["value"], self.fields["numerator"], self.fields["denominator"]
            self.fields["text_value"].required = True
        else:
            del self.fields["numerator"], self.fields["denominator"], self.fields["text_value"]
            self.fields["value"].required = True
            if indicator.unit:
                self.fields["value"].label = _("Valeur (%(unit)s)") % {"unit": indicator.unit}
            if kind == IndicatorType.BOOLEAN:
                self.fields["value"] = forms.TypedChoiceField(
                    label=_("Valeur"),
                    choices=[(1, _("Oui")), (0, _("Non"))],
                    coerce=int,
                    widget=forms.RadioSelect,
                )
            elif kind == IndicatorType.SCALE:
                self.fields["value"].help_text = _("Note de %(min)s à %(max)s.") % {
                    "min": indicator.scale_min,
                    "max": indicator.scale_max,
                }
        self.fields["source"].help_text = indicator.verification
        #: The service's reasons to confirm, shown above the fields (see `ask_confirmation`).
        self.warnings: list[str] = []
        if self.is_bound and self.data.get("confirm"):
            self.fields["confirm"] = self._confirm_field()

    @staticmethod
    def _confirm_field() -> forms.BooleanField:
        # What confirming means is said in the warnings above the fields.
        return forms.BooleanField(label=_("Je confirme cette valeur"), required=False)

    def ask_confirmation(self, warnings: list[str]) -> None:
        """The value looks wrong: show why, and the checkbox that confirms it (unchecked)."""
        self.warnings = warnings
        self.fields.setdefault("confirm", self._confirm_field())

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm"))

    def correcting(self) -> None:
        """The form corrects a validated value: the period is fixed, a reason is required."""
        self.fields["period_start"].disabled = self.fields["period_end"].disabled = True
        self.fields.pop("draft", None)
        self.fields["reason"] = forms.CharField(
            label=_("Motif de la correction"),
            max_length=500,
            help_text=_("Gardé dans l’historique avec l’ancienne et la nouvelle valeur."),
            error_messages={"required": _("Indiquez le motif de la correction.")},
        )


class ReturnForm(Form):
    comment = forms.CharField(
        label=_("Ce qui doit être corrigé"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class UnlockForm(Form):
    reason = forms.CharField(label=_("Motif du déverrouillage"), max_length=500)


class LockForm(Form):
    period_fields = ("period_start", "period_end")
    period_start = forms.DateField(label=_("Du"), widget=DateInput)
    period_end = forms.DateField(label=_("Au"), widget=DateInput)


class MaturityForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    phase = forms.ChoiceField(
        label=_("Phase"), choices=[(p.value, p.label) for p in Phase if p in ASSESSED_PHASES]
    )
    moment = forms.ChoiceField(label=_("Moment"), choices=Moment.choices, widget=forms.RadioSelect)
    assessed_on = forms.DateField(label=_("Date de l’auto-évaluation"), widget=DateInput)
    participants = forms.CharField(label=_("Participants"), max_length=255, required=False)
    comment = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for dimension in Dimension:
            self.fields[f"score_{dimension.value}"] = forms.TypedChoiceField(
                label=dimension.label,
                choices=[
                    (level, f"{level} — {text}") for level, text in enumerate(DESCRIPTORS[dimension], start=1)
                ],
                coerce=int,
                widget=forms.RadioSelect,
            )

    def clean_assessed_on(self) -> date:
        value = self.cleaned_data["assessed_on"]
        if value > date.today():
            raise forms.ValidationError(_("L’auto-évaluation ne peut pas être datée dans le futur."))
        return value

    def scores(self) -> dict[str, int]:
        return {d.value: self.cleaned_data[f"score_{d.value}"] for d in Dimension}

    def score_fields(self) -> list[forms.BoundField]:
        return [self[f"score_{d.value}"] for d in Dimension]


class LessonForm(ModelForm):
    class Meta:
        model = Lesson
        fields = ["title", "kind", "body", "phase", "themes", "projects"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, programme: Programme, projects: QuerySet[Project], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.programme = self.instance.programme if self.instance.pk else programme
        field = _relation(self, "projects")
        field.widget = project_checks()  # before its queryset (its choices)
        field.queryset = projects.select_related("lead_organisation")
        field.help_text = _(
            "Cherchez un projet par son titre ou sa structure porteuse, puis cochez-le ; décochez-le pour le retirer."
        )

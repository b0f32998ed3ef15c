"""The settings forms. The checks that need the database (duplicates, overlaps) are the services'."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import ModelForm
from programme.models import Cohort, Programme, Role, Territory, Theme, User


class OffsetsField(forms.Field):
    """Reminder offsets typed as « 14, 7, 1 » (days before a deadline)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[int]:
        if isinstance(value, list):
            return value
        text = str(value or "").replace(";", ",").strip()
        if not text:
            return []
        offsets: set[int] = set()
        for part in text.split(","):
            part = part.strip()
            if not part.isdigit() or not 0 <= int(part) <= 365:
                raise forms.ValidationError(
                    _(
                        "Indiquez des nombres de jours entre 0 et 365, séparés par des virgules (par exemple 14, 7, 1)."
                    )
                )
            offsets.add(int(part))
        return sorted(offsets, reverse=True)


class ProgrammeForm(ModelForm):
    reminder_offsets = OffsetsField(
        label=_("Rappels (jours avant l’échéance)"),
        required=False,
        help_text=_("Par exemple 14, 7, 1 : un récapitulatif part ces jours-là avant l’échéance."),
    )
    emergence_months = forms.IntegerField(label=_("Durée de l’Émergence (mois)"), min_value=1, max_value=60)
    experimentation_months = forms.IntegerField(
        label=_("Durée de l’Expérimentation (mois)"), min_value=1, max_value=60
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "start_date",
            "emergence_months",
            "experimentation_months",
            "reminder_offsets",
            "default_lead",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["default_lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = User.objects.filter(is_active=True, role__in=[Role.STAFF, Role.DIRECTOR]).order_by(
            "first_name", "last_name"
        )


class CohortForm(ModelForm):
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=500, initial=8)

    class Meta:
        model = Cohort
        fields = ["programme", "name", "year", "start_date", "end_date", "capacity", "selection_committee_on"]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in ("start_date", "end_date", "selection_committee_on")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Programme.objects.filter(is_active=True) | Programme.objects.filter(
            pk=self.instance.programme_id
        )

    def validate_unique(self) -> None:
        """The same name in the programme is the service's check (case-insensitive, in French)."""

    def validate_constraints(self) -> None:
        """The dates' order too: the service says it in French (the database still holds the constraint)."""


class ThemeForm(ModelForm):
    class Meta:
        model = Theme
        fields = ["name"]
        error_messages = {"name": {"unique": _("Une thématique porte déjà ce nom.")}}


class TerritoryForm(ModelForm):
    class Meta:
        model = Territory
        fields = ["name"]
        error_messages = {"name": {"unique": _("Un territoire porte déjà ce nom.")}}

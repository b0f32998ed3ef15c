"""The settings forms. The checks that need the database (duplicates, overlaps) are the services'."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import ModelForm
from programme.identity import LEGAL_GROUP_LABELS
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


#: A département's INSEE code: 01–95 (2A, 2B for Corsica), 971–978 overseas.
DEPARTEMENT_CODE = re.compile(r"0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8]")


class DepartementsField(forms.Field):
    """Départements typed as « 69, 01, 38 » (INSEE codes; « 1 » is « 01 »)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        codes: list[str] = []
        for part in str(value or "").replace(";", ",").replace(" ", ",").split(","):
            code = part.strip().upper().zfill(2)
            if part.strip() and code not in codes:
                if not DEPARTEMENT_CODE.fullmatch(code):
                    raise forms.ValidationError(
                        _("« %(code)s » n’est pas un code de département (par exemple 69, 2A, 974).")
                        % {"code": part.strip()}
                    )
                codes.append(code)
        return sorted(codes)


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
    register_categories = forms.MultipleChoiceField(
        label=_("Formes juridiques gardées du répertoire SIRENE"),
        choices=[(key, label) for key, label in LEGAL_GROUP_LABELS.items() if key != "other"],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "L’import mensuel garde les structures de l’ESS quelle que soit leur forme, et celles de ces formes. "
            "Aucune cochée : le réglage du serveur (par défaut, toutes ces formes)."
        ),
    )
    register_departements = DepartementsField(
        label=_("Départements gardés du répertoire SIRENE"),
        required=False,
        help_text=_(
            "Codes séparés par des virgules, par exemple 69, 01, 38 : les établissements situés ailleurs ne sont pas "
            "importés. Vide : le réglage du serveur (par défaut, toute la France)."
        ),
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
            "register_categories",
            "register_departements",
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

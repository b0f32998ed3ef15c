from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from programme.forms import Form
from projects.models import CommitteeKind

from .models import ItemKind, OffsetUnit, Provider
from .services import item_errors

FIELDS = ("kind", "title", "offset", "offset_unit", "provider", "committee_kind", "every_months")


class TemplateItemForm(Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    offset = forms.IntegerField(label=_("Décalage depuis le début de la phase"), min_value=0, max_value=999)
    offset_unit = forms.ChoiceField(label=_("Unité"), choices=OffsetUnit.choices, initial=OffsetUnit.MONTHS)
    provider = forms.ChoiceField(
        label=_("Fourni par (livrable)"), choices=[("", "—"), *Provider.choices], required=False
    )
    committee_kind = forms.ChoiceField(
        label=_("Instance (comité)"), choices=[("", "—"), *CommitteeKind.choices], required=False
    )
    every_months = forms.IntegerField(
        label=_("Puis tous les … mois (comité)"), min_value=1, max_value=24, required=False
    )

    def __init__(self, *args: Any, months: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.months = months

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(name in cleaned for name in ("kind", "offset", "offset_unit")):
            for name, message in item_errors(cleaned, self.months).items():
                self.add_error(name, message)
        return cleaned


class BaseTemplateItemFormSet(forms.BaseFormSet):
    def _kept(self) -> list[forms.Form]:
        # django-stubs does not declare BaseFormSet._should_delete_form (Django's own helper).
        return [
            f
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f)  # type: ignore[attr-defined]
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self._kept():
            raise forms.ValidationError(_("Un modèle doit compter au moins un élément."))

    def items(self) -> list[dict[str, Any]]:
        return [{key: f.cleaned_data.get(key) for key in FIELDS} for f in self._kept()]


# cast: django-stubs types formset_factory's result as the base BaseFormSet, not the `formset` class given.
TemplateItemFormSet = cast(
    type[BaseTemplateItemFormSet],
    formset_factory(TemplateItemForm, formset=BaseTemplateItemFormSet, extra=2, can_delete=True),
)

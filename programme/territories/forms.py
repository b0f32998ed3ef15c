from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.forms import Form, ModelForm, organisation_menu, person_menu
from programme.models import Organisation, Person, Territory, User

from .models import AreaKind, PartnerRole, Stage


class TerritoryForm(ModelForm):
    class Meta:
        model = Territory
        fields = ["name", "kind", "programme", "description"]
        error_messages = {"name": {"unique": _("Un territoire porte déjà ce nom.")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class StageForm(ModelForm):
    class Meta:
        model = Stage
        fields = ["programme", "name", "position", "description"]


class AreaSearchForm(Form):
    """The area picker: a name or an INSEE code, optionally one level; results come from the loaded list."""

    q = forms.CharField(label=_("Commune, EPCI, département ou région"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Niveau"), choices=[("", _("Tous les niveaux")), *AreaKind.choices], required=False
    )


class MoveForm(Form):
    creates = True

    stage = forms.ModelChoiceField(label=_("Nouvelle étape"), queryset=Stage.objects.none())
    moved_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    rationale = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, territory: Territory, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Stage.objects.filter(programme=territory.programme, is_active=True).exclude(
            pk=territory.stage_id or 0
        )
        self.fields["moved_on"].initial = timezone.localdate()


class PartnerForm(Form):
    creates = True

    organisation = forms.ModelChoiceField(
        label=_("Structure"), queryset=Organisation.objects.all(), widget=organisation_menu()
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=PartnerRole.choices)
    note = forms.CharField(label=_("Précision"), max_length=200, required=False)


class ReferentForm(Form):
    creates = True

    person = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Person.objects.filter(anonymised_at__isnull=True).select_related("organisation"),
        widget=person_menu(),
    )


class GrantForm(Form):
    creates = True

    user = forms.ModelChoiceField(label=_("Personne"), queryset=User.objects.none())

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in users]).order_by("last_name", "email")

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form
from programme.models import Programme, Territory


class RadarAddForm(Form):
    """« Ajouter aux prospects » for the structures ticked on the radar."""

    creates = True  # one-time submission token: a double click adds them once
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    territory = forms.ModelChoiceField(
        label=_("Territoire des prospects"), queryset=Territory.objects.all(), required=False
    )
    # The ticked rows' SIREN (checkboxes of the results table, form="radar-add").
    sirens = forms.Field(label=_("Structures"), required=False, widget=forms.MultipleHiddenInput)
    query = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_sirens(self) -> list[str]:
        values = self.cleaned_data.get("sirens") or []
        sirens = [str(s) for s in values if str(s).isdigit() and len(str(s)) == 9]
        if not sirens:
            raise forms.ValidationError(_("Cochez au moins une structure à ajouter aux prospects."))
        return sirens[:500]


class SavedSearchForm(Form):
    """Keep the radar's criteria as a territory's search."""

    creates = False  # replaces the territory's search: sending it twice changes nothing more
    territory = forms.ModelChoiceField(label=_("Territoire"), queryset=Territory.objects.all())
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def clean_query(self) -> str:
        query = str(self.cleaned_data.get("query") or "")
        if not query.strip("&"):
            raise forms.ValidationError(_("Choisissez d’abord des critères de recherche."))
        return query

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form
from prospects.models import Decision


class SelectionDecisionForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    decision = forms.ChoiceField(label=_("Décision"), choices=Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Motivez la décision : la motivation est obligatoire.")},
    )
    capacity_override = forms.BooleanField(
        label=_("Dépasser la capacité de la promotion (décision assumée et tracée)"), required=False
    )

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form
from prospects.models import Decision

from .services import TITLE_MAX_LENGTH, TITLE_REQUIRED


class SelectionDecisionForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    decision = forms.ChoiceField(label=_("Décision"), choices=Decision.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Motivez la décision : la motivation est obligatoire.")},
    )
    project_title = forms.CharField(
        label=_("Titre du projet (si retenu)"),
        required=False,
        max_length=TITLE_MAX_LENGTH,
        help_text=_(
            "Le projet créé portera ce titre, proposé d’après l’idée de projet du prospect quand elle est connue."
        ),
    )
    capacity_override = forms.BooleanField(
        label=_("Dépasser la capacité de la promotion (décision assumée et tracée)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        title = " ".join(cleaned.get("project_title", "").split())
        cleaned["project_title"] = title
        if cleaned.get("decision") == Decision.RETAINED and not title and "project_title" not in self.errors:
            self.add_error("project_title", TITLE_REQUIRED)
        return cleaned

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.forms import FilterForm, Form, ModelForm
from programme.models import Territory
from projects.forms import project_menu
from projects.models import Project

from .models import CodingStatus, Condition, FrameworkVersion, Resource
from .services import CodingInput

STATUS_CHOICES = [("", _("Non codée")), *CodingStatus.choices]


class PeriodForm(FilterForm):
    """A period (both ends optional) and, for the journal, a territory."""

    period = ("start", "end")

    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class JournalFilterForm(PeriodForm):
    territory = forms.ModelChoiceField(
        label=_("Territoire"), queryset=Territory.objects.all(), required=False, empty_label=_("Tous")
    )


class VersionForm(Form):
    creates = True

    note = forms.CharField(
        label=_("Ce qui change"),
        max_length=300,
        required=False,
        help_text=_("La nouvelle version reprend toutes les conditions de la version en cours."),
    )


class ConditionForm(ModelForm):
    class Meta:
        model = Condition
        fields = ["name", "parent", "description", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, version: FrameworkVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = version.conditions.filter(parent__isnull=True).exclude(pk=self.instance.pk or 0)
        field.empty_label = _("— Condition de premier niveau —")
        field.label = _("Sous-condition de")
        self.instance.version = version


class ObservationForm(Form):
    """An observation and, for each condition of the framework's current version, its coding: a status
    and a justification (both or neither)."""

    creates = True

    territory = forms.ModelChoiceField(
        label=_("Territoire"), queryset=Territory.objects.filter(is_active=True)
    )
    project = forms.ModelChoiceField(
        label=_("Projet"),
        queryset=Project.objects.filter(territory__isnull=False)
        .select_related("lead_organisation")
        .order_by("title"),
        required=False,
        widget=project_menu(located=True),
    )
    observed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Observation"), widget=forms.Textarea(attrs={"rows": 5}))
    source_label = forms.CharField(label=_("Source (facultatif)"), max_length=200, required=False)
    source_url = forms.URLField(
        label=_("Lien de la source"), max_length=500, required=False, assume_scheme="https"
    )
    source_file = forms.FileField(label=_("ou fichier de la source"), required=False)

    def __init__(self, *args: Any, conditions: list[Condition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conditions = conditions
        self.fields["observed_on"].initial = timezone.localdate()
        for condition in conditions:
            self.fields[f"status_{condition.pk}"] = forms.ChoiceField(
                label=f"↳ {condition}" if getattr(condition, "depth", 0) else str(condition),
                choices=STATUS_CHOICES,
                required=False,
            )
            self.fields[f"justification_{condition.pk}"] = forms.CharField(
                label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def coding_rows(self) -> list[dict[str, Any]]:
        """Each condition with its two bound fields, for the template."""
        return [
            {
                "condition": c,
                "status": self[f"status_{c.pk}"],
                "justification": self[f"justification_{c.pk}"],
            }
            for c in self.conditions
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for condition in self.conditions:
            status = cleaned.get(f"status_{condition.pk}")
            justification = (cleaned.get(f"justification_{condition.pk}") or "").strip()
            if status and not justification:
                self.add_error(f"justification_{condition.pk}", _("Justifiez ce codage."))
            if justification and not status:
                self.add_error(f"status_{condition.pk}", _("Choisissez présente, émergente ou absente."))
        territory, project = cleaned.get("territory"), cleaned.get("project")
        if territory is not None and project is not None and project.territory_id != territory.pk:
            self.add_error("project", _("Ce projet n’est pas situé sur ce territoire."))
        if (cleaned.get("source_url") or cleaned.get("source_file")) and not cleaned.get("source_label"):
            self.add_error("source_label", _("Nommez la source."))
        if cleaned.get("source_url") and cleaned.get("source_file"):
            self.add_error("source_url", _("Donnez un lien ou un fichier (l’un des deux)."))
        if not any(cleaned.get(f"status_{c.pk}") for c in self.conditions) and not self.errors:
            self.add_error(None, _("Codez au moins une condition du cadre d’action."))
        return cleaned

    def codings(self) -> list[CodingInput]:
        data = self.cleaned_data
        return [
            CodingInput(
                condition=c,
                status=data[f"status_{c.pk}"],
                justification=data[f"justification_{c.pk}"],
            )
            for c in self.conditions
            if data.get(f"status_{c.pk}")
        ]


class SourceForm(Form):
    creates = True

    label = forms.CharField(label=_("Source"), max_length=200)
    url = forms.URLField(label=_("Lien"), max_length=500, required=False, assume_scheme="https")
    file = forms.FileField(label=_("ou fichier"), required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("url")) == bool(cleaned.get("file")):
            self.add_error("url", _("Donnez un lien ou un fichier (l’un des deux)."))
        return cleaned


class ResourceForm(ModelForm):
    upload = forms.FileField(
        label=_("Fichier"),
        required=False,
        help_text=_(
            "Livret, fiche : PDF, Word, OpenDocument, PowerPoint. Vidéo : MP4 ou WebM. Podcast : MP3, OGG, "
            "M4A ou WAV (200 Mo au plus). Ou un lien ci-dessus."
        ),
    )

    class Meta:
        model = Resource
        fields = [
            "title",
            "format",
            "audience",
            "description",
            "territory",
            "project",
            "conditions",
            "status",
            "url",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, conditions: list[Condition], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["conditions"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        current = list(self.instance.conditions.values_list("pk", flat=True)) if self.instance.pk else []
        field.queryset = Condition.objects.filter(pk__in=[c.pk for c in conditions] + current)
        project = self.fields["project"]
        assert isinstance(project, forms.ModelChoiceField)
        project.widget = project_menu()  # before its queryset (choices)
        project.queryset = Project.objects.select_related("lead_organisation").order_by("title")

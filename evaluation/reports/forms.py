"""The order form of a PDF report and the dashboard's filters."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation.models import ReportKind
from programme import access
from programme.forms import Form, LoadedModelChoiceField
from programme.models import Cohort, Programme, Territory, Theme, User
from programme.selectors import FilterChoices
from projects.forms import project_menu
from projects.models import Project

from .services import previous_month

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportOrderForm(Form):
    offers_archived = True  # a report or the dashboard may look back at an archived promotion

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    kind = forms.ChoiceField(label=_("Type de rapport"), choices=ReportKind.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.filter(is_active=True), empty_label=None
    )
    period_start = forms.DateField(label=_("Début de la période"), widget=DateInput, required=False)
    period_end = forms.DateField(label=_("Fin de la période"), widget=DateInput, required=False)
    cohort = forms.ModelChoiceField(
        label=_("Promotion (facultatif)"), queryset=Cohort.objects.none(), required=False
    )
    territory = forms.ModelChoiceField(
        label=_("Territoire (facultatif)"), queryset=Territory.objects.all(), required=False
    )
    project = forms.ModelChoiceField(
        label=_("Projet (rapport financeur)"), queryset=Cohort.objects.none(), required=False
    )
    draft = forms.BooleanField(
        label=_("Préparer un brouillon à rédiger"),
        help_text=_(
            "Les sections générées s’accompagnent de sections rédigées par l’équipe (introduction, faits "
            "marquants, difficultés, perspectives) ; la version finale est rendue quand le texte est prêt."
        ),
        required=False,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start, end = previous_month(timezone.localdate())
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        cohort, project = self.fields["cohort"], self.fields["project"]
        assert isinstance(cohort, forms.ModelChoiceField) and isinstance(project, forms.ModelChoiceField)
        cohort.queryset = Cohort.objects.filter(programme__is_active=True).select_related("programme")
        project.widget = project_menu(active=True)  # before its queryset (choices)
        project.queryset = (
            access.scoped(user, Project)
            .filter(programme__is_active=True)
            .select_related("lead_organisation")
            .order_by("title")
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, programme = data.get("kind"), data.get("programme")
        if kind == ReportKind.FUNDER:
            project = data.get("project")
            if project is None:
                self.add_error("project", _("Choisissez le projet du rapport financeur."))
            elif programme and project.programme_id != programme.pk:
                self.add_error("project", _("Ce projet n’appartient pas au programme choisi."))
        elif kind == ReportKind.ACTIVITY:
            start, end = data.get("period_start"), data.get("period_end")
            if not start:
                self.add_error("period_start", _("Indiquez le début de la période."))
            if not end:
                self.add_error("period_end", _("Indiquez la fin de la période."))
            if start and end and start > end:
                self.add_error("period_end", _("La fin de la période précède son début."))
            cohort = data.get("cohort")
            if cohort and programme and cohort.programme_id != programme.pk:
                self.add_error("cohort", _("Cette promotion n’appartient pas au programme choisi."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["kind"] == ReportKind.FUNDER:
            return {
                "kind": data["kind"],
                "programme": data["programme"],
                "project": data["project"],
                "parameters": {},
                "draft": bool(data.get("draft")),
            }
        return {
            "kind": data["kind"],
            "programme": data["programme"],
            "project": None,
            "draft": bool(data.get("draft")),
            "parameters": {
                "period_start": data["period_start"],
                "period_end": data["period_end"],
                "cohort": data["cohort"].pk if data.get("cohort") else None,
                "territory": data["territory"].pk if data.get("territory") else None,
            },
        }


class DashboardFilterForm(Form):
    """The dashboard's filters. Given `choices` (`selectors.filter_choices`, read with the others in one
    query), its menus run no query of their own."""

    offers_archived = True  # a report or the dashboard may look back at an archived promotion

    programme = LoadedModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.all(), required=False, empty_label=None
    )
    cohort = LoadedModelChoiceField(
        label=_("Promotion"), queryset=Cohort.objects.none(), required=False, empty_label=_("Toutes")
    )
    territory = LoadedModelChoiceField(
        label=_("Territoire"), queryset=Territory.objects.all(), required=False, empty_label=_("Tous")
    )
    theme = LoadedModelChoiceField(
        label=_("Thématique"), queryset=Theme.objects.all(), required=False, empty_label=_("Toutes")
    )
    year = forms.TypedChoiceField(label=_("Période"), coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        programme: Programme | None,
        years: list[int],
        choices: FilterChoices | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cohort, year = self.fields["cohort"], self.fields["year"]
        assert isinstance(cohort, forms.ModelChoiceField) and isinstance(year, forms.TypedChoiceField)
        cohort.queryset = Cohort.objects.filter(programme=programme) if programme else Cohort.objects.none()
        year.choices = [("", _("Depuis le début"))] + [(y, str(y)) for y in years]
        if choices is not None:
            loaded: dict[str, list[Any]] = {
                "programme": choices.programmes,
                "cohort": choices.cohorts_of(programme),
                "territory": choices.territories,
                "theme": choices.themes,
            }
            for name, objects in loaded.items():
                field = self.fields[name]
                assert isinstance(field, LoadedModelChoiceField)
                field.load(objects)


class ReportTextForm(Form):
    """The written sections of a draft report; each save is a new version of the text."""

    creates = True  # each save is a new version: a double click saves one

    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Ouvre le rapport, avant les sections générées."),
    )
    highlights = forms.CharField(
        label=_("Faits marquants"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    difficulties = forms.CharField(
        label=_("Difficultés"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    outlook = forms.CharField(
        label=_("Perspectives"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )


class ReportFinaliseForm(Form):
    """Render a draft's final version (immutable); a funder report's, for the team or the collective."""

    creates = True  # decides: one final rendering per click

    for_collective = forms.BooleanField(
        label=_("Version finale pour le collectif (partagée avec lui)"),
        help_text=_(
            "Rendue avec les yeux du collectif : rien de ce que l’équipe garde pour elle n’y figure. "
            "Sans cette case, la version finale reste à l’équipe."
        ),
        required=False,
    )

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programme import bulk_actions
from programme.files import ACCEPTED_LABEL, check_upload
from programme.forms import (
    Form,
    ModelForm,
    SearchChecks,
    SearchSelect,
    organisation_menu,
    person_menu,
    ticked,
)
from programme.models import Cohort, Organisation, Person, Theme, User
from prospects.events.models import Event
from prospects.events.selectors import to_come
from prospects.forms import TeamUserChoiceField, team_users

from . import services
from .filters import leads_menu
from .gate_hooks import hook_fields
from .models import (
    Action,
    AdvocacyAction,
    Committee,
    CommitteeDecision,
    Deliverable,
    DeploymentSite,
    Dissemination,
    Membership,
    Milestone,
    Outcome,
    Phase,
    Project,
    Stakeholder,
    Workshop,
    WorkshopItem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def limit_choices(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Narrow the options of one of the form's model choice fields (`form.fields` is typed as plain
    `Field`, so this says which kind of field it is)."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class ProjectForm(ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "problem",
            "programme",
            "cohort",
            "lead_organisation",
            "themes",
            "territory",
            "staff_leads",
            "start_date",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "lead_organisation": organisation_menu(),
            "themes": forms.CheckboxSelectMultiple,
            "staff_leads": forms.CheckboxSelectMultiple,
            "start_date": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "staff_leads", team_users())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        cohort, programme = cleaned.get("cohort"), cleaned.get("programme")
        if cohort and programme and cohort.programme_id != programme.pk:
            self.add_error("cohort", _("Cette promotion appartient à un autre programme."))
        return cleaned


class ProjectCreateForm(ProjectForm):
    phase = forms.ChoiceField(
        label=_("Phase de départ"),
        choices=[(Phase.SELECTION, Phase.SELECTION.label), (Phase.EMERGENCE, Phase.EMERGENCE.label)],
        initial=Phase.SELECTION,
        help_text=_("Les phases suivantes ne s’atteignent que par une décision d’étape."),
    )

    class Meta(ProjectForm.Meta):
        fields = [*ProjectForm.Meta.fields, "phase"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("phase") == Phase.EMERGENCE and not cleaned.get("start_date"):
            self.add_error("start_date", _("Indiquez la date de début de l’Émergence."))
        return cleaned


def outcome_label(phase: str, outcome: str) -> str:
    """A gate decision as the phase menu says it: the decision and where it leads from `phase`."""
    if outcome == Outcome.EXTEND:
        return gettext("Prolongation de la phase « %(phase)s »") % {"phase": Phase(phase).label}
    if outcome == Outcome.STOP:
        return gettext("Arrêt — le projet s’arrête")
    to_phase = services.target_phase(phase, outcome)
    if to_phase == Phase.COMPLETED:
        return gettext("Poursuite — fin de l’accompagnement (projet terminé)")
    return gettext("Poursuite — passage en « %(phase)s »") % {"phase": Phase(str(to_phase)).label}


class ProjectBulkForm(bulk_actions.BulkForm):
    """A bulk action on the project list (`programme.bulk_actions.BulkForm`) and what its actions need:
    the team member to add or take out of the leads, the promotion, the theme."""

    nouns = services.PROJECT_NOUNS

    lead = TeamUserChoiceField(label=_("Chargé·e"), queryset=User.objects.none(), required=False)
    cohort = forms.ModelChoiceField(label=_("Promotion"), queryset=Cohort.objects.none(), required=False)
    theme = forms.ModelChoiceField(label=_("Thématique"), queryset=Theme.objects.none(), required=False)
    event = forms.ModelChoiceField(label=_("Événement"), queryset=Event.objects.none(), required=False)

    NEEDS = {
        "lead_add": ("lead",),
        "lead_remove": ("lead",),
        "cohort": ("cohort",),
        "theme": ("theme",),
        "invite": ("event",),
    }
    REQUIRED = {
        "lead": _("Choisissez le membre de l’équipe."),
        "cohort": _("Choisissez la promotion."),
        "theme": _("Choisissez la thématique à ajouter."),
        "event": _("Choisissez l’événement auquel inviter leurs collectifs."),
    }

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, actions=actions, **kwargs)
        # Taking someone out of the leads works for a former member too (their projects are handed over).
        action = self.data.get("action") if self.is_bound else None
        limit_choices(self, "lead", leads_menu() if action == "lead_remove" else team_users())
        limit_choices(self, "cohort", Cohort.objects.filter(is_active=True).select_related("programme"))
        limit_choices(self, "theme", Theme.objects.filter(is_active=True))
        limit_choices(self, "event", Event.objects.filter(to_come()))  # the events to come, or going on


class GateDecisionForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    outcome = forms.ChoiceField(label=_("Décision"), choices=Outcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Date de la décision"), widget=DATE)
    committee = forms.CharField(
        label=_("Instance de décision"),
        max_length=200,
        help_text=_("Par exemple : Comité d’engagement du 12 mars."),
    )
    rationale = forms.CharField(label=_("Motivation"), widget=forms.Textarea(attrs={"rows": 4}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    new_planned_end = forms.DateField(
        label=_("Nouvelle fin prévue (prolongation)"), required=False, widget=DATE
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        """The phase menu offers the decisions `services.allowed_outcomes` allows from the project's phase
        (the rules `project_move` applies), each saying where it leads; « Poursuite » (the next phase) is
        preselected."""
        outcomes = services.allowed_outcomes(project)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("decided_on", timezone.localdate())
        kwargs["initial"].setdefault("expected_version", project.phase_version)
        if Outcome.CONTINUE in outcomes:
            kwargs["initial"].setdefault("outcome", Outcome.CONTINUE)
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [(o, outcome_label(project.phase, o)) for o in outcomes]
        # Fields higher apps add to the decision (projects.gate_hooks: evaluation's frozen dossier).
        extra = hook_fields(project)
        self.hook_names = list(extra)
        self.fields.update(extra)

    def service_data(self) -> dict[str, Any]:
        """The cleaned data as `project_move` takes it: the hooks' fields under `hook_data`."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.hook_names}
        return {**data, "hook_data": {k: self.cleaned_data.get(k) for k in self.hook_names}}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        if cleaned.get("outcome") == Outcome.EXTEND and not cleaned.get("new_planned_end"):
            self.add_error("new_planned_end", _("Une prolongation demande la nouvelle date de fin prévue."))
        return cleaned


class MembershipForm(ModelForm):
    period_fields = ("joined_on", "left_on")
    period_error = _("La sortie ne peut pas précéder l’entrée.")

    class Meta:
        model = Membership
        fields = ["organisation", "person", "role", "joined_on", "left_on"]
        widgets = {
            "organisation": organisation_menu(),
            "person": person_menu(),
            "joined_on": DATE,
            "left_on": DATE,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        person, organisation = cleaned.get("person"), cleaned.get("organisation")
        if person and organisation and person.organisation_id not in (None, organisation.pk):
            self.add_error("person", _("Ce contact appartient à une autre structure."))
        return cleaned


class StakeholderForm(ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["name", "organisation", "influence", "interest", "engagement", "notes"]
        widgets = {"organisation": organisation_menu(), "notes": forms.Textarea(attrs={"rows": 2})}


class WorkshopForm(ModelForm):
    invited = ticked(Person.objects.none(), label=_("Invité·es"))
    present = ticked(Person.objects.none(), label=_("Présent·es"))

    class Meta:
        model = Workshop
        fields = [
            "title",
            "step",
            "starts_at",
            "duration_minutes",
            "place",
            "facilitator",
            "agenda",
            "minutes",
            "outputs",
            "shared_with_collective",
        ]
        widgets = {
            "starts_at": DATETIME,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
            "outputs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "facilitator", team_users())
        limit_choices(self, "invited", people)
        limit_choices(self, "present", people)
        starts_at = self.fields["starts_at"]
        assert isinstance(starts_at, forms.DateTimeField)
        starts_at.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        if self.instance.pk and not self.is_bound:
            rows = list(self.instance.attendances.all())
            self.initial["invited"] = [a.person_id for a in rows if a.invited]
            self.initial["present"] = [a.person_id for a in rows if a.present]


class WorkshopItemForm(ModelForm):
    class Meta:
        model = WorkshopItem
        fields = ["kind", "title", "description", "answers"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "answers", WorkshopItem.objects.filter(project=project))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        kind, answers = cleaned.get("kind", ""), cleaned.get("answers")
        expected = {"idea": "need", "prototype": "idea"}
        if answers and expected.get(kind) != answers.kind:
            self.add_error(
                "answers",
                _("Une idée répond à un besoin, un prototype à une idée ; un besoin ne répond à rien."),
            )
        return cleaned


class CommitteeForm(ModelForm):
    class Meta:
        model = Committee
        fields = [
            "kind",
            "date",
            "place",
            "attendees",
            "staff_attendees",
            "agenda",
            "minutes",
            "shared_with_collective",
        ]
        widgets = {
            "date": DATE,
            "attendees": forms.CheckboxSelectMultiple,
            "staff_attendees": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "attendees", people)
        limit_choices(self, "staff_attendees", team_users())


class CommitteeDecisionForm(ModelForm):
    class Meta:
        model = CommitteeDecision
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ActionForm(ModelForm):
    class Meta:
        model = Action
        fields = ["title", "committee", "owner_user", "owner_person", "due_date", "status"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, project: Project, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "owner_user", team_users())
        limit_choices(self, "owner_person", people)
        limit_choices(self, "committee", project.committees.all())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        user, person = cleaned.get("owner_user"), cleaned.get("owner_person")
        if bool(user) == bool(person):
            self.add_error(
                None,
                _("Choisissez un·e responsable : soit dans l’équipe, soit parmi les membres du collectif."),
            )
        return cleaned


class MilestoneForm(ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "status", "owner", "done_on"]
        widgets = {"due_date": DATE, "done_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "owner", team_users())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        if cleaned.get("status") == "done" and not cleaned.get("done_on"):
            cleaned["done_on"] = timezone.localdate()
        return cleaned


class DeliverableForm(ModelForm):
    class Meta:
        model = Deliverable
        fields = [
            "title",
            "description",
            "milestone",
            "due_date",
            "status",
            "owner_user",
            "owner_organisation",
        ]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "owner_user", team_users())
        limit_choices(self, "milestone", project.milestones.all())
        limit_choices(
            self, "owner_organisation", Organisation.objects.filter(memberships__project=project).distinct()
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        if not cleaned.get("owner_user") and not cleaned.get("owner_organisation"):
            self.add_error(
                None, _("Indiquez qui remet ce livrable : une personne de l’équipe ou une structure.")
            )
        return cleaned


class UploadForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    file = forms.FileField(
        label=_("Fichier"), help_text=_("Formats acceptés : %(f)s.") % {"f": ACCEPTED_LABEL}
    )
    comment = forms.CharField(label=_("Commentaire"), max_length=255, required=False)

    def clean_file(self) -> "UploadedFile[bytes]":
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


class DocumentForm(UploadForm):
    title = forms.CharField(label=_("Titre"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    shared_with_collective = forms.BooleanField(label=_("Partagé avec le collectif"), required=False)
    field_order = ["title", "description", "file", "shared_with_collective", "comment"]


class DeploymentSiteForm(ModelForm):
    class Meta:
        model = DeploymentSite
        fields = ["territory", "partner", "status", "started_on", "notes"]
        widgets = {
            "partner": organisation_menu(),
            "started_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class DisseminationForm(ModelForm):
    class Meta:
        model = Dissemination
        fields = ["date", "what", "audience", "channel"]
        widgets = {"date": DATE}


class AdvocacyActionForm(ModelForm):
    class Meta:
        model = AdvocacyAction
        fields = ["target", "date", "description", "outcome"]
        widgets = {
            "date": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }


# --- Menus of projects ----------------------------------------------------------------------------------


def project_label(project: Project) -> str:
    """A project as its menus offer it: its title, then its lead structure."""
    return f"{project.title} · {project.lead_organisation.name}"


def project_menu(*, active: bool = False, located: bool = False) -> SearchSelect:
    """A menu among the projects, searched by title or lead structure (projects:project.options); with
    `active`, those of the active programmes; with `located`, those situated on a territory."""
    menu = SearchSelect(
        "projects:project.options",
        label=project_label,
        prompt=_("— Cherchez le projet ci-dessus —"),
        search=_("Rechercher un projet (titre ou structure porteuse)"),
    )
    menu.params = {name: 1 for name, wanted in (("active", active), ("located", located)) if wanted}
    return menu


def project_checks() -> SearchChecks:
    """Several projects, found by title or lead structure and ticked."""
    return SearchChecks(
        "projects:project.options",
        label=project_label,
        search=_("Rechercher un projet à cocher (titre ou structure porteuse)"),
    )

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Model, QuerySet
from django.forms import formset_factory
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from programme import bulk_actions
from programme.formatting import member_label, organisation_label
from programme.forms import Form, ModelForm, SearchSelect, organisation_menu, ticked
from programme.identity import digits_only, validate_siren
from programme.models import (
    Cohort,
    Organisation,
    OrganisationKind,
    Person,
    Programme,
    Role,
    Territory,
    Theme,
    User,
)

from .events.selectors import to_come
from .importing import FIELDS
from .models import (
    STAGE_RANK,
    Audience,
    Event,
    Exchange,
    Prospect,
    Recommendation,
    Source,
    Stage,
)
from .services import PROSPECT_NOUNS, allowed_moves, organisation_match

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def team_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=(Role.STAFF, Role.DIRECTOR)).order_by(
        "first_name", "last_name"
    )


def _check_next_action(form: forms.BaseForm, cleaned: dict[str, Any] | None) -> dict[str, Any]:
    """A form's clean() tail: a next-action date needs the action it stands for."""
    assert cleaned is not None  # Form.clean returns cleaned_data
    if cleaned.get("next_action_date") and not cleaned.get("next_action"):
        form.add_error("next_action", _("Décrivez l’action prévue à cette date."))
    return cleaned


class TeamUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return member_label(obj)


class TeamUsersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return member_label(obj)


def model_choices(form: forms.BaseForm, name: str) -> "forms.ModelChoiceField[Model]":
    """The form's (single or multiple) model choice field `name`, to set its queryset per request. The
    stubs type `form.fields` as plain Field; the form's declaration says this one is a model choice."""
    return cast("forms.ModelChoiceField[Model]", form.fields[name])


def default_programme() -> Programme | None:
    return Programme.objects.filter(is_active=True).order_by("name").first()


class ProspectCreateForm(Form):
    """A new prospect: an existing structure, or a new one typed here (checked against duplicates)."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.all())
    organisation = forms.ModelChoiceField(
        label=_("Structure déjà enregistrée"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=organisation_menu(),
        help_text=_("Ou laissez vide et décrivez la nouvelle structure ci-dessous."),
    )
    new_name = forms.CharField(label=_("Nom de la nouvelle structure"), max_length=200, required=False)
    new_kind = forms.ChoiceField(
        label=_("Forme"),
        choices=OrganisationKind.choices,
        required=False,
        initial=OrganisationKind.ASSOCIATION,
    )
    new_town = forms.CharField(label=_("Commune"), max_length=120, required=False)
    new_siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.WATCH)
    audience = forms.ChoiceField(
        label=_("Public"),
        choices=[("", _("Selon la forme de la structure"))] + list(Audience.choices),
        required=False,
    )
    cohort = forms.ModelChoiceField(label=_("Promotion visée"), queryset=Cohort.objects.all(), required=False)
    owner = TeamUserChoiceField(label=_("Suivi par"), queryset=team_users(), required=False)
    themes = ticked(
        Theme.objects.all(), label=_("Thématiques"), help_text=_("Par défaut, celles de la structure.")
    )
    territory = forms.ModelChoiceField(
        label=_("Territoire"), queryset=Territory.objects.all(), required=False
    )
    project_idea = forms.CharField(label=_("Idée de projet"), max_length=200, required=False)
    next_action = forms.CharField(label=_("Prochaine action"), max_length=255, required=False)
    next_action_date = forms.DateField(
        label=_("Date de la prochaine action"), required=False, widget=DateInput
    )
    notes = forms.CharField(
        label=_("Notes internes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "owner").queryset = team_users()
        if not self.is_bound:
            self.fields["programme"].initial = default_programme()

    def clean_new_siren(self):
        siren = digits_only(self.cleaned_data.get("new_siren", ""))
        if siren:
            validate_siren(siren)
        return siren

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        organisation = cleaned.get("organisation")
        name = (cleaned.get("new_name") or "").strip()
        if organisation is None and not name:
            self.add_error(
                "organisation", _("Choisissez une structure existante ou indiquez le nom d’une nouvelle.")
            )
            return cleaned
        if organisation is None:
            if not cleaned.get("new_kind"):
                self.add_error("new_kind", _("Indiquez la forme de la nouvelle structure."))
            existing = organisation_match(
                siren=cleaned.get("new_siren", ""), name=name, town=cleaned.get("new_town", "")
            )
            if existing is not None:
                self.add_error(
                    "new_name",
                    format_html(
                        str(_("Cette structure existe déjà : « {} » ({}). Choisissez-la dans la liste.")),
                        existing.name,
                        existing.town or "—",
                    ),
                )
                return cleaned
        programme = cleaned.get("programme")
        if organisation is not None and programme is not None:
            existing_prospect = Prospect.objects.filter(
                programme=programme, organisation=organisation
            ).first()
            if existing_prospect is not None:
                self.add_error(
                    "organisation",
                    format_html(
                        str(
                            _(
                                'Cette structure est déjà un prospect de ce programme : <a href="{}">voir sa fiche</a>.'
                            )
                        ),
                        existing_prospect.get_absolute_url(),
                    ),
                )
        cohort = cleaned.get("cohort")
        if cohort is not None and programme is not None and cohort.programme_id != programme.pk:
            self.add_error("cohort", _("Cette promotion appartient à un autre programme."))
        return cleaned


class ProspectForm(ModelForm):
    owner = TeamUserChoiceField(label=_("Suivi par"), queryset=team_users(), required=False)

    class Meta:
        model = Prospect
        fields = [
            "cohort",
            "source",
            "audience",
            "themes",
            "territory",
            "owner",
            "project_idea",
            "next_action",
            "next_action_date",
            "notes",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "next_action_date": DateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "owner").queryset = team_users()
        model_choices(self, "cohort").queryset = Cohort.objects.filter(
            programme_id=self.instance.programme_id
        )
        self.offer_active_only("cohort")

    def clean(self):
        return _check_next_action(self, super().clean())


def move_choices(stage: str) -> list[tuple[str, str]]:
    """The stages a prospect at `stage` may be moved to by hand, in pipeline order: the table the service
    itself applies (`services.allowed_moves`, from MANUAL_MOVES). A move the service would refuse (« Seul
    le comité… ») is never offered."""
    labels = dict(Stage.choices)
    return [(value, str(labels[value])) for value in allowed_moves(stage)]


def next_stage(stage: str) -> str | None:
    """The move a stage menu preselects: the nearest allowed stage further along the pipeline. Never a move
    back, never « Écarté » (it asks for a reason); None when the way forward is not a manual move (the
    interview, the selection committee) — the menu then asks to choose."""
    rank = STAGE_RANK.get(stage)
    if rank is None:
        return None
    forward = [value for value in allowed_moves(stage) if STAGE_RANK.get(value, -1) > rank]
    return forward[0] if forward else None


class MoveForm(Form):
    """A prospect's stage menu (detail page). Unbound with `stage`, it offers only the allowed moves with
    the next stage preselected; bound (the move view), it accepts any stage so that a refused move comes
    back with the service's reason."""

    to_stage = forms.ChoiceField(label=_("Déplacer vers"), choices=Stage.choices)
    reason = forms.CharField(label=_("Motif (pour écarter)"), max_length=255, required=False)

    def __init__(self, *args: Any, stage: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if stage is not None:
            field = cast(forms.ChoiceField, self.fields["to_stage"])
            preselected = next_stage(stage)
            placeholder: list[tuple[str, str]] = [] if preselected else [("", str(_("— Choisir l’étape —")))]
            field.choices = placeholder + move_choices(stage)
            field.initial = preselected or ""


class ExchangeForm(ModelForm):
    """An exchange with one structure: the contact menu lists that structure's contacts, the event menu
    the programme's events (on a prospect record), the owner menu the team. `shared` is offered where
    the structure may have partner accounts (its page, a project), not on a prospect record."""

    owner = TeamUserChoiceField(
        label=_("Responsable de la prochaine action"),
        queryset=team_users(),
        required=False,
        help_text=_("Par défaut : la personne qui suit la structure, sinon vous."),
    )

    class Meta:
        model = Exchange
        fields = [
            "kind",
            "date",
            "contact",
            "event",
            "summary",
            "outcome",
            "next_action",
            "next_action_date",
            "owner",
            "shared",
        ]
        widgets = {
            "date": DateInput,
            "next_action_date": DateInput,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        organisation_id: int,
        programme_id: int | None = None,
        shared: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "contact").queryset = Person.objects.filter(
            organisation_id=organisation_id, anonymised_at__isnull=True
        ).order_by("last_name", "first_name")
        model_choices(self, "owner").queryset = team_users()
        if programme_id is None:
            del self.fields["event"]
        else:
            model_choices(self, "event").queryset = Event.objects.filter(programme_id=programme_id)
        if not shared:
            del self.fields["shared"]

    def clean(self):
        return _check_next_action(self, super().clean())


class InterviewForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    scheduled_at = forms.DateTimeField(
        label=_("Date et heure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    remote = forms.BooleanField(label=_("En visio"), required=False)
    interviewers = TeamUsersField(
        label=_("Intervieweurs"), queryset=team_users(), widget=forms.CheckboxSelectMultiple
    )
    contacts = ticked(Person.objects.none(), label=_("Contacts rencontrés"))

    def __init__(self, *args, prospect: Prospect, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "interviewers").queryset = team_users()
        model_choices(self, "contacts").queryset = Person.objects.filter(
            organisation_id=prospect.organisation_id, anonymised_at__isnull=True
        )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        if not cleaned.get("remote") and not (cleaned.get("place") or "").strip():
            self.add_error("place", _("Indiquez le lieu, ou cochez « En visio »."))
        return cleaned


class ScoreForm(Form):
    """One 0–3 choice (with the level's descriptor) and a comment per criterion of the interview's grid."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        initial_scores = initial_scores or {}
        for criterion in self.criteria:
            previous = initial_scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=format_html("{} <span class='muted'>(×{})</span>", criterion.label, criterion.weight),
                choices=[(level, f"{level} — {text}") for level, text in criterion.levels()],
                coerce=int,
                widget=forms.RadioSelect,
                initial=previous.value if previous else None,
                error_messages={"required": _("Notez ce critère (0 à 3).")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire"),
                required=False,
                initial=previous.comment if previous else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def values(self) -> dict[int, tuple[int, str]]:
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data[f"comment_{c.pk}"])
            for c in self.criteria
        }


class InterviewCompleteForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    recommendation = forms.ChoiceField(
        label=_("Recommandation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4}))


class CriterionForm(Form):
    label = forms.CharField(label=_("Critère"), max_length=200)
    weight = forms.IntegerField(label=_("Poids"), min_value=1, max_value=10, initial=1)
    level_0 = forms.CharField(label=_("0"), max_length=255)
    level_1 = forms.CharField(label=_("1"), max_length=255)
    level_2 = forms.CharField(label=_("2"), max_length=255)
    level_3 = forms.CharField(label=_("3"), max_length=255)


class BaseCriterionFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        # django-stubs does not declare BaseFormSet._should_delete_form (Django's own helper): ignored below.
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f)  # type: ignore[attr-defined]
        ]
        if not kept:
            raise forms.ValidationError(_("Une grille doit compter au moins un critère."))

    def criteria(self) -> list[dict[str, Any]]:
        return [
            {
                key: f.cleaned_data[key]
                for key in ("label", "weight", "level_0", "level_1", "level_2", "level_3")
            }
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f)  # type: ignore[attr-defined]
        ]


# cast: django-stubs types formset_factory's result as the base BaseFormSet, not the `formset` class given.
CriterionFormSet = cast(
    type[BaseCriterionFormSet],
    formset_factory(CriterionForm, formset=BaseCriterionFormSet, extra=1, can_delete=True),
)


class ImportUploadForm(Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.all())
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        error_messages={
            "empty": _("Le fichier est vide."),
            "required": _("Choisissez le fichier à importer."),
        },
        help_text=_("Une ligne d’en-tête, puis une structure par ligne. Taille maximale : %(max)s Mo.")
        % {"max": settings.PARCOURS_MAX_IMPORT_MB},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["programme"].initial = default_programme()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PARCOURS_MAX_IMPORT_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "Le fichier pèse %(size)s Mo : la limite est de %(max)s Mo. Découpez-le en plusieurs fichiers."
                )
                % {"size": round(upload.size / 1024 / 1024, 1), "max": settings.PARCOURS_MAX_IMPORT_MB}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Le fichier est vide."))
        return upload


class ImportMappingForm(Form):
    """Which target field each column of the file feeds (or "ignorer")."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— ignorer cette colonne —"))] + [
            (key, label) for key, (label, _req) in FIELDS.items()
        ]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("Colonne %(n)s") % {"n": index + 1}, choices=choices, required=False
            )

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        seen: dict[str, str] = {}
        for name, target in list(cleaned.items()):
            if not target:
                continue
            if target in seen:
                self.add_error(name, _("Ce champ est déjà alimenté par une autre colonne."))
            seen[target] = name
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("col_"): target for name, target in self.cleaned_data.items() if target}


class ImportConfirmForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    skip_invalid = forms.BooleanField(
        label=_("Importer sans les lignes invalides (elles sont ignorées)"), required=False
    )


# --- Bulk actions on the prospect list -----------------------------------------------------------------


class BulkForm(bulk_actions.BulkForm):
    """A bulk action on the prospect list (`programme.bulk_actions.BulkForm`) and what its actions need: the
    follow-up person, the stage (and the reason to discard), the theme, the event."""

    nouns = PROSPECT_NOUNS

    owner = TeamUserChoiceField(label=_("Suivi par"), queryset=User.objects.none(), required=False)
    to_stage = forms.ChoiceField(
        label=_("Nouvelle étape"), choices=[("", _("— Choisir l’étape —")), *Stage.choices], required=False
    )
    reason = forms.CharField(label=_("Motif (pour écarter)"), max_length=255, required=False)
    theme = forms.ModelChoiceField(label=_("Thématique"), queryset=Theme.objects.all(), required=False)
    event = forms.ModelChoiceField(label=_("Événement"), queryset=Event.objects.none(), required=False)

    NEEDS = {
        "assign": ("owner",),
        "move": ("to_stage", "reason"),
        "theme": ("theme",),
        "invite": ("event",),
    }
    REQUIRED = {
        "owner": _("Choisissez la personne qui suivra ces prospects."),
        "to_stage": _("Choisissez l’étape de destination."),
        "theme": _("Choisissez la thématique à ajouter."),
        "event": _("Choisissez l’événement auquel inviter leurs contacts."),
    }

    def __init__(self, *args: Any, actions: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, actions=actions, **kwargs)
        model_choices(self, "owner").queryset = team_users()
        model_choices(self, "event").queryset = Event.objects.filter(to_come())


def prospect_label(prospect: Prospect) -> str:
    """A prospect as its menu offers it: its structure (and town), then its stage."""
    return f"{organisation_label(prospect.organisation)} · {prospect.get_stage_display()}"


def prospect_menu(*, programme_id: int, event_id: int | None = None) -> SearchSelect:
    """A menu among a programme's prospects, searched by structure (prospects:prospect.options); with
    `event_id`, those not yet linked to that event."""
    menu = SearchSelect(
        "prospects:prospect.options",
        label=prospect_label,
        prompt=_("— Cherchez le prospect ci-dessus —"),
        search=_("Rechercher un prospect (structure, commune ou SIREN)"),
    )
    menu.params = {"programme": programme_id, **({"not_event": event_id} if event_id else {})}
    return menu

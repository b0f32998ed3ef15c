"""Forms of events and trainings (all derive from programme.forms: dates 1900–2100, one-time tokens)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form, ModelForm, organisation_menu
from programme.identity import digits_only, validate_siren
from programme.models import Cohort, Organisation, OrganisationKind, Territory, Theme

from ..forms import DateInput, TeamUsersField, default_programme, model_choices, prospect_menu, team_users
from ..models import Prospect
from .models import SURVEY_QUESTIONS, Event, EventKind, EventPartner, Sequence, TrainingModule

TimeInput = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EventForm(ModelForm):
    staff = TeamUsersField(
        label=_("Équipe mobilisée"),
        queryset=team_users(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Event
        fields = [
            "programme",
            "name",
            "kind",
            "module",
            "cohort",
            "date",
            "start_time",
            "end_date",
            "end_time",
            "place",
            "online_url",
            "territory",
            "themes",
            "capacity",
            "is_public",
            "description",
            "staff",
            "notes",
        ]
        widgets = {
            "date": DateInput,
            "end_date": DateInput,
            "start_time": TimeInput,
            "end_time": TimeInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "themes": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "staff").queryset = team_users()
        model_choices(self, "themes").queryset = Theme.objects.filter(is_active=True)
        model_choices(self, "territory").queryset = Territory.objects.filter(is_active=True)
        model_choices(self, "cohort").queryset = Cohort.objects.filter(is_active=True)
        model_choices(self, "module").queryset = TrainingModule.objects.filter(is_active=True)
        if not self.is_bound and not self.instance.pk:
            self.fields["programme"].initial = default_programme()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin ne peut pas précéder la date de début."))
        start_time, end_time = cleaned.get("start_time"), cleaned.get("end_time")
        if start_time and end_time and (not end or end == start) and end_time <= start_time:
            self.add_error("end_time", _("L’heure de fin doit suivre l’heure de début."))
        if cleaned.get("kind") == EventKind.TRAINING and not cleaned.get("module"):
            self.add_error("module", _("Une session de formation se rattache à un module du catalogue."))
        if cleaned.get("kind") == EventKind.COHORT and not cleaned.get("cohort"):
            self.add_error("cohort", _("Une rencontre de promotion se rattache à une promotion."))
        return cleaned


class SequenceForm(ModelForm):
    class Meta:
        model = Sequence
        fields = ["kind", "title", "day", "start_time", "end_time", "room", "speakers"]
        widgets = {"day": DateInput, "start_time": TimeInput, "end_time": TimeInput}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.fields["day"].initial = event.date

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La séquence doit finir après son début."))
        return cleaned


class EventPartnerForm(ModelForm):
    class Meta:
        model = EventPartner
        fields = ["organisation", "role"]
        widgets = {"organisation": organisation_menu()}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "organisation").queryset = Organisation.objects.exclude(
            pk__in=EventPartner.objects.filter(event=event).values("organisation_id")
        ).order_by("name")


class TrainingModuleForm(ModelForm):
    class Meta:
        model = TrainingModule
        fields = ["programme", "title", "objectives", "duration_hours", "audience", "is_active"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and not self.instance.pk:
            self.fields["programme"].initial = default_programme()


class InviteForm(Form):
    """Whom to invite: a cohort's collectives' people, a territory's contacts, or contacts picked by name."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    cohort = forms.ModelChoiceField(
        label=_("Les contacts des collectifs d’une promotion"), queryset=Cohort.objects.none(), required=False
    )
    territory = forms.ModelChoiceField(
        label=_("Les contacts des prospects d’un territoire"),
        queryset=Territory.objects.none(),
        required=False,
    )
    people = forms.CharField(
        label=_("Ou des contacts précis (e-mails séparés par des virgules)"), required=False, max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_choices(self, "cohort").queryset = Cohort.objects.filter(is_active=True)
        model_choices(self, "territory").queryset = Territory.objects.filter(is_active=True)

    def clean_people(self) -> list[str]:
        text = self.cleaned_data.get("people", "")
        emails = [part.strip().lower() for part in text.replace(";", ",").replace("\n", ",").split(",")]
        emails = [e for e in emails if e]
        bad = [e for e in emails if "@" not in e]
        if bad:
            raise forms.ValidationError(_("Adresses non reconnues : %(list)s") % {"list": ", ".join(bad[:5])})
        return emails

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("cohort") or cleaned.get("territory") or cleaned.get("people")):
            raise forms.ValidationError(
                _("Choisissez une promotion, un territoire ou des contacts à inviter.")
            )
        return cleaned


class RegisterPersonForm(Form):
    """Register one known contact (from the team's page)."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    email = forms.EmailField(label=_("E-mail du contact"))


class PublicRegistrationForm(Form):
    """The public page's form. `website` is a honeypot: hidden from people, filled by robots."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    structure = forms.CharField(label=_("Structure"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_(
            "J’accepte que l’équipe du programme conserve ces informations pour organiser l’événement et me "
            "recontacter à son sujet."
        ),
        required=True,
        error_messages={"required": _("Votre accord est nécessaire pour vous inscrire.")},
    )
    website = forms.CharField(label=_("Ne pas remplir"), required=False)


SCALE = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(Form):
    comment = forms.CharField(
        label=_("Un commentaire, une suggestion ?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(SURVEY_QUESTIONS):
            self.fields = {
                name: forms.TypedChoiceField(
                    label=label, choices=SCALE, coerce=int, widget=forms.RadioSelect
                ),
                **self.fields,
            }


class EventLinkForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    prospect = forms.ModelChoiceField(label=_("Prospect déjà suivi"), queryset=Prospect.objects.none())

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        # The programme's prospects may be thousands: searched, not listed (the menu first, so that setting
        # the queryset gives it its choices).
        self.fields["prospect"].widget = prospect_menu(programme_id=event.programme_id, event_id=event.pk)
        model_choices(self, "prospect").queryset = (
            Prospect.objects.filter(programme_id=event.programme_id)
            .exclude(events=event)
            .select_related("organisation")
            .order_by("organisation__name")
        )


class EventNewProspectForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    name = forms.CharField(label=_("Nom de la structure"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Forme"), choices=OrganisationKind.choices, initial=OrganisationKind.ASSOCIATION
    )
    town = forms.CharField(label=_("Commune"), max_length=120, required=False)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)

    def clean_siren(self):
        siren = digits_only(self.cleaned_data.get("siren", ""))
        if siren:
            validate_siren(siren)
        return siren


class WriteUpForm(ModelForm):
    class Meta:
        model = Event
        fields = ["write_up", "synthesis"]
        widgets = {
            "write_up": forms.Textarea(attrs={"rows": 10}),
            "synthesis": forms.Textarea(attrs={"rows": 4}),
        }


class AttachmentForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    file = forms.FileField(label=_("Pièce jointe (support, photo, synthèse…)"))

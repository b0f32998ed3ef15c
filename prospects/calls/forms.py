"""Forms of the calls for applications: the team's call and its question editor; the public application
(the structure, the contact with consent, the project, the collective's members, the call's questions)."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from programme.files import DOCUMENT_TYPES, Sniffed, check_upload
from programme.formatting import fr_number
from programme.forms import Form, FrenchDecimalField, ModelForm
from programme.identity import digits_only, validate_siren
from programme.models import Cohort, OrganisationKind, Programme

from ..forms import default_programme, model_choices
from . import abuse
from .models import Answer, Application, ApplicationChannel, Call, Question, QuestionKind
from .services import MAX_MEMBERS, ApplicationData, QuestionRow

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
#: A file sent with an application: at most this many megabytes (under the app's general upload cap).
CALL_FILE_MAX_MB = 10
SHORT_MAX = 300
LONG_MAX = 5000

# --- The team's call -------------------------------------------------------------------------------------


class CallForm(ModelForm):
    class Meta:
        model = Call
        fields = [
            "title",
            "programme",
            "cohort",
            "opens_at",
            "closes_at",
            "text",
            "eligibility",
            "stage",
            "is_published",
        ]
        widgets = {
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "text": forms.Textarea(attrs={"rows": 8}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choices(self, "programme").queryset = Programme.objects.filter(is_active=True)
        model_choices(self, "cohort").queryset = Cohort.objects.select_related("programme")
        self.offer_active_only("cohort")
        if not self.is_bound and self.instance._state.adding:
            self.fields["programme"].initial = default_programme()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La date limite doit suivre l’ouverture."))
        cohort, programme = cleaned.get("cohort"), cleaned.get("programme")
        if cohort is not None and programme is not None and cohort.programme_id != programme.pk:
            self.add_error("cohort", _("Cette promotion appartient à un autre programme."))
        return cleaned


class QuestionForm(Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    position = forms.IntegerField(
        label=_("Ordre"),
        required=False,
        min_value=1,
        max_value=999,
        help_text=_("Changez les numéros pour réordonner les questions."),
    )
    label = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Type de réponse"), choices=QuestionKind.choices)
    help_text = forms.CharField(label=_("Aide"), max_length=300, required=False)
    options = forms.CharField(
        label=_("Choix proposés (un par ligne)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required = forms.BooleanField(label=_("Obligatoire"), required=False)


class BaseQuestionFormSet(forms.BaseFormSet):
    def rows(self) -> list[QuestionRow]:
        """The editor's rows by their « Ordre » (then as listed), the empty extra rows left out."""
        ranked = []
        for index, form in enumerate(self.forms):
            data = form.cleaned_data
            if not data or (not data.get("label") and not data.get("id")):
                continue
            position = data.get("position") or 1000 + index
            ranked.append((position, index, data))
        rows = []
        for _position, _index, data in sorted(ranked, key=lambda r: (r[0], r[1])):
            rows.append(
                QuestionRow(
                    id=data.get("id"),
                    label=data.get("label", ""),
                    kind=data.get("kind", QuestionKind.SHORT),
                    help_text=data.get("help_text", ""),
                    options=data.get("options", ""),
                    required=bool(data.get("required")),
                    delete=bool(data.get("DELETE")),
                )
            )
        return rows


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    formset_factory(QuestionForm, formset=BaseQuestionFormSet, extra=2, can_delete=True, max_num=40),
)


def question_initial(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "id": q.pk,
            "position": index,
            "label": q.label,
            "kind": q.kind,
            "help_text": q.help_text,
            "options": q.options,
            "required": q.required,
        }
        for index, q in enumerate(call.questions.all(), start=1)
    ]


# --- The public application ------------------------------------------------------------------------------

#: Said next to a field left empty when the applicant sends (a draft may be saved incomplete).
NEEDED = _("Ce champ est obligatoire pour envoyer la candidature.")


class ApplicationForm(Form):
    """The application: saved as a draft with the address and the consent alone, sent complete. The call's
    questions are fields `q<id>`; a file is checked from its content (`programme.files.check_upload`)."""

    organisation_name = forms.CharField(label=_("Nom de la structure"), max_length=200, required=False)
    siren = forms.CharField(
        label=_("SIREN"),
        max_length=20,
        required=False,
        help_text=_("9 chiffres, si la structure en a un."),
        # The register's lookup (static/js/register_lookup.js, the call page's form) watches it with the name.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Forme de la structure"),
        choices=[("", "—")] + list(OrganisationKind.choices),
        required=False,
    )
    postcode = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    town = forms.CharField(label=_("Commune"), max_length=120, required=False)
    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Le lien pour reprendre votre candidature y est envoyé."),
    )
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)
    job_title = forms.CharField(label=_("Fonction dans la structure"), max_length=150, required=False)
    project_idea = forms.CharField(
        label=_("Idée de projet"),
        max_length=LONG_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("En quelques lignes : le besoin, l’idée, ce que le collectif veut expérimenter."),
    )
    consent = forms.BooleanField(
        label=_(
            "J’accepte que l’équipe du programme conserve ces informations pour étudier la candidature "
            "et me recontacter."
        ),
        required=True,
        error_messages={"required": _("Votre accord est nécessaire pour enregistrer la candidature.")},
    )
    website = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    #: The people's fields, in the page's sections.
    STRUCTURE = ("organisation_name", "siren", "organisation_kind", "postcode", "town")
    CONTACT = ("first_name", "last_name", "email", "phone", "job_title")
    REQUIRED = ("organisation_name", "organisation_kind", "first_name", "last_name", "project_idea")

    def __init__(
        self,
        *args: Any,
        call: Call,
        application: Application | None = None,
        submitting: bool = False,
        **kwargs: Any,
    ) -> None:
        self.creates = application is None
        self.call = call
        self.application = application
        self.submitting = submitting
        self.questions = list(call.questions.all())
        answers: dict[int, Answer] = (
            {a.question_id: a for a in application.answers.all()} if application is not None else {}
        )
        self.answers = answers
        if application is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                name: getattr(application, name) for name in (*self.STRUCTURE, *self.CONTACT, "project_idea")
            }
            initial["consent"] = application.consent_at is not None
            for question in self.questions:
                answer = answers.get(question.pk)
                if answer is not None and question.kind != QuestionKind.FILE:
                    initial[self.question_field(question)] = answer.value
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for question in self.questions:
            field = self._field_for(question)
            field.call_required = question.required  # type: ignore[attr-defined]  # the page marks it
            self.fields[self.question_field(question)] = field
        self.fields[abuse.HONEYPOT].widget.attrs["class"] = "honeypot-input"

    @staticmethod
    def question_field(question: Question) -> str:
        return f"q{question.pk}"

    def _field_for(self, question: Question) -> forms.Field:
        options: dict[str, Any] = {
            "label": question.label,
            "help_text": question.help_text,
            "required": False,
        }
        if question.kind == QuestionKind.LONG:
            return forms.CharField(max_length=LONG_MAX, widget=forms.Textarea(attrs={"rows": 5}), **options)
        if question.kind == QuestionKind.CHOICE:
            choices = [("", "—")] + [(o, o) for o in question.option_list]
            return forms.ChoiceField(choices=choices, **options)
        if question.kind == QuestionKind.NUMBER:
            return FrenchDecimalField(max_digits=14, decimal_places=2, **options)
        if question.kind == QuestionKind.FILE:
            current = self.answers.get(question.pk)
            if current is not None and current.file:
                options["help_text"] = " ".join(
                    filter(
                        None, [str(question.help_text), str(_("Fichier déposé : %s.") % current.file_name)]
                    )
                )
            return forms.FileField(**options)
        return forms.CharField(max_length=SHORT_MAX, **options)

    def structure_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.STRUCTURE]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONTACT]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[self.question_field(q)] for q in self.questions]

    def clean_siren(self) -> str:
        siren = digits_only(self.cleaned_data.get("siren", ""))
        if siren:
            validate_siren(siren)
        return siren

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        for question in self.questions:
            name = self.question_field(question)
            value = cleaned.get(name)
            if question.kind == QuestionKind.FILE and value:
                try:
                    cleaned[name] = (value, self._checked(value))
                except ValidationError as error:
                    self.add_error(name, error)
        if self.submitting:
            for name in self.REQUIRED:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, NEEDED)
            for question in self.questions:
                name = self.question_field(question)
                if not question.required or name in self.errors or cleaned.get(name) not in (None, ""):
                    continue
                current = self.answers.get(question.pk)
                if question.kind == QuestionKind.FILE and current is not None and current.file:
                    continue
                self.add_error(name, NEEDED)
        return cleaned

    @staticmethod
    def _checked(upload: UploadedFile) -> Sniffed:
        if (upload.size or 0) > CALL_FILE_MAX_MB * 1024 * 1024:
            raise ValidationError(
                _("Le fichier dépasse la taille autorisée (%(max)s Mo).") % {"max": CALL_FILE_MAX_MB},
                code="too_large",
            )
        sniffed, _sha = check_upload(upload, accept=DOCUMENT_TYPES)
        return sniffed

    def data_for_service(self, members: list[dict[str, str]]) -> ApplicationData:
        cleaned = self.cleaned_data
        answers: dict[int, str] = {}
        files = {}
        for question in self.questions:
            value = cleaned.get(self.question_field(question))
            if question.kind == QuestionKind.FILE:
                if value:
                    files[question.pk] = value
                continue
            if isinstance(value, Decimal):
                answers[question.pk] = fr_number(value)
            else:
                answers[question.pk] = str(value or "")
        return ApplicationData(
            email=cleaned["email"],
            consent=bool(cleaned.get("consent")),
            members=members,
            answers=answers,
            files=files,
            **{
                name: cleaned.get(name) or ""
                for name in (*self.STRUCTURE, *self.CONTACT, "project_idea")
                if name != "email"
            },
        )


class TeamApplicationForm(ApplicationForm):
    """An application received by post or e-mail, typed in by the team: the applicant's fields, how it
    arrived, whether to acknowledge it by e-mail; the consent is the team's statement that the applicant
    gave it. Sent at once (every field marked with an asterisk is needed), no honeypot."""

    channel = forms.ChoiceField(
        label=_("Reçue"),
        choices=[(ApplicationChannel.POST, _("Par courrier")), (ApplicationChannel.EMAIL, _("Par e-mail"))],
    )
    confirm = forms.BooleanField(
        label=_("Envoyer au candidat l’accusé de réception par e-mail"), required=False, initial=True
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, call=call, application=None, submitting=True, **kwargs)
        del self.fields[abuse.HONEYPOT]
        self.fields["consent"].label = _(
            "Le candidat a donné son accord pour que l’équipe conserve ces informations (dans son dossier ou "
            "son e-mail)."
        )
        self.fields["consent"].error_messages["required"] = _(
            "Sans l’accord du candidat, la candidature ne peut pas être enregistrée."
        )


class MemberForm(Form):
    name = forms.CharField(label=_("Nom et prénom"), max_length=150, required=False)
    organisation = forms.CharField(label=_("Structure"), max_length=200, required=False)
    role = forms.CharField(label=_("Rôle dans le projet"), max_length=150, required=False)


class BaseMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[dict[str, str]]:
        """The filled rows ({"name", "organisation", "role"}), the empty ones left out."""
        rows = []
        for form in self.forms:
            data = {k: (form.cleaned_data.get(k) or "").strip() for k in ("name", "organisation", "role")}
            if any(data.values()):
                rows.append(data)
        return rows


MemberFormSet = cast(
    type[BaseMemberFormSet],
    formset_factory(
        MemberForm,
        formset=BaseMemberFormSet,
        extra=2,
        max_num=MAX_MEMBERS,
        absolute_max=MAX_MEMBERS,
        validate_max=True,
    ),
)


def member_formset(data: Any, application: Application | None) -> BaseMemberFormSet:
    """The members' rows: the saved ones shown first. Posted rows are read as typed, never compared with
    the saved ones (a row sent unchanged would otherwise count as empty and be dropped)."""
    if data is not None:
        return MemberFormSet(data, prefix="members")
    initial = list(application.members) if application is not None else []
    return MemberFormSet(initial=initial, prefix="members")

"""Forms of e-mail from the record: a template (French and English texts, an attachment), the choice of a
template and a language before writing, the message itself, and the two steps of a bulk send."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programme.forms import Form, ModelForm
from programme.models import Person

from . import placeholders
from .models import EmailTemplate, Language

PLACEHOLDER_HELP = _("Champs remplis pour chaque destinataire à l’envoi : %(known)s.")


def _placeholder_help() -> str:
    return str(PLACEHOLDER_HELP) % {"known": placeholders.known_list()}


class TemplateForm(ModelForm):
    attachment_file = forms.FileField(
        label=_("Pièce jointe (PDF, ODT ou DOCX)"),
        required=False,
        help_text=_("Jointe au message quand on l’envoie avec ce modèle (cochée par défaut)."),
    )
    remove_attachment = forms.BooleanField(label=_("Retirer la pièce jointe actuelle"), required=False)

    class Meta:
        model = EmailTemplate
        fields = ["name", "purpose", "subject_fr", "body_fr", "subject_en", "body_en"]
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 10}),
            "body_en": forms.Textarea(attrs={"rows": 10}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body_fr"].help_text = _placeholder_help()
        self.fields["body_en"].help_text = _("Facultatif : sans version anglaise, le français est proposé.")
        if not self.instance.attachment:
            del self.fields["remove_attachment"]

    def _checked(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        placeholders.check(value)
        return value

    def clean_subject_fr(self) -> str:
        return self._checked("subject_fr")

    def clean_body_fr(self) -> str:
        return self._checked("body_fr")

    def clean_subject_en(self) -> str:
        return self._checked("subject_en")

    def clean_body_en(self) -> str:
        return self._checked("body_en")


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        if not obj.email:
            return str(_("%(name)s (pas d’adresse e-mail)") % {"name": obj})
        return f"{obj} <{obj.email}>"


class StartForm(Form):
    """Before writing (a GET form): to whom, from which template, in which language."""

    contact = ContactChoiceField(label=_("Destinataire"), queryset=Person.objects.none(), required=False)
    template = forms.ModelChoiceField(
        label=_("Modèle"),
        queryset=EmailTemplate.objects.none(),
        required=False,
        empty_label=_("Message libre (sans modèle)"),
    )
    lang = forms.ChoiceField(
        label=_("Langue"), choices=Language.choices, widget=forms.RadioSelect, required=False
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person] | None, templates: QuerySet[EmailTemplate], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        if people is None:
            del self.fields["contact"]
        else:
            self.fields["contact"].queryset = people  # type: ignore[attr-defined]
            self.fields["contact"].empty_label = None  # type: ignore[attr-defined]


class DraftFields(Form):
    """The message as edited (placeholders allowed), in the language chosen, from a template or not."""

    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(), required=False, widget=forms.HiddenInput
    )
    language = forms.ChoiceField(choices=Language.choices, initial=Language.FR, widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Objet"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 14}), required=False)
    attach = forms.BooleanField(label=_("Joindre la pièce jointe du modèle"), required=False)

    def __init__(self, *args: Any, templates: QuerySet[EmailTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]
        self.fields["body"].help_text = _placeholder_help()

    def clean_subject(self) -> str:
        value = (self.cleaned_data.get("subject") or "").strip()
        if not value:
            raise forms.ValidationError(_("Écrivez l’objet du message."))
        placeholders.check(value)
        return value

    def clean_body(self) -> str:
        value = self.cleaned_data.get("body") or ""
        if not value.strip():
            raise forms.ValidationError(_("Écrivez le texte du message."))
        placeholders.check(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        template = cleaned.get("template")
        if cleaned.get("attach") and (template is None or not template.attachment):
            cleaned["attach"] = False
        return cleaned


class ComposeForm(DraftFields):
    """One message to one contact: sent once (a create form: its submission token is claimed)."""

    creates = True
    contact = ContactChoiceField(queryset=Person.objects.none(), widget=forms.HiddenInput)
    field_order = ["contact", "template", "language", "subject", "body", "attach"]

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = people  # type: ignore[attr-defined]


class BulkDraftForm(DraftFields):
    """A bulk send, first step: the message, then the preview."""

    filters = forms.CharField(required=False, widget=forms.HiddenInput)


class BulkConfirmForm(BulkDraftForm):
    """A bulk send, last step: the message as previewed, confirmed (sent once)."""

    creates = True
    confirm_large = forms.BooleanField(
        label=_("Je confirme l’envoi à plus de 1 000 destinataires"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("subject", "body", "attach"):  # as previewed: sent as they are, or changed a step back
            self.fields[name].widget = forms.HiddenInput()

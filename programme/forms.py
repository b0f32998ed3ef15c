from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .identity import digits_only, normalise_name, normalise_town
from .models import Invitation, Organisation, Person, Role


class OrganisationForm(forms.ModelForm):
    confirm_duplicate = forms.BooleanField(
        label=_("Enregistrer quand même : il s'agit bien d'une autre structure"), required=False
    )
    # Typed with spaces or dots as people copy them ("732 829 320"); stored as digits only.
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=25, required=False)

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "siren",
            "siret",
            "rna",
            "esus",
            "address",
            "postcode",
            "town",
            "territory",
            "themes",
            "website",
            "description",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.similar: list[Organisation] = []

    def clean_siren(self) -> str:
        return digits_only(self.cleaned_data.get("siren", ""))

    def clean_siret(self) -> str:
        return digits_only(self.cleaned_data.get("siret", ""))

    def clean_rna(self) -> str:
        return (self.cleaned_data.get("rna") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        siren = cleaned.get("siren") or (cleaned.get("siret") or "")[:9]
        siret = cleaned.get("siret")
        if siret and cleaned.get("siren") and siret[:9] != cleaned["siren"]:
            self.add_error("siret", _("Le SIRET doit commencer par le SIREN de la structure."))
        others = Organisation.objects.exclude(pk=self.instance.pk)
        if siren and "siren" not in self.errors:
            existing = others.filter(siren=siren).first()
            if existing:
                self.add_error(
                    "siren",
                    format_html(
                        str(_('Une structure porte déjà ce SIREN : <a href="{}">{}</a>.')),
                        existing.get_absolute_url(),
                        existing.name,
                    ),
                )
        if cleaned.get("kind") == "association" and not cleaned.get("rna") and not siren:
            pass  # small associations may have neither yet; the RNA is checked when given
        name, town = cleaned.get("name"), cleaned.get("town")
        if name and not self.errors:
            self.similar = list(
                others.filter(
                    normalised_name=normalise_name(name), normalised_town=normalise_town(town or "")
                )[:5]
            )
            if self.similar and not cleaned.get("confirm_duplicate"):
                self.add_error(
                    None,
                    _(
                        "Une structure du même nom existe déjà dans cette commune. Vérifiez qu'il ne "
                        "s'agit pas de la même, ou cochez « Enregistrer quand même »."
                    ),
                )
        return cleaned


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "job_title",
            "organisation",
            "consent_date",
            "consent_basis",
            "consent_source",
        ]
        widgets = {"consent_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        if cleaned.get("email") and not cleaned.get("consent_basis"):
            self.add_error(
                "consent_basis",
                _("Indiquez la base légale qui permet de conserver les coordonnées de ce contact."),
            )
        return cleaned


class PartnerOrganisationForm(forms.ModelForm):
    """What a partner may edit of their own structure: public details only."""

    class Meta:
        model = Organisation
        fields = ["address", "postcode", "town", "website", "description"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    organisation = forms.ModelChoiceField(
        label=_("Structure (pour un partenaire)"),
        queryset=Organisation.objects.all(),
        required=False,
    )
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(anonymised_at__isnull=True), required=False, widget=forms.HiddenInput
    )

    def clean_email(self) -> str:
        from .models import User

        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise forms.ValidationError(_("Un compte actif existe déjà pour cette adresse."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        if cleaned.get("role") == Role.PARTNER and not cleaned.get("organisation"):
            self.add_error("organisation", _("Un partenaire doit être rattaché à une structure."))
        return cleaned


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Mot de passe"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Confirmation"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self) -> dict[str, Any]:
        super().clean()  # returns self.cleaned_data, typed `| None` in the stubs
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif p1:
            from .models import User

            probe = User(email=self.invitation.email, first_name=self.invitation.first_name)
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class PreferencesForm(forms.Form):
    digest_enabled = forms.BooleanField(
        label=_("Recevoir chaque matin le récapitulatif de mes échéances"), required=False
    )


class LoginForm(AllauthLoginForm):
    """allauth's login form with Parcours' wording (and no duplicate "forgotten password" link)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Adresse e-mail")
        self.fields["password"].help_text = ""


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: field errors next to their field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)

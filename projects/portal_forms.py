"""Forms of the partner portal (projects side). Each form lists only what a partner may change: extra
posted fields (project, organisation, status, owner…) are simply not fields, so they change nothing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.files import ACCEPTED_LABEL, check_upload
from programme.forms import PartnerOrganisationForm
from programme.models import Person

from .portal_services import ACTION_COMMENT_MAX


class DeliverableUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("Formats acceptés : %(f)s.") % {"f": ACCEPTED_LABEL},
        error_messages={"required": _("Choisissez le fichier à déposer.")},
    )
    comment = forms.CharField(
        label=_("Commentaire pour l'équipe"),
        max_length=255,
        required=False,
        help_text=_("Ce qui a changé depuis la version précédente, par exemple."),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


class ActionDoneForm(forms.Form):
    comment = forms.CharField(
        label=_("Commentaire"),
        max_length=ACTION_COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Facultatif : ce qui a été fait, où trouver le résultat."),
    )


class PortalOrganisationForm(PartnerOrganisationForm):
    """The structure's public details, as a partner may edit them."""

    class Meta(PartnerOrganisationForm.Meta):
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": _("Présentation publique de votre structure, en quelques lignes.")}


class PortalContactForm(forms.ModelForm):
    """A contact of the partner's own structure. The structure and the consent basis are set by the
    service, never taken from the request."""

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "job_title"]

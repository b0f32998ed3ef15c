"""Forms of the partner portal. Each form lists only what a partner may change: extra posted fields
(project, organisation, status, owner, validation, lock…) are simply not fields, so they change nothing."""

from datetime import date

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.files import ACCEPTED_LABEL, check_upload
from programme.forms import Form, ModelForm, PartnerOrganisationForm
from programme.models import Person
from projects.services import ACTION_COMMENT_MAX

from ..forms import MaturityForm, MeasurementForm
from ..models import Indicator
from .selectors import Period

# --- Deliverables and actions ----------------------------------------------------------------------------


class DeliverableUploadForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("Formats acceptés : %(f)s.") % {"f": ACCEPTED_LABEL},
        error_messages={"required": _("Choisissez le fichier à déposer.")},
    )
    comment = forms.CharField(
        label=_("Commentaire pour l’équipe"),
        max_length=255,
        required=False,
        help_text=_("Ce qui a changé depuis la version précédente, par exemple."),
    )

    def clean_file(self) -> UploadedFile:
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


class ActionDoneForm(Form):
    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    comment = forms.CharField(
        label=_("Commentaire"),
        max_length=ACTION_COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Facultatif : ce qui a été fait, où trouver le résultat."),
    )


# --- The partner's structure -----------------------------------------------------------------------------


class PortalOrganisationForm(PartnerOrganisationForm):
    """The structure's public details, as a partner may edit them."""

    class Meta(PartnerOrganisationForm.Meta):
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": _("Présentation publique de votre structure, en quelques lignes.")}


class PortalContactForm(ModelForm):
    """A contact of the partner's own structure. The structure and the consent basis are set by the
    service, never taken from the request."""

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "job_title"]


# --- Indicators and maturity -----------------------------------------------------------------------------


class PortalMeasurementForm(MeasurementForm):
    """A value for one period. On a new value the partner picks the period among those still open — the
    most recent finished one proposed, a running one marked "en cours" (the service asks to confirm it);
    when correcting an existing value the period is fixed (no period field)."""

    def __init__(
        self,
        *args,
        indicator: Indicator,
        periods: list[Period] | None = None,
        today: date | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, indicator=indicator, **kwargs)
        for name in ("period_start", "period_end", "draft"):
            self.fields.pop(name, None)
        self.periods = {p.key: p for p in periods or []}
        if periods is not None:
            today = today or timezone.localdate()
            finished = [p for p in periods if p.end < today]
            self.fields["period"] = forms.ChoiceField(
                label=_("Période"),
                choices=[("", _("— choisissez la période —"))]
                + [
                    (p.key, p.label if p.end < today else _("%(period)s — en cours") % {"period": p.label})
                    for p in periods
                ],
                initial=max(finished, key=lambda p: p.end).key if finished else None,
                help_text=_(
                    "Une période en cours donne une valeur partielle : préférez une période terminée."
                ),
                error_messages={
                    "required": _("Choisissez la période concernée."),
                    "invalid_choice": _("Cette période n’est pas ouverte à la saisie."),
                },
            )
            self.order_fields(["period"])
        self.fields["evidence"].label = _("Justificatif")
        self.fields["evidence"].help_text = _("PDF, image, tableur ou texte — facultatif mais recommandé.")

    def clean_evidence(self) -> UploadedFile | None:
        evidence = self.cleaned_data.get("evidence")
        if evidence:
            check_upload(evidence)
        return evidence

    def period(self) -> Period | None:
        key = self.cleaned_data.get("period")
        return self.periods.get(key) if key else None


class PortalMaturityForm(MaturityForm):
    """The collective's self-assessment: phase and moment are those the team opened, the date is today."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("phase", "moment", "assessed_on"):
            self.fields.pop(name, None)
        for field in self.score_fields():
            field.field.error_messages["required"] = _("Choisissez un niveau pour cette dimension.")
        self.fields["participants"].help_text = _("Qui a participé à l’auto-évaluation (noms ou structures).")

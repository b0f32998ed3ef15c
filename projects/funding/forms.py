"""Forms of the money pages. Every amount is a `FrenchDecimalField` ("12 500,50"), never negative; the
rules that need the database (moves, schedule, payments) are the services', shown next to the fields."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programme.forms import Form, FrenchDecimalField, ModelForm
from programme.models import Organisation, Person

from ..forms import DATE
from ..models import Phase, Project
from .models import (
    NATURES_BY_SIDE,
    BudgetLine,
    BudgetVersion,
    Convention,
    FunderProgramme,
    FundingRequest,
    Instalment,
    Justification,
    LineSide,
    Payment,
    RequestStatus,
)
from .services import allowed_moves


def _not_zero(value: Decimal) -> None:
    if value == 0:
        raise ValidationError(_("Un montant est supérieur à zéro."), code="zero")


def amount_field(label: Any, *, required: bool = True, positive: bool = False) -> FrenchDecimalField:
    """Euros to the cent: a negative amount is refused, and zero too when `positive`."""
    field = FrenchDecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        validators=[_not_zero] if positive else [],
    )
    field.error_messages["min_value"] = _("Un montant ne peut pas être négatif.")
    field.error_messages["max_decimal_places"] = _("Un montant a au plus deux décimales (les centimes).")
    field.error_messages["max_digits"] = _("Ce montant est trop grand.")
    field.error_messages["max_whole_digits"] = _("Ce montant est trop grand.")
    return field


def funders() -> Any:
    return Organisation.objects.exclude(funder_kind="").order_by("name")


class FunderProgrammeForm(ModelForm):
    class Meta:
        model = FunderProgramme
        fields = ["funder", "name", "opens_on", "closes_on", "url", "notes"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = funders()  # type: ignore[attr-defined]
        self.fields["funder"].help_text = _("Les structures marquées comme financeur (type de financeur).")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("La date limite précède l’ouverture."))
        return cleaned


class FundingRequestForm(ModelForm):
    amount_requested = amount_field(_("Montant demandé (€)"), positive=True)
    period_fields = ("period_start", "period_end")

    class Meta:
        model = FundingRequest
        fields = [
            "funder",
            "funder_programme",
            "contact",
            "title",
            "phase",
            "amount_requested",
            "period_start",
            "period_end",
        ]
        widgets = {"period_start": DATE, "period_end": DATE}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["funder"].queryset = funders()  # type: ignore[attr-defined]
        self.fields["funder_programme"].queryset = FunderProgramme.objects.select_related("funder")  # type: ignore[attr-defined]
        self.fields["contact"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            organisation__funder_kind__gt=""
        ).select_related("organisation")
        self.fields["phase"].choices = [("", _("Tout le projet")), *Phase.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        funder, programme = cleaned.get("funder"), cleaned.get("funder_programme")
        if funder and programme and programme.funder_id != funder.pk:
            self.add_error("funder_programme", _("Ce programme est celui d’un autre financeur."))
        contact = cleaned.get("contact")
        if funder and contact and contact.organisation_id != funder.pk:
            self.add_error("contact", _("Ce contact n’appartient pas au financeur."))
        return cleaned

    def validate_unique(self) -> None:
        # The project is not a form field: check (project, funder, title) here so a duplicate is a form error.
        super().validate_unique()
        funder, title = self.cleaned_data.get("funder"), self.cleaned_data.get("title")
        if funder and title:
            clash = FundingRequest.objects.filter(project=self.instance.project, funder=funder, title=title)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "title", _("Une demande de cet objet existe déjà auprès de ce financeur pour ce projet.")
                )


class RequestMoveForm(Form):
    status = forms.ChoiceField(label=_("Nouvel état"))
    on = forms.DateField(label=_("Date (dépôt ou décision)"), widget=DATE)
    amount = amount_field(_("Montant accordé (€)"), required=False)
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un refus ou un accord partiel."),
    )

    def __init__(self, *args: Any, request: FundingRequest, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)
        labels = dict(RequestStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in allowed_moves(request.status)]  # type: ignore[attr-defined]


class ConventionForm(ModelForm):
    amount_granted = amount_field(_("Montant conventionné (€)"), positive=True)
    period_fields = ("period_start", "period_end")

    class Meta:
        model = Convention
        fields = ["reference", "signed_on", "period_start", "period_end", "amount_granted", "conditions"]
        widgets = {
            "signed_on": DATE,
            "period_start": DATE,
            "period_end": DATE,
            "conditions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.project = project

    def validate_unique(self) -> None:
        super().validate_unique()
        reference = self.cleaned_data.get("reference")
        if reference:
            clash = Convention.objects.filter(project=self.instance.project, reference=reference)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "reference", _("Une convention de cette référence existe déjà pour ce projet.")
                )


class InstalmentForm(ModelForm):
    amount = amount_field(_("Montant (€)"), positive=True)

    class Meta:
        model = Instalment
        fields = ["kind", "due_on", "amount", "condition"]
        widgets = {"due_on": DATE}


class PaymentForm(ModelForm):
    """A payment received (recorded by `services.payment_add`) or its correction (`services.payment_save`)."""

    amount = amount_field(_("Montant (€)"), positive=True)

    class Meta:
        model = Payment
        fields = ["received_on", "amount", "reference", "excess_reason"]
        widgets = {"received_on": DATE, "excess_reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"excess_reason": _("Seulement si le versement dépasse ce qui reste dû.")}


class ConfirmForm(Form):
    """The confirmation of a deletion: no field, the POST itself confirms."""


class JustificationForm(ModelForm):
    class Meta:
        model = Justification
        fields = ["kind", "covers_until", "due_on", "status", "sent_on"]
        widgets = {"covers_until": DATE, "due_on": DATE, "sent_on": DATE}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        if cleaned.get("status") not in (None, "due") and not cleaned.get("sent_on"):
            self.add_error("sent_on", _("Indiquez la date de transmission."))
        return cleaned


class BudgetLineForm(ModelForm):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    version = forms.ChoiceField(label=_("Version"), choices=BudgetVersion.choices)
    amount = amount_field(_("Montant (€)"))

    class Meta:
        model = BudgetLine
        fields = ["side", "nature", "label", "amount", "request"]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        requests = FundingRequest.objects.filter(project=project).select_related("funder")
        self.fields["request"].queryset = requests  # type: ignore[attr-defined]
        self.fields["request"].help_text = _(
            "Pour un produit : la demande (et sa convention) qui le finance."
        )
        if self.instance.pk:
            # A line stays in its budget: phase and version are shown, not changed.
            self.fields["phase"].initial = self.instance.budget.phase
            self.fields["version"].initial = self.instance.budget.version
            self.fields["phase"].disabled = True
            self.fields["version"].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's clean() returns cleaned_data
        side, nature = cleaned.get("side"), cleaned.get("nature")
        if side and nature and nature not in NATURES_BY_SIDE.get(side, []):
            self.add_error("nature", _("Cette nature ne correspond pas à ce côté du budget."))
        if cleaned.get("request") and side != LineSide.RESOURCE:
            self.add_error("request", _("Seul un produit se rattache à une demande de financement."))
        return cleaned

    def validate_unique(self) -> None:
        super().validate_unique()
        phase, version = self.cleaned_data.get("phase"), self.cleaned_data.get("version")
        side, label = self.cleaned_data.get("side"), self.cleaned_data.get("label")
        if phase and version and side and label:
            clash = BudgetLine.objects.filter(
                budget__project=self.project,
                budget__phase=phase,
                budget__version=version,
                side=side,
                label=label,
            )
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("label", _("Une ligne de ce libellé existe déjà de ce côté du budget."))

"""The exchange forms of a structure's page, of a project and of an exchange's correction: the prospect
record's `ExchangeForm` (its contact, owner and next-action rules), with what ties the exchange here."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme import access
from programme.models import Organisation, Person, User
from prospects.forms import ExchangeForm, model_choices
from prospects.models import Exchange, Prospect

from ..models import Project
from .timeline import organisation_projects_q

#: The fields of an exchange logged outside a prospect record (no event menu: `programme_id` is None).
FIELDS = [
    "kind",
    "date",
    "contact",
    "event",
    "subject",
    "summary",
    "outcome",
    "next_action",
    "next_action_date",
    "owner",
    "shared",
]


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Project) -> str:
        return obj.title


class ProspectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Prospect) -> str:
        return f"{obj.programme.name} — {obj.get_stage_display()}"


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj} — {obj.organisation.name}" if obj.organisation is not None else str(obj)


class StructureExchangeForm(ExchangeForm):
    """An exchange logged on a structure's page: optionally about one of its projects and its prospect
    record in a programme (whose next action then follows)."""

    project = ProjectChoiceField(
        label=_("Projet concerné"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("Un des projets dont la structure fait partie."),
    )
    prospect = ProspectChoiceField(
        label=_("Fiche prospect"),
        queryset=Prospect.objects.none(),
        required=False,
        help_text=_("Sa prochaine action devient celle de cet échange."),
    )

    class Meta(ExchangeForm.Meta):
        model = Exchange
        fields = FIELDS

    def __init__(self, *args: Any, organisation: Organisation, user: User, **kwargs: Any) -> None:
        super().__init__(*args, organisation_id=organisation.pk, shared=True, **kwargs)
        model_choices(self, "project").queryset = (
            access.scoped(user, Project)
            .filter(organisation_projects_q(organisation.pk))
            .distinct()
            .order_by("title")
        )
        model_choices(self, "prospect").queryset = (
            access.scoped(user, Prospect)
            .filter(organisation_id=organisation.pk)
            .select_related("programme")
            .order_by("programme__name")
        )
        self.order_fields(["kind", "date", "contact", "project", "prospect"])


class ProjectExchangeForm(ExchangeForm):
    """An exchange logged from a project, with one of its collective's structures."""

    organisation = forms.ModelChoiceField(label=_("Structure"), queryset=Organisation.objects.none())
    contact = ContactChoiceField(label=_("Contact"), queryset=Person.objects.none(), required=False)

    class Meta(ExchangeForm.Meta):
        model = Exchange
        fields = ["organisation", *FIELDS]

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, organisation_id=project.lead_organisation_id or 0, shared=True, **kwargs)
        organisations = Organisation.objects.filter(
            pk__in=Project.objects.filter(pk=project.pk).values("memberships__organisation_id")
        ) | Organisation.objects.filter(pk=project.lead_organisation_id or 0)
        choices = list(organisations.distinct().order_by("name"))
        model_choices(self, "organisation").queryset = organisations.distinct().order_by("name")
        model_choices(self, "contact").queryset = (
            Person.objects.filter(organisation__in=organisations.values("pk"), anonymised_at__isnull=True)
            .select_related("organisation")
            .order_by("organisation__name", "last_name", "first_name")
        )
        if len(choices) == 1:  # a collective of one: the structure is chosen
            self.fields["organisation"].initial = choices[0].pk

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organisation, contact = cleaned.get("organisation"), cleaned.get("contact")
        if organisation is not None and contact is not None and contact.organisation_id != organisation.pk:
            self.add_error("contact", _("Ce contact n’appartient pas à cette structure."))
        return cleaned


class ExchangeEditForm(ExchangeForm):
    """The correction of an exchange: what it said, not where it belongs."""

    class Meta(ExchangeForm.Meta):
        model = Exchange
        fields = FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs["instance"]
        super().__init__(*args, organisation_id=instance.organisation_id, shared=True, **kwargs)

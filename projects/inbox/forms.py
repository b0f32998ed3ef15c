"""The inbox's forms: whose items to show, and handing one item to a team member."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form
from programme.models import User

ME, TEAM = "moi", "equipe"


class InboxFilterForm(Form):
    """« Pour moi » (default), « Toute l’équipe », or one member's items."""

    pour = forms.ChoiceField(label=_("Afficher"), required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["pour"]
        assert isinstance(field, forms.ChoiceField)
        self.choices: list[tuple[str, Any]] = [
            (ME, _("Pour moi")),
            (TEAM, _("Toute l’équipe")),
            *((str(pk), name) for pk, name in members),
        ]
        field.choices = self.choices

    def member_id(self, user: User) -> int | None:
        """The member whose items to show (None: the whole team); the user when the choice is invalid."""
        choice = self.cleaned_data.get("pour") if self.is_valid() else ME
        if choice == TEAM:
            return None
        if choice and choice != ME:
            return int(choice)
        return user.pk


class AssignForm(Form):
    """« Réassigner »: an item of a source to a team member (the service checks the member)."""

    source = forms.CharField(max_length=40)
    item = forms.IntegerField(min_value=1)
    assignee = forms.IntegerField(
        label=_("Assigner à"), error_messages={"required": _("Choisissez la personne à qui assigner.")}
    )


class SeenForm(Form):
    source = forms.CharField(max_length=40)
    item = forms.IntegerField(min_value=1)

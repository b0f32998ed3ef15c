from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programme.forms import Form

from .models import BODY_MAX


class CommentForm(Form):
    """A message in a thread; the team may mark it as an internal note (never shown to the collective)."""

    creates = True  # one-time submission token (programme.forms.EdgeChecks)

    body = forms.CharField(
        label=_("Votre message"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mentionnez un membre de l’équipe avec @prenom.nom ou @adresse e-mail pour le prévenir."),
        error_messages={
            "required": _("Écrivez un message avant de l’envoyer."),
            "max_length": _("Le message est trop long (5000 caractères au plus)."),
        },
    )
    internal = forms.BooleanField(label=_("Note interne (invisible du collectif)"), required=False)

    def __init__(self, *args: Any, team: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        if not team:
            del self.fields["internal"]

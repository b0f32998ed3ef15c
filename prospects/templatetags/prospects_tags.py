"""Template helpers of the prospects pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from prospects.models import Stage

register = template.Library()


@register.simple_tag
def move_options(card) -> str:
    """The <optgroup>s of a card's "Déplacer vers" menu: allowed moves first, then the other stages
    (choosing one of those gets the reason it is refused). Built in Python: the board renders hundreds."""
    allowed = [(value, label) for value, label in Stage.choices if value in card.moves]
    others = [
        (value, label) for value, label in Stage.choices if value not in card.moves and value != card.stage
    ]
    return format_html(
        '<optgroup label="{}">{}</optgroup><optgroup label="{}">{}</optgroup>',
        _("Étapes possibles"),
        format_html_join("", '<option value="{}">{}</option>', allowed),
        _("Autres étapes"),
        format_html_join("", '<option value="{}">{}</option>', others),
    )


@register.simple_tag
def stage_badge(stage: str, label) -> str:
    """A stage badge: the stage's colour and, always, its name (never colour alone)."""
    return format_html('<span class="badge badge--stage-{}">{}</span>', stage, label)

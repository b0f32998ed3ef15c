"""Template helpers of the prospects pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from prospects.forms import move_choices, next_stage

register = template.Library()


@register.simple_tag
def move_options(card) -> str:
    """The <option>s of a card's "Déplacer vers" menu: only the allowed moves (prospects.forms.move_choices,
    the service's table), the next stage preselected, or a « choose » first option when there is none.
    Built in Python: the board renders hundreds."""
    preselected = next_stage(card.stage)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, " selected" if value == preselected else "", label)
            for value, label in move_choices(card.stage)
        ),
    )
    if preselected:
        return options
    return format_html('<option value="">{}</option>{}', _("— Choisir l’étape —"), options)


@register.simple_tag
def stage_badge(stage: str, label) -> str:
    """A stage badge: the stage's colour and, always, its name (never colour alone)."""
    return format_html('<span class="badge badge--stage-{}">{}</span>', stage, label)

"""Template helpers of the prospects pages."""

import functools

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programme.formatting import DASH, fr_date
from programme.identity import format_identifier
from prospects.forms import move_choices, next_stage
from prospects.models import Stage

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
def stage_badge(stage: str, label: object = None) -> str:
    """A stage badge: the stage's colour and, always, its name (never colour alone): `label`, or the stage's
    own — built once per stage and language (`get_stage_display` hashes and translates every choice on each
    call: a tenth of a thousand-row committee page)."""
    if label is None:
        return _own_badge(stage, get_language())
    return format_html(_BADGE, stage, label)


_BADGE = '<span class="badge badge--stage-{}">{}</span>'


@functools.cache
def _own_badge(stage: str, language: str | None) -> str:
    return format_html(_BADGE, stage, Stage(stage).label)  # translated in `language`, the active one


@register.simple_tag
def radar_rows(units) -> str:
    """The radar's result rows (prospects/sirene/partials/_radar_table.html), built in Python: the page
    is the register's search over a million structures, and its template loop was a third of its time.
    `units` were marked by `sirene.selectors.mark_known` (`known_organisation`, `known_prospects`)."""
    return format_html_join("", _RADAR_ROW, (_radar_cells(unit) for unit in units))


_RADAR_ROW = (
    '<tr><td><input type="checkbox" name="sirens" value="{}" form="radar-add" aria-label="{}"></td>'
    '<td><strong>{}</strong><br><span class="muted pr-small">{}</span>{}</td>'
    '<td>{}<br><span class="muted pr-small">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'
)


def _radar_cells(unit) -> tuple:
    ess = format_html(' <span class="badge badge--ess">{}</span>', _("ESS")) if unit.ess else ""
    created = (
        format_html(
            '<time datetime="{}">{}</time>', unit.created_on.isoformat(), fr_date(unit.created_on, "short")
        )
        if unit.created_on
        else DASH
    )
    known: str = DASH
    if unit.known_prospects:
        known = format_html_join(
            " ",
            '<a class="badge" href="{}">{}</a>',
            (
                (p.get_absolute_url(), _("Prospect (%(programme)s)") % {"programme": p.programme.name})
                for p in unit.known_prospects
            ),
        )
    elif unit.known_organisation:
        known = format_html(
            '<a class="badge" href="{}">{}</a>',
            unit.known_organisation.get_absolute_url(),
            _("Structure connue"),
        )
    return (
        unit.siren,
        _("Sélectionner %(name)s") % {"name": unit.name},
        unit.name,
        format_identifier(unit.siren),
        ess,
        unit.group_label,
        unit.legal_category,
        unit.naf or DASH,
        unit.band_label or DASH,
        f"{unit.commune_name} ({unit.departement})" if unit.commune else DASH,
        created,
        known,
    )

"""The tab row of a section (Prospects, Projets, Évaluation), drawn by the one tab template
includes/_tabs.html — the project page gives that template its tabs from projects.views.base instead."""

from typing import Any

from django import template
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

#: Each section's row as drawn, by its shape (language, URL prefix and configuration, the tab shown, the
#: tabs): a section page draws the same row on every request — six URLs reversed and a template.
_rows: dict[tuple[Any, ...], SafeString] = {}


@register.simple_tag
def tab_row(label: str, current: str, *items: str) -> SafeString:
    """`{% tab_row _("Prospects") section "list" "prospects:prospect.list" _("Liste") … %}`: after the row's
    name and the key of the page shown, one (key, URL name, label) triple per tab."""
    if len(items) % 3:
        raise template.TemplateSyntaxError("tab_row takes (key, URL name, label) triples.")
    key = (get_language(), get_script_prefix(), get_urlconf(), str(label), current, *map(str, items))
    row = _rows.get(key)
    if row is None:
        triples = zip(items[::3], items[1::3], items[2::3], strict=True)
        tabs = [
            {"url": reverse(name), "label": text, "current": tab == current} for tab, name, text in triples
        ]
        row = _rows[key] = mark_safe(  # noqa: S308 — the template's own output, escaped there
            get_template("includes/_tabs.html").render({"label": label, "tabs": tabs})
        )
    return row

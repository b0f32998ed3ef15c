"""The tab row of a section (Prospects, Projets, Évaluation), drawn by the one tab template
includes/_tabs.html — the project page gives that template its tabs from projects.views.base instead."""

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("includes/_tabs.html")
def tab_row(label: str, current: str, *items: str) -> dict[str, Any]:
    """`{% tab_row _("Prospects") section "list" "prospects:prospect.list" _("Liste") … %}`: after the row's
    name and the key of the page shown, one (key, URL name, label) triple per tab."""
    if len(items) % 3:
        raise template.TemplateSyntaxError("tab_row takes (key, URL name, label) triples.")
    triples = zip(items[::3], items[1::3], items[2::3], strict=True)
    return {
        "label": label,
        "tabs": [
            {"url": reverse(name), "label": text, "current": key == current} for key, name, text in triples
        ],
    }

"""A piece of a page that another view draws (often a higher app's, which this page may not name in code):
loaded by URL once the page is shown, a plain link to that view until then and without scripts."""

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("includes/_lazy_panel.html")
def lazy_panel(url_name: str, *args: Any, label: str, link: str = "", element_id: str = "") -> dict[str, Any]:
    """`{% lazy_panel "projects:panel.deadlines" link="projects:deadline.list" label=_("Voir les échéances") %}`:
    the view `url_name` (with `args`) replaces the placeholder; its link goes to `link` (same `args`), by
    default the view itself."""
    return {
        "src": reverse(url_name, args=args),
        "href": reverse(link or url_name, args=args),
        "label": label,
        "id": element_id,
    }

from collections.abc import Iterable
from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from programme.audit import ReadableEntry, entries_html
from programme.chrome import chrome as render_chrome
from programme.identity import format_identifier
from programme.pages import active_filters_html

register = template.Library()


@register.filter
def identifier(value: str | None) -> str:
    """{{ organisation.siren|identifier }} → "732 829 320"."""
    return format_identifier(value)


@register.filter
def audit_items(entries: Iterable[ReadableEntry]) -> SafeString:
    """{{ audit_entries|audit_items }}: a history section's items (includes/_audit.html)."""
    return mark_safe(entries_html(entries))  # noqa: S308 — every value escaped there


@register.simple_tag
def active_filters_list(active: list[dict[str, Any]] | None, path: str) -> SafeString:
    """{% active_filters_list active_filters request.path %}: the active filters with their remove links
    (programme.pages.active_filters_html)."""
    return active_filters_html(active or [], path)


@register.simple_tag(takes_context=True)
def chrome(context: template.Context) -> SafeString:
    """The signed-in page's top bar and sidebar (programme.chrome: rendered once per shape, then filled)."""
    return render_chrome(context)


_assets: dict[str, str] = {}


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, its URL looked up once per process (the manifest does not change while the
    process runs): the page head names seven files on every page."""
    if path not in _assets:
        _assets[path] = static(path)
    return _assets[path]

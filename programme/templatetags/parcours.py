from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString, mark_safe

from programme.audit import ReadableEntry, entries_html
from programme.identity import format_identifier

register = template.Library()


@register.filter
def identifier(value: str | None) -> str:
    """{{ organisation.siren|identifier }} → "732 829 320"."""
    return format_identifier(value)


@register.filter
def audit_items(entries: Iterable[ReadableEntry]) -> SafeString:
    """{{ audit_entries|audit_items }}: a history section's items (includes/_audit.html)."""
    return mark_safe(entries_html(entries))  # noqa: S308 — every value escaped there

from django import template

from programme.identity import format_identifier

register = template.Library()


@register.filter
def identifier(value: str | None) -> str:
    """{{ organisation.siren|identifier }} → "732 829 320"."""
    return format_identifier(value)

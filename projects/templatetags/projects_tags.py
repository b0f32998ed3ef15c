from typing import Any

from django import template

register = template.Library()


@register.filter
def verbose_name_of(obj: Any) -> str:
    """The model's verbose name ("jalon", "livrable", "action"), capitalised."""
    return str(obj._meta.verbose_name).capitalize()


@register.filter
def dict_get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, [])

"""Template filters for French figures: {{ x|num }}, {{ x|amount }}, {{ x|pct }}, {{ d|frdate }}."""

from django import template

from evaluation import formatting

register = template.Library()


@register.filter
def num(value, places=None):
    return formatting.fr_number(value, None if places in (None, "") else int(places))


@register.filter
def amount(value):
    return formatting.fr_amount(value)


@register.filter
def pct(value):
    return formatting.fr_percent(value)


@register.filter
def signed_pct(value):
    """+45,3 % / -12 % — an evolution, signed."""
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + formatting.fr_percent(value)


@register.filter
def frdate(value):
    return formatting.fr_date(value)


@register.simple_tag
def indicator_value(value, indicator):
    """{% indicator_value measurement.value indicator %} — kind-aware display."""
    kind = indicator.get("type") if isinstance(indicator, dict) else indicator.type
    unit = indicator.get("unit", "") if isinstance(indicator, dict) else indicator.unit
    return formatting.indicator_value(value, kind=kind, unit=unit)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None

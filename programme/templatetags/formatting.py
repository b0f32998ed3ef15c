"""French figures in templates: {{ x|num }}, {{ x|amount }}, {{ x|pct }}, {{ x|signed_pct }}, {{ d|frdate }}, {{ dt|frdatetime }},
{% indicator_value value indicator %} — thin wrappers over programme.formatting."""

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from django import template

from programme import formatting

register = template.Library()


@register.filter
def num(value: formatting.Number | None, places: int | str | None = None) -> str:
    return formatting.fr_number(value, None if places in (None, "") else int(places))


@register.filter
def amount(value: formatting.Number | None) -> str:
    return formatting.fr_amount(value)


@register.filter
def pct(value: formatting.Number | None) -> str:
    return formatting.fr_percent(value)


@register.filter
def signed_pct(value: formatting.Number | None) -> str:
    return formatting.fr_signed_percent(value)


@register.filter
def frdate(value: date | datetime | None, style: str = "") -> str:
    """{{ d|frdate }} → « 1er janv. 2027 » (text); {{ d|frdate:"short" }} → « 01/01/2027 » (dense tables
    only); "month" → « janv. 2027 »; "day" → « 1er janv. »."""
    return formatting.fr_date(value, style)


@register.filter
def frdatetime(value: datetime | None, style: str = "") -> str:
    """{{ dt|frdatetime }} → « 1er janv. 2027 à 14 h 05 »; "long" → « vendredi 1er janvier 2027 à 14 h 05 »."""
    return formatting.fr_datetime(value, style)


@register.filter
def frtime(value: time | None) -> str:
    return formatting.fr_time(value)


@register.simple_tag
def indicator_value(value: formatting.Number | None, indicator: Any) -> str:
    """{% indicator_value measurement.value indicator %} — kind-aware display (a model or a dict)."""
    kind = indicator.get("type", "") if isinstance(indicator, dict) else indicator.type
    unit = indicator.get("unit", "") if isinstance(indicator, dict) else indicator.unit
    one = (
        indicator.get("unit_one", "")
        if isinstance(indicator, dict)
        else getattr(indicator, "unit_singular", "")
    )
    return formatting.indicator_value(value, kind=kind, unit=unit, unit_one=one)


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """{{ table|get_item:key }} — the figure tables are dicts keyed by row."""
    return mapping.get(key) if mapping else None

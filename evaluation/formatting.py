"""French number, amount and date formats, as pure functions (templates, charts, PDFs and exports)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.dateformat import format as date_format

NBSP = "\u00a0"


def fr_number(value, places: int | None = None) -> str:
    """1234.5 → "1 234,5" (non-breaking thin grouping). Whole numbers lose their decimals; None → "—".

    `places` fixes the number of decimals; by default up to 2, trailing zeros dropped."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is None:
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, decimals = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = sign + NBSP.join(groups)
    return f"{result},{decimals}" if decimals else result


def fr_amount(value) -> str:
    """12500 → "12 500 €"."""
    return "—" if value is None else f"{fr_number(value, 0)}{NBSP}€"


def fr_percent(value, places: int = 1) -> str:
    """45.25 → "45,3 %"."""
    if value is None:
        return "—"
    text = fr_number(value, places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text}{NBSP}%"


def fr_date(value: date | None) -> str:
    """22 nov. 2026 (in the active language)."""
    return "—" if value is None else date_format(value, "j N Y")


def indicator_value(value, *, kind: str, unit: str = "") -> str:
    """A value written the way its indicator's type reads: amount, percentage, yes/no or number + unit."""
    from django.utils.translation import gettext

    if value is None:
        return "—"
    if kind == "amount":
        return fr_amount(value)
    if kind == "percentage":
        return fr_percent(value)
    if kind == "boolean":
        return gettext("oui") if Decimal(str(value)) >= 1 else gettext("non")
    text = fr_number(value)
    return f"{text}{NBSP}{unit}" if unit else text

"""French dates, numbers, amounts and percents, as pure functions (templates, charts, PDFs and exports).

Built on Django's own `numberformat.format` and `date_format` with the `fr` formats (decimal comma, a
no-break space between thousands), whatever the active language: figures always read the French way.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext

DASH = "—"
NBSP = "\u00a0"
DATE_STYLE = "j N Y"  # 22 nov. 2026

Number = Decimal | int | float | str


def _fr(number: Decimal) -> str:
    if number == 0:
        number = abs(number)  # no "-0"
    return numberformat.format(
        number,
        decimal_sep=get_format("DECIMAL_SEPARATOR", lang="fr", use_l10n=True),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR", lang="fr", use_l10n=True),
        force_grouping=True,
    )


def fr_number(value: Number | None, places: int | None = None) -> str:
    """1234.5 → "1 234,5" (no-break grouping). Whole numbers lose their decimals; None → "—".

    `places` fixes the number of decimals; by default up to 2, trailing zeros dropped."""
    if value is None or value == "":
        return DASH
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is None:
        number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        if number == number.to_integral_value():
            number = number.quantize(Decimal(1))
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return _fr(number)


def fr_amount(value: Number | None) -> str:
    """12500 → "12 500 €"."""
    return DASH if value is None else f"{fr_number(value, 0)}{NBSP}€"


def fr_percent(value: Number | None, places: int = 1) -> str:
    """45.25 → "45,3 %"."""
    if value is None:
        return DASH
    text = fr_number(value, places)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return f"{text}{NBSP}%"


def fr_signed_percent(value: Number | None) -> str:
    """+45,3 % / -12 % — an evolution, signed."""
    if value is None:
        return DASH
    return ("+" if Decimal(str(value)) > 0 else "") + fr_percent(value)


def fr_date(value: date | datetime | str | None) -> str:
    """`22 nov. 2026` (month in the active language) for a date or a datetime (aware ones in local time)."""
    if value is None or value == "":
        return DASH
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_format(value, DATE_STYLE)


def indicator_value(value: Number | None, *, kind: str, unit: str = "", unit_one: str = "") -> str:
    """A value written the way its indicator's type reads: amount, percentage, yes/no or number + unit.

    `unit_one` is the unit's singular, used below 2 as French does ("1 emploi", "1,5 emploi")."""
    if value is None:
        return DASH
    if kind == "amount":
        return fr_amount(value)
    if kind == "percentage":
        return fr_percent(value)
    if kind == "boolean":
        return gettext("oui") if Decimal(str(value)) >= 1 else gettext("non")
    text = fr_number(value)
    if unit_one and abs(Decimal(str(value))) < 2:
        unit = unit_one
    return f"{text}{NBSP}{unit}" if unit else text

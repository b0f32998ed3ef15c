"""French dates, numbers, amounts and percents, as pure functions (templates, charts, PDFs and exports).

Built on Django's own `numberformat.format` and `date_format` with the `fr` formats (decimal comma, a
no-break space between thousands), whatever the active language: figures always read the French way.
"""

import functools
from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format, time_format
from django.utils.translation import get_language, gettext

if TYPE_CHECKING:
    from django.db.models import Model

    from .models import Organisation, Person, User

DASH = "—"
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: before ; : ! ? and inside « »
# French abbreviations of the months (Imprimerie nationale): Django's own "N" gives « fév. », « avril ».
FR_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

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
    """12500 → "12 500 €"; 12500.5 → "12 500,50 €" (cents shown when there are any)."""
    if value is None or value == "":
        return DASH
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    cents = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) != number.to_integral_value()
    return f"{fr_number(number, 2 if cents else 0)}{NBSP}€"


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


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def fr_date(value: date | datetime | str | None, style: str = "") -> str:
    """A date the one way its use asks for, in the active language; None → "—".

    - text (default): `1er janv. 2027`, `22 nov. 2026` — in sentences, lists, headings;
    - "short": `01/01/2027` — dense tables only, never in a sentence;
    - "month": `janv. 2027`; "day": `1er janv.` (the year is obvious from the context);
    - "axis": `janv. 27` — a chart's month axis, where twelve labels must fit;
    - "long": `vendredi 1er janvier 2027` — the date of an event, on its own page."""
    return _date_text(value, style, french=None, zone=None)


def date_writer(style: str = "") -> Callable[[date | datetime | str | None], str]:
    """`fr_date` for a long table or a chart: the language and the time zone looked up once, not per value
    (a hundred rows asked for them a hundred times). Made and used within one request's language."""
    french, zone = _french(), timezone.get_current_timezone()
    return lambda value: _date_text(value, style, french=french, zone=zone)


def _date_text(
    value: date | datetime | str | None, style: str, *, french: bool | None, zone: tzinfo | None
) -> str:
    if value is None or value == "":
        return DASH
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        aware = timezone.is_aware(value)
        value = value.astimezone(zone or timezone.get_current_timezone()).date() if aware else value.date()
    if style == "short":
        return value.strftime("%d/%m/%Y")
    return _day_text(value, style, french=_french() if french is None else french)


def _day_text(day: date, style: str, *, french: bool) -> str:
    """fr_date's text styles for a local day (a long list asks for the language once, not per row)."""
    if not french:
        formats = {"month": "N Y", "axis": "N y", "day": "N j", "long": "l, F j, Y"}
        return date_format(day, formats.get(style, "N j, Y"))
    first = "1er" if day.day == 1 else str(day.day)
    if style == "long":
        return f"{date_format(day, 'l')} {first} {date_format(day, 'F')} {day.year}"
    month = FR_MONTHS[day.month - 1]
    if style == "month":
        return f"{month} {day.year}"
    if style == "axis":
        return f"{month} {day:%y}"
    text = f"{first} {month}"
    return text if style == "day" else f"{text} {day.year}"


def fr_datetime(value: datetime | None, style: str = "") -> str:
    """`1er janv. 2027 à 14 h 05` (local time; `style` as fr_date's); in English `Jan. 1, 2027, 2:05 p.m.`."""
    return _datetime_text(value, style, french=None, zone=None)


def datetime_writer(style: str = "") -> Callable[[datetime | None], str]:
    """`fr_datetime` for a long table: the language and the time zone looked up once, not per value."""
    french, zone = _french(), timezone.get_current_timezone()
    return lambda value: _datetime_text(value, style, french=french, zone=zone)


def _datetime_text(value: datetime | None, style: str, *, french: bool | None, zone: tzinfo | None) -> str:
    if value is None:
        return DASH
    local = value.astimezone(zone or timezone.get_current_timezone()) if timezone.is_aware(value) else value
    day = local.strftime("%d/%m/%Y") if style == "short" else None
    if not (_french() if french is None else french):
        return f"{day or _day_text(local.date(), style, french=False)}, {date_format(local, 'P')}"
    day = day or _day_text(local.date(), style, french=True)
    return f"{day} à {local.hour}{NBSP}h{NBSP}{local.minute:02d}"


def fr_time(value: time | None) -> str:
    """`14 h 05` (a time of day: an event's, an agenda's); in English `2:05 p.m.`."""
    if value is None:
        return DASH
    if not _french():
        return str(time_format(value, "P"))
    return f"{value.hour}{NBSP}h{NBSP}{value.minute:02d}"


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


def choice_labels(model: "type[Model]", field: str) -> dict[Any, str]:
    """A choice field's labels by value, in the active language: `instance.get_<field>_display()` is
    `choice_labels(type(instance), field).get(value, value)`. For a list of rows: the display method
    rebuilds and translates the field's whole choice list on every call (some 40 µs; a partner's page
    called it thirty times). Worked out once per process, model, field and language (labels are the code's
    own translated strings)."""
    return _choice_labels(model, field, get_language())


@functools.cache
def _choice_labels(model: "type[Model]", field: str, language: str | None) -> dict[Any, str]:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}  # type: ignore[union-attr]


def failure(error: BaseException) -> str:
    """A failure as the page or the e-mail that reports it says it: the error's message, its kind in brackets
    (« trop gros (MemoryError) ») — not « MemoryError: trop gros », whose colon French typography refuses."""
    return f"{error} ({error.__class__.__name__})"


def member_label(user: "User") -> str:
    """A team member as the menus and messages name them: their name, else their e-mail; a closed account
    says so (« Paul Martin (compte fermé) »)."""
    return str(user) if user.is_active else gettext("%(name)s (compte fermé)") % {"name": str(user)}


def organisation_label(organisation: "Organisation") -> str:
    """A structure as a search menu offers it: its name, and its town to tell namesakes apart."""
    return f"{organisation.name} ({organisation.town})" if organisation.town else organisation.name


def person_label(person: "Person") -> str:
    """A contact as a search menu offers it: their name, and their structure's."""
    organisation = person.organisation
    return f"{person} — {organisation.name}" if organisation is not None else str(person)

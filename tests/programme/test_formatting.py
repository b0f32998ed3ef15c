"""French figures (programme/formatting.py) and their template filters."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from programme.formatting import fr_amount, fr_date, fr_datetime, fr_number, fr_signed_percent

NB = "\u00a0"


def test_numbers_never_read_minus_zero_and_dates_accept_datetimes():
    assert fr_number(D("-0.001")) == "0"
    assert fr_signed_percent(D("12")) == f"+12{NB}%" and fr_signed_percent(D("-3.25")) == f"-3,3{NB}%"
    # 23:30 UTC on 21 Nov. is already the 22nd in Paris.
    assert fr_date(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == "22 nov. 2026"
    assert fr_date(datetime(2026, 11, 21, 23, 30)) == "21 nov. 2026"
    assert fr_date("") == "—" and fr_date(None) == "—"


def test_the_formatting_template_library():
    html = Template(
        "{% load formatting %}{{ n|num }}|{{ n|num:2 }}|{{ n|amount }}|{{ p|pct }}|{{ p|signed_pct }}|"
        "{{ d|frdate }}|{% indicator_value n indicator %}|{{ table|get_item:'a' }}"
    ).render(
        Context(
            {
                "n": D("1234.5"),
                "p": D("45.25"),
                "d": date(2026, 11, 22),
                "indicator": {"type": "count", "unit": "personnes"},
                "table": {"a": 1},
            }
        )
    )
    assert html == (
        f"1{NB}234,5|1{NB}234,50|1{NB}234,50{NB}€|45,3{NB}%|+45,3{NB}%|22 nov. 2026|1{NB}234,5{NB}personnes|1"
    )


def test_dates_read_one_way_per_use():
    assert fr_date(date(2027, 1, 1)) == "1er janv. 2027"
    assert fr_date(date(2027, 2, 2)) == "2 févr. 2027" and fr_date(date(2027, 4, 30)) == "30 avr. 2027"
    months = [fr_date(date(2027, m, 3)).split(" ")[1] for m in range(1, 13)]
    assert months == [
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
    ]
    assert fr_date(date(2027, 1, 1), "short") == "01/01/2027"  # dense tables only
    assert (
        fr_date(date(2027, 1, 1), "day") == "1er janv." and fr_date(date(2027, 3, 5), "month") == "mars 2027"
    )
    assert fr_date(date(2027, 1, 1), "long") == "vendredi 1er janvier 2027"
    assert fr_datetime(datetime(2027, 1, 1, 13, 5, tzinfo=UTC)) == f"1er janv. 2027 à 14{NB}h{NB}05"
    with translation.override("en"):
        assert fr_date(date(2027, 1, 1)) == "Jan. 1, 2027"


def test_amounts_show_cents_only_when_there_are_some():
    assert fr_amount(D("12500")) == f"12{NB}500{NB}€"
    assert fr_amount(D("12500.50")) == f"12{NB}500,50{NB}€"
    assert fr_amount(D("12500.00")) == f"12{NB}500{NB}€"
    assert fr_amount(None) == "—"


def test_a_tables_date_writers_write_what_fr_date_and_fr_datetime_write():
    """`date_writer` / `datetime_writer` look the language and the time zone up once for a long table: the
    same text as fr_date / fr_datetime for every kind of value, style and language."""
    from programme.formatting import date_writer, datetime_writer

    moments = [
        datetime(2026, 11, 21, 23, 30, tzinfo=UTC),  # already the 22nd in Paris
        datetime(2027, 1, 1, 0, 5, tzinfo=UTC),
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night the clocks go forward
        datetime(2026, 6, 1, 9, 0),  # naive: as it is
    ]
    days = [date(2027, 1, 1), date(2026, 11, 22), "2026-05-01", "2026-05-01T10:00:00", None, ""]
    for language in ("fr", "en"):
        with translation.override(language):
            for style in ("", "short", "month", "day", "axis", "long"):
                write_day, write_moment = date_writer(style), datetime_writer(style)
                for value in days + moments:
                    assert write_day(value) == fr_date(value, style), (language, style, value)
                for value in [*moments, None]:
                    assert write_moment(value) == fr_datetime(value, style), (language, style, value)
    with translation.override("en"):
        assert datetime_writer()(moments[0]) == "Nov. 22, 2026, 12:30 a.m."


@pytest.mark.parametrize("language", ["fr", "en"])
def test_choice_labels_are_the_display_methods_labels(language):
    """`choice_labels(Model, field).get(value, value)` is `instance.get_<field>_display()`, in each
    language (worked out once per language), an unknown code shown as it is."""
    from django.utils import translation

    from evaluation.models import Indicator, Measurement
    from programme.formatting import choice_labels
    from projects.models import Deliverable, Membership, PhasePeriod, Workshop

    with translation.override(language):
        for model, field in (
            (Deliverable, "status"),
            (Measurement, "status"),
            (Indicator, "periodicity"),
            (Workshop, "step"),
            (Membership, "role"),
            (PhasePeriod, "phase"),
        ):
            labels = choice_labels(model, field)
            values = [value for value, _label in model._meta.get_field(field).flatchoices] + ["inconnu"]
            for value in values:
                instance = model(**{field: value})
                assert labels.get(value, value) == getattr(instance, f"get_{field}_display")()
    with translation.override("en"):
        english = choice_labels(Deliverable, "status")
    with translation.override("fr"):
        assert choice_labels(Deliverable, "status") != english

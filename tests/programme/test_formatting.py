"""French figures (programme/formatting.py) and their template filters."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

from django.template import Context, Template

from programme.formatting import fr_date, fr_number, fr_signed_percent

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
        f"1{NB}234,5|1{NB}234,50|1{NB}235{NB}€|45,3{NB}%|+45,3{NB}%|22 nov. 2026|1{NB}234,5{NB}personnes|1"
    )

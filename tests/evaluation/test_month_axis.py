"""The cash forecast's month axis speaks the one French abbreviation set of the dates (« déc. 26 »), never
Django's « Déc 26 », and English in English."""

from datetime import date

from django.utils import translation

from evaluation import selectors
from evaluation.selectors import Filters
from programme.formatting import FR_MONTHS, fr_date


def axis(world) -> list[str]:
    filters = Filters(programme_id=world.programme.pk, today=date(2026, 11, 15))
    return [row["short"] for row in selectors.funding(user=world.director, filters=filters)["forecast"]]


def test_the_forecast_axis_uses_the_french_month_abbreviations(world):
    with translation.override("fr"):
        labels = axis(world)
        assert labels[:3] == ["nov. 26", "déc. 26", "janv. 27"]
        assert labels[-1] == "oct. 27" and len(labels) == 12
        # The same abbreviations as every date of the application: « 1er déc. 2026 », « déc. 2026 ».
        assert fr_date(date(2026, 12, 1), "month") == "déc. 2026"
        assert {label.split(" ")[0] for label in labels} <= set(FR_MONTHS)


def test_the_forecast_axis_reads_english_in_english(world):
    with translation.override("en"):
        labels = axis(world)
    assert labels[:3] == ["Nov. 26", "Dec. 26", "Jan. 27"]


def test_the_activity_quarters_read_t_in_french_and_q_in_english():
    moment = date(2026, 11, 15)
    with translation.override("fr"):
        assert selectors._quarter_label(moment) == "T4 2026"
    with translation.override("en"):
        assert selectors._quarter_label(moment) == "Q4 2026"

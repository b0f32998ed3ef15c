"""Indicator arithmetic and French formats, checked by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from evaluation.figures import (
    FIGURES,
    History,
    Measured,
    Point,
    change_from_baseline,
    combine,
    indicator_figure,
    mean,
    nature_of,
    percentage,
    progress,
    target_for_period,
)
from programme.formatting import fr_amount, fr_date, fr_number, fr_percent, indicator_value

NB = "\u00a0"


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (1, 4, D("25.00")),
        (2, 3, D("66.67")),
        (0, 10, D("0.00")),
        (5, 0, None),
        (None, 10, None),
        (3, None, None),
    ],
)
def test_percentage_handles_zero_and_missing_denominators(num, den, expected):
    assert percentage(num, den) == expected


Q1, Q2, Q3 = date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)


def aggregate(points, *, aggregation: str, kind: str):
    """The value of one project indicator over all its periods, by the rules of indicator_figure."""
    return figure_of(points, aggregation=aggregation, kind=kind).value


def test_sum_average_latest_of_plain_values():
    points = [Point(Q2, D(20)), Point(Q1, D(10)), Point(Q3, D(30))]
    assert aggregate(points, aggregation="sum", kind="count") == D(60)
    assert aggregate(points, aggregation="average", kind="count") == D("20.00")
    # Latest = the value of the last period, whatever the order of the points.
    assert aggregate(points, aggregation="latest", kind="count") == D(30)


def test_empty_period_is_no_data_not_zero():
    for aggregation in ("sum", "average", "latest"):
        assert aggregate([], aggregation=aggregation, kind="count") is None
        assert aggregate([], aggregation=aggregation, kind="percentage") is None
    assert aggregate([Point(Q1, None)], aggregation="sum", kind="count") is None


def test_percentage_is_a_ratio_of_sums_not_a_mean_of_percentages():
    # 1/2 = 50 % and 9/10 = 90 %: the mean of percentages would be 70 %, the real rate is 10/12.
    points = [Point(Q1, numerator=D(1), denominator=D(2)), Point(Q2, numerator=D(9), denominator=D(10))]
    assert aggregate(points, aggregation="sum", kind="percentage") == D("83.33")
    assert aggregate(points, aggregation="average", kind="percentage") == D("83.33")
    assert aggregate(points, aggregation="latest", kind="percentage") == D("90.00")


def test_percentage_with_only_zero_denominators():
    points = [Point(Q1, numerator=D(0), denominator=D(0)), Point(Q2, numerator=D(0), denominator=D(0))]
    assert aggregate(points, aggregation="sum", kind="percentage") is None
    assert aggregate(points, aggregation="latest", kind="percentage") is None
    # A zero-denominator period does not spoil the others.
    points.append(Point(Q3, numerator=D(3), denominator=D(4)))
    assert aggregate(points, aggregation="sum", kind="percentage") == D("75.00")


def test_progress_towards_target_from_baseline():
    assert progress(30, 10, 50) == D("50.0")
    assert progress(50, 10, 50) == D("100.0")
    assert progress(60, 10, 50) == D("125.0")
    assert progress(5, 10, 50) == D("-12.5")
    # An indicator meant to go down: 40 → 20, now at 30 = half way.
    assert progress(30, 40, 20) == D("50.0")
    # No baseline counts as 0; no target, no value or target == baseline: None.
    assert progress(25, None, 50) == D("50.0")
    assert progress(25, 10, None) is None
    assert progress(None, 10, 50) is None
    assert progress(25, 50, 50) is None


def test_change_from_baseline():
    assert change_from_baseline(15, 10) == D("50.0")
    assert change_from_baseline(5, 10) == D("-50.0")
    assert change_from_baseline(5, 0) is None
    assert change_from_baseline(5, None) is None


def test_target_for_period_uses_the_next_intermediate_target_then_the_final_one():
    intermediate = [(date(2026, 12, 31), 20), (date(2025, 12, 31), 10)]
    assert target_for_period(period_end=date(2025, 6, 30), intermediate=intermediate, final=50) == D(10)
    assert target_for_period(period_end=date(2025, 12, 31), intermediate=intermediate, final=50) == D(10)
    assert target_for_period(period_end=date(2026, 3, 31), intermediate=intermediate, final=50) == D(20)
    assert target_for_period(period_end=date(2027, 3, 31), intermediate=intermediate, final=50) == D(50)
    assert target_for_period(period_end=date(2027, 3, 31), intermediate=[], final=None) is None


def test_mean_ignores_missing_scores():
    assert mean([1, 2, None, 4]) == D("2.33")
    assert mean([None]) is None


def test_french_formats():
    assert fr_number(1234.5) == f"1{NB}234,5"
    assert fr_number(D("1234567")) == f"1{NB}234{NB}567"
    assert fr_number(D("12.50")) == "12,5"
    assert fr_number(D("-1234.456")) == f"-1{NB}234,46"
    assert fr_number(7, 2) == "7,00"
    assert fr_number(None) == "—"
    assert fr_amount(12500) == f"12{NB}500{NB}€"
    assert fr_percent(D("45.25")) == f"45,3{NB}%"
    assert fr_percent(D("50")) == f"50{NB}%"
    assert fr_date(date(2026, 11, 22)) == "22 nov. 2026"
    assert indicator_value(D(1), kind="boolean") == "oui"
    assert indicator_value(D(412), kind="count", unit="personnes") == f"412{NB}personnes"


# --- Indicator semantics: flow, stock, rate; cumulative or per-period target ----------------------------


JOBS = [Point(Q1, D(4)), Point(Q2, D(12)), Point(Q3, D(8))]


def figure_of(
    points, *, start=None, end=None, aggregation="sum", kind="count", target_kind="cumulative", **values
):
    """indicator_figure of `points` seen over start–end (a count flow with a cumulative target by default)."""
    return indicator_figure(
        History.of(points, start=start, end=end),
        aggregation=aggregation,
        kind=kind,
        target_kind=target_kind,
        baseline=values.get("baseline"),
        target=values.get("target"),
    )


def test_nature_follows_the_aggregation_and_the_type():
    assert nature_of(aggregation="sum", kind="count") == "flow"
    assert nature_of(aggregation="latest", kind="count") == "stock"
    assert nature_of(aggregation="average", kind="scale") == "rate"
    assert nature_of(aggregation="sum", kind="percentage") == "rate"


def test_a_flow_with_a_cumulative_target_compares_the_cumul_and_never_the_baseline():
    figure = figure_of(JOBS, start=Q2, end=Q3, baseline=D(0), target=D(48))
    # The period (Q2–Q3) adds up to 20; the cumul since the start (24) is what meets the target.
    assert (figure.value, figure.compared, figure.progress) == (D(20), D(24), D("50.0"))
    # Never "+1 875 % depuis la référence": a cumul has no baseline to compare with, and it says why.
    assert figure.change is None and figure.change_note.startswith("sans objet")
    with_baseline = figure_of(JOBS, start=Q2, end=Q3, baseline=D(240), target=D(48))
    assert with_baseline.progress == D("50.0") and with_baseline.change is None


def test_a_flow_with_a_per_period_target_compares_the_last_period_from_the_baseline():
    figure = figure_of(JOBS, end=Q3, target_kind="per_period", baseline=D(4), target=D(10))
    assert (figure.compared, figure.progress, figure.change) == (D(8), D("66.7"), D("100.0"))
    zero = figure_of(JOBS, end=Q3, target_kind="per_period", baseline=D(0), target=D(10))
    assert zero.change is None and zero.change_note == "référence nulle ou absente"


def test_a_stock_is_its_last_value_by_the_end_of_the_period():
    structures = [Point(Q1, D(3)), Point(Q2, D(5)), Point(Q3, D(6))]
    figure = figure_of(structures, start=Q1, end=Q2, aggregation="latest", baseline=D(2), target=D(8))
    # As of 30 June: 5, not the later 6 and not 3 + 5.
    assert (figure.value, figure.compared, figure.progress) == (D(5), D(5), D("50.0"))


def test_no_figure_without_data_or_target_and_the_reason_is_given():
    empty = figure_of([], target=D(5))
    assert empty.progress is None and empty.progress_note == "aucune mesure validée"
    no_target = figure_of(JOBS)
    assert no_target.progress is None and no_target.progress_note == "pas de cible"


def test_projects_combine_by_the_same_rules():
    a = Measured(History.of(JOBS, start=None, end=None), D(0), D(30), "cumulative")
    b = Measured(History.of([Point(Q1, D(6))], start=None, end=None), D(0), D(10), "cumulative")
    combined, why = combine([a, b], aggregation="sum", kind="count")
    assert why == "" and combined.target == D(40) and combined.history.to_date.value_sum == D(30)
    # A project without a target: no combined target rather than a misleading one.
    c = Measured(History(), None, None, "cumulative")
    combined, why = combine([a, b, c], aggregation="sum", kind="count")
    assert combined.target is None and why == "pas de cible pour 1 projet"
    mixed, why = combine([a, Measured(b.history, D(0), D(10), "per_period")], aggregation="sum", kind="count")
    assert mixed.target is None and "mêlées" in why


def test_every_figure_has_its_own_label_and_a_meaning():
    labels = [str(f.label) for f in FIGURES.values()]
    assert len(labels) == len(set(labels)), "two figures share a label"
    assert all(str(f.meaning) for f in FIGURES.values())


def test_units_agree_with_the_number():
    assert indicator_value(D(1), kind="count", unit="emplois", unit_one="emploi") == f"1{NB}emploi"
    assert indicator_value(D("1.5"), kind="count", unit="emplois", unit_one="emploi") == f"1,5{NB}emploi"
    assert indicator_value(D(2), kind="count", unit="emplois", unit_one="emploi") == f"2{NB}emplois"
    assert indicator_value(D(0), kind="count", unit="emplois", unit_one="emploi") == f"0{NB}emploi"

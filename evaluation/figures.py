"""Indicator arithmetic, as pure functions on plain numbers: no database, easy to test by hand.

Every function returns None when the figure cannot be computed (no value, zero denominator) rather than
inventing a zero: an empty period is "no data", not "0 %".
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import overload

Number = Decimal | int | float
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


@overload
def to_decimal(value: Number) -> Decimal: ...
@overload
def to_decimal(value: None) -> None: ...
@overload
def to_decimal(value: Number | None) -> Decimal | None: ...
def to_decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


@overload
def rounded(value: Decimal, places: Decimal = ...) -> Decimal: ...
@overload
def rounded(value: None, places: Decimal = ...) -> None: ...
@overload
def rounded(value: Decimal | None, places: Decimal = ...) -> Decimal | None: ...
def rounded(value: Decimal | None, places: Decimal = TWO_PLACES) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_UP)


def percentage(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """numerator / denominator × 100, or None when either is missing or the denominator is zero."""
    num, den = to_decimal(numerator), to_decimal(denominator)
    if num is None or den is None or den == 0:
        return None
    return rounded(num / den * HUNDRED)


@dataclass(frozen=True)
class Point:
    """One validated measurement: the period it closes and its value (or numerator/denominator)."""

    period_end: date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def aggregate(points: Sequence[Point], *, aggregation: str, kind: str) -> Decimal | None:
    """The value of one project indicator over several periods.

    - sum: total of the values; average: mean of the values; latest: the value of the last period.
    - percentages are a ratio of sums (Σ numerators / Σ denominators), never a mean of percentages, so a
      small period does not weigh as much as a large one; "latest" takes the last period's ratio.
    """
    if not points:
        return None
    if aggregation == "latest":
        last = max(points, key=lambda p: p.period_end)
        if kind == "percentage":
            return percentage(last.numerator, last.denominator)
        return to_decimal(last.value)
    if kind == "percentage":
        nums = [to_decimal(p.numerator) for p in points if p.numerator is not None]
        dens = [to_decimal(p.denominator) for p in points if p.denominator is not None]
        if not nums or not dens:
            return None
        return percentage(sum(nums, Decimal(0)), sum(dens, Decimal(0)))
    values = [to_decimal(p.value) for p in points if p.value is not None]
    if not values:
        return None
    total = sum(values, Decimal(0))
    if aggregation == "average":
        return rounded(total / len(values))
    return total


def progress(value: Number | None, baseline: Number | None, target: Number | None) -> Decimal | None:
    """How far the value has gone from the baseline towards the target, in % (100 = target reached).

    Works for indicators meant to go down as well (target below the baseline). A missing baseline counts
    as 0; no target, no value or a target equal to the baseline give None.
    """
    val, base, tgt = to_decimal(value), to_decimal(baseline), to_decimal(target)
    if val is None or tgt is None:
        return None
    base = base if base is not None else Decimal(0)
    if tgt == base:
        return None
    return rounded((val - base) / (tgt - base) * HUNDRED, Decimal("0.1"))


def change_from_baseline(value: Number | None, baseline: Number | None) -> Decimal | None:
    """Relative change against the baseline in %, None when the baseline is missing or zero."""
    val, base = to_decimal(value), to_decimal(baseline)
    if val is None or base is None or base == 0:
        return None
    return rounded((val - base) / abs(base) * HUNDRED, Decimal("0.1"))


def target_for_period(
    *, period_end: date, intermediate: Iterable[tuple[date, Number]], final: Number | None
) -> Decimal | None:
    """The target that applies to a period: the earliest intermediate target due on or after the end of
    the period, otherwise the final target."""
    due = sorted((d, v) for d, v in intermediate if d >= period_end)
    if due:
        return to_decimal(due[0][1])
    return to_decimal(final)


def mean(values: Iterable[Number | None]) -> Decimal | None:
    present = [to_decimal(v) for v in values if v is not None]
    if not present:
        return None
    return rounded(sum(present, Decimal(0)) / len(present))

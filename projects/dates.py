"""Date arithmetic of the pipeline: planned phase ends are whole months after the start."""

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months, clamped to the last day of the target month.

    31 Jan + 1 month = 28 Feb (29 in a leap year); 29 Feb 2028 + 12 months = 28 Feb 2029.
    """
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)

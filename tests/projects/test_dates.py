from datetime import date

import pytest

from projects.dates import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 10, date(2026, 11, 15)),
        (date(2026, 3, 1), 18, date(2027, 9, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # month end clamps
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28)),  # 29 Feb → no 29 Feb next year
        (date(2027, 2, 28), 12, date(2028, 2, 28)),  # not moved to the 29th
        (date(2026, 8, 31), 10, date(2027, 6, 30)),  # 31 → 30-day month
        (date(2026, 5, 31), 18, date(2027, 11, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # year rollover
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # backwards
        (date(2026, 6, 10), 0, date(2026, 6, 10)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected

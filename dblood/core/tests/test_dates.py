from datetime import date

import pytest

from dblood.core.dates import shift_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),  # same day, six calendar months later
        (date(2026, 1, 31), 6, date(2026, 7, 31)),  # not 180 days (30 July)
        (date(2026, 8, 31), 6, date(2027, 3, 1)),  # no 31 February: never shorter than asked
        (date(2027, 8, 31), 6, date(2028, 3, 1)),  # a leap year: 29 February is still short of the 31st
        (date(2026, 2, 28), 12, date(2027, 2, 28)),
        (date(2026, 12, 10), 1, date(2027, 1, 10)),  # over the year's end
        (date(2026, 3, 31), -1, date(2026, 2, 28)),  # earlier: the shorter month's last day
        (date(2026, 5, 20), -12, date(2025, 5, 20)),
    ],
)
def test_shift_months(day, months, expected):
    assert shift_months(day, months) == expected

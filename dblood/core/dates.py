"""Calendar arithmetic the domain rules share: "6 months" means calendar months, not 180 days."""

import calendar
from datetime import date, timedelta


def shift_months(day: date, months: int) -> date:
    """The same day of the month `months` calendar months later (earlier when negative).

    When that month has no such day (31 August + 6 months), the interval is never made shorter than
    asked: later, the first day of the month after (1 March); earlier, the month's last day
    (31 March - 1 month is 28 or 29 February).
    """
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day <= last:
        return day.replace(year=year, month=month, day=day.day)
    if months > 0:
        return date(year, month, last) + timedelta(days=1)
    return date(year, month, last)

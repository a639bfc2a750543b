"""The days a report covers: ?day=YYYY-MM-DD, ?month=YYYY-MM, or ?from=&to= (inclusive dates).

Days are the bank's local days (its site's time zone): `bounds` turns them into the half-open
instant range [start of the first day, start of the day after the last) that every query uses, so
a range condition on an indexed timestamp column stays a plain index range.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time.min, tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    def as_dict(self) -> dict:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _date(params, name: str) -> date:
    value = params.get(name, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: [_("Give a date as YYYY-MM-DD.")]}) from None


def parse(params) -> Period:
    """The period asked for in the query string; a 400 naming the field when it is missing or bad."""
    given = [name for name in ("day", "month", "from", "to") if params.get(name)]
    if not given:
        raise ValidationError({"period": [_("Give a day, a month, or from and to.")]})
    if "day" in given:
        if len(given) > 1:
            raise ValidationError({"day": [_("Give a day, a month, or from and to: only one of them.")]})
        day = _date(params, "day")
        return Period(day, day)
    if "month" in given:
        if len(given) > 1:
            raise ValidationError({"month": [_("Give a day, a month, or from and to: only one of them.")]})
        try:
            first = datetime.strptime(params["month"], "%Y-%m").date()
        except ValueError:
            raise ValidationError({"month": [_("Give a month as YYYY-MM.")]}) from None
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return Period(first, following - timedelta(days=1))
    for name in ("from", "to"):
        if name not in given:
            raise ValidationError({name: [_("Give both from and to.")]})
    first, last = _date(params, "from"), _date(params, "to")
    if last < first:
        raise ValidationError({"to": [_("The last day is before the first.")]})
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError({"to": [_("A report covers at most %(days)s days.") % {"days": MAX_DAYS}]})
    return Period(first, last)

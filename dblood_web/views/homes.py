"""The page each role lands on after signing in: what they have to do today, not a list of links."""

from dataclasses import dataclass
from datetime import date

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from .. import session

# PMI honours donors at these donation counts (the 100th: Satyalancana Kebaktian Sosial).
PMI_AWARDS = (10, 25, 50, 75, 100)
# How many hemoglobin readings the donor home draws (the most recent ones).
HEMOGLOBIN_POINTS = 6
# Its geometry (viewBox units): a row per reading, the date on the left, the bar after it.
CHART_ROW = 28
CHART_BAR_MAX = 150

ROLE_HOMES = {
    "blood_bank_staff": "staff_home",
    "hospital_staff": "hospital_requests",
}


@session.login_required()
@require_GET
def home(request):
    """Where sign-in lands: each role's own home."""
    role = (session.user(request) or {}).get("role")
    if role == "donor":
        return donor_home(request)
    return redirect(ROLE_HOMES.get(role, "account"))


@dataclass(frozen=True)
class Milestone:
    count: int
    next_award: int | None

    @property
    def to_go(self) -> int:
        return (self.next_award or self.count) - self.count


def milestone(count: int) -> Milestone:
    return Milestone(count=count, next_award=next((a for a in PMI_AWARDS if a > count), None))


def countdown(item: dict, today: date) -> int | None:
    """Days until a donation type is open again (None when no date can be given)."""
    day = parse_date(str(item.get("next_eligible_on") or "")[:10])
    return (day - today).days if day and not item.get("eligible") else None


def hemoglobin_trend(donations: list[dict]) -> list[dict]:
    """The last readings, oldest first, each with its row and bar length in the little chart."""
    readings = [d for d in donations if d.get("hemoglobin_g_dl") not in (None, "")]
    readings = sorted(readings, key=lambda d: d["date"])[-HEMOGLOBIN_POINTS:]
    values = [float(d["hemoglobin_g_dl"]) for d in readings]
    peak = max(values, default=0) or 1
    return [
        {
            "date": d["date"],
            "value": d["hemoglobin_g_dl"],
            "y": i * CHART_ROW,
            "width": round(CHART_BAR_MAX * v / peak, 1),
        }
        for i, (d, v) in enumerate(zip(readings, values, strict=True))
    ]


def next_appointment(appointments: list[dict]) -> dict | None:
    now = timezone.now()
    upcoming = [
        a
        for a in appointments
        if a.get("status") == "booked" and (parse_datetime(a.get("starts_at") or "") or now) >= now
    ]
    return min(upcoming, key=lambda a: a["starts_at"], default=None)


@session.login_required("donor")
def donor_home(request):
    today = timezone.localdate()
    eligibility = request.api.eligibility()
    donations = request.api.donations_mine()
    counted = [d for d in donations if d.get("outcome") in ("completed", "adverse_event")]
    hemoglobin = hemoglobin_trend(donations)
    types = [{**item, "days_left": countdown(item, today)} for item in eligibility.get("types", [])]
    context = {
        "appointment": next_appointment(request.api.appointments()),
        "types": types,
        "milestone": milestone(len(counted)),
        "hemoglobin": hemoglobin,
        "hemoglobin_height": CHART_ROW * len(hemoglobin),
        "call_outs": [c for c in request.api.call_outs() if c.get("status") == "open"],
    }
    return render(request, "dblood_web/home_donor.html", context)

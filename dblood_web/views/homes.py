"""The page each role lands on after signing in: what they have to do today, not a list of links."""

from datetime import date

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from .. import session
from .staff import my_bank

# How many hemoglobin readings the donor home draws (the most recent ones).
HEMOGLOBIN_POINTS = 6
# Its geometry (viewBox units): a row per reading, the date on the left, the bar after it.
CHART_ROW = 28
CHART_BAR_MAX = 150

ROLE_HOMES = {"blood_bank_staff": "staff_home", "hospital_staff": "hospital_home", "admin": "admin_home"}


@session.login_required()
@require_GET
def home(request):
    """Where sign-in lands: each role's own home."""
    role = (session.user(request) or {}).get("role")
    if role == "donor":
        return donor_home(request)
    return redirect(ROLE_HOMES.get(role, "account"))


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


@session.donor_required
def donor_home(request):
    today = timezone.localdate()
    eligibility = request.api.eligibility()
    donations = request.api.donations_mine()
    hemoglobin = hemoglobin_trend(donations)
    types = [{**item, "days_left": countdown(item, today)} for item in eligibility.get("types", [])]
    context = {
        "appointment": next_appointment(request.api.appointments()),
        "types": types,
        # PMI's awards: the api counts the completed donations at every blood bank.
        "milestone": request.api.milestones(),
        "hemoglobin": hemoglobin,
        "hemoglobin_height": CHART_ROW * len(hemoglobin),
        "call_outs": [c for c in request.api.call_outs() if c.get("status") == "open"],
    }
    return render(request, "dblood_web/home_donor.html", context)


# Open requests: emergencies first, then urgent, then routine; the oldest first within each.
URGENCY_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}
OPEN_REQUESTS = ("submitted", "partly_allocated", "allocated")
# What the staff home shows of the lab worklist and of the units about to expire.
WORKLIST_FIRST = 3
EXPIRING_DAYS = 3


def open_requests(blood_requests: list[dict]) -> list[dict]:
    rows = [r for r in blood_requests if r.get("status") in OPEN_REQUESTS]
    return sorted(rows, key=lambda r: (URGENCY_ORDER.get(r.get("urgency"), 3), r.get("created_at") or ""))


def waiting_emergencies(rows: list[dict]) -> list[dict]:
    """Emergencies nobody has acted on yet (nothing reserved, not cancelled): they stay on top."""
    return [r for r in rows if r.get("urgency") == "emergency" and r.get("status") == "submitted"]


@session.staff_required
@require_GET
def staff_home(request):
    bank = my_bank(request)
    site = bank["site_id"]
    today = timezone.localdate().isoformat()
    drives = request.api.drives(organiser=site) if site else []
    worklist = request.api.lab_worklist()
    requests_ = open_requests(request.api.blood_requests())
    requested = request.api.transfers(status="requested", page_size=100)
    in_transit = request.api.transfers(status="in_transit", page_size=100)
    context = {
        "bank": bank,
        "today_drives": [d for d in drives if d.get("date") == today and d.get("status") != "cancelled"],
        "later_drives": [d for d in drives if (d.get("date") or "") > today],
        "worklist_count": len(worklist),
        "worklist": worklist[:WORKLIST_FIRST],
        "expiring": request.api.units_expiring(site=site, days=EXPIRING_DAYS) if site else [],
        "expiring_days": EXPIRING_DAYS,
        "emergencies": waiting_emergencies(requests_),
        "requests": requests_,
        "to_dispatch": [t for t in requested if t.get("from_site") == site],
        "to_receive": [t for t in in_transit if t.get("to_site") == site],
        "recalls": request.api.recalls(),
    }
    return render(request, "dblood_web/staff/home.html", context)


@session.hospital_required
@require_GET
def hospital_home(request):
    """What the hospital is waiting for (its open requests) and what it owes the bank: the outcome
    of every unit it was issued (transfused or returned), each with the link to act on it."""
    blood_requests = request.api.blood_requests()
    waiting = [
        {**allocation, "request": r}
        for r in blood_requests
        for allocation in r.get("allocations", [])
        if allocation.get("status") == "issued" and not allocation.get("outcome")
    ]
    context = {
        "requests": open_requests(blood_requests),
        "emergencies": waiting_emergencies(open_requests(blood_requests)),
        "waiting_outcome": waiting,
    }
    return render(request, "dblood_web/hospital/home.html", context)


@session.admin_required
@require_GET
def admin_home(request):
    """The consoles (the api's admin and docs, the dashboards) and the health the api reports."""
    base = settings.DBLOOD_API_PUBLIC_URL
    context = {
        "readiness": request.api.readiness(),
        "consoles": {
            "admin": f"{base}/admin/",
            "docs": f"{base}/api/docs/",
            "redoc": f"{base}/api/redoc/",
            "schema": f"{base}/api/schema/",
        },
    }
    return render(request, "dblood_web/admin_home.html", context)

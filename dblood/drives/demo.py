"""Demo drives over the next four weeks at the demo blood banks (and mobile ones in their cities),
with a few appointments for the demo donors."""

from datetime import time, timedelta

from django.db.models import Q
from django.utils import timezone

from dblood.core.blood import DonationType
from dblood.core.errors import Conflict
from dblood.donors.demo import DONORS
from dblood.donors.models import Donor
from dblood.sites.models import Site

from .appointments import appointment_book
from .models import Appointment, Drive
from .services import drive_create

WB, PLT = DonationType.WHOLE_BLOOD, DonationType.APHERESIS_PLATELETS

MOBILE = {
    "udd-jakarta": ("Mall Grand Indonesia", "Jl. M.H. Thamrin No.1", -6.1951, 106.8214),
    "udd-bandung": ("Institut Teknologi Bandung", "Jl. Ganesa No.10", -6.8915, 107.6107),
    "udd-surabaya": ("Universitas Airlangga", "Jl. Airlangga No.4-6", -7.2692, 112.7586),
    "udd-yogyakarta": ("Universitas Gadjah Mada", "Bulaksumur", -7.7713, 110.3775),
    "udd-medan": ("Lapangan Merdeka", "Jl. Balai Kota", 3.5906, 98.6775),
    "udd-makassar": ("Pantai Losari", "Jl. Penghibur", -5.1436, 119.4075),
}


def _ensure(bank: Site, day, name: str, **extra) -> Drive:
    existing = Drive.objects.filter(organiser=bank, date=day, name=name).first()
    if existing is not None:
        return existing
    return drive_create(organiser=bank, created_by=None, date=day, name=name, **extra)


def load():
    today = timezone.localdate()
    banks = Site.objects.filter(kind=Site.Kind.BLOOD_BANK, code__in=list(MOBILE))
    for bank in banks:
        for week in range(4):
            # The blood bank's own Saturday session and a midweek mobile drive, each week.
            saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7 * week)
            _ensure(
                bank,
                saturday,
                f"Donor Saturday at {bank.name}",
                site=bank,
                start_time=time(8, 0),
                end_time=time(13, 0),
                slot_minutes=30,
                capacity_per_slot=6,
                donation_types=[WB, PLT],
            )
            place, address, lat, lon = MOBILE[bank.code]
            _ensure(
                bank,
                today + timedelta(days=2 + 7 * week),
                f"Mobile drive: {place}",
                location_name=place,
                address=address,
                city=bank.city,
                province=bank.province,
                latitude=lat,
                longitude=lon,
                start_time=time(10, 0),
                end_time=time(15, 0),
                slot_minutes=30,
                capacity_per_slot=4,
                donation_types=[WB],
            )
    # Each eligible demo donor without a future booking gets one at their home blood bank.
    emails = [row[0] for row in DONORS]
    for donor in Donor.objects.filter(user__email__in=emails).select_related("user"):
        if Appointment.objects.filter(donor=donor, status__in=Appointment.ACTIVE, date__gte=today).exists():
            continue
        drives = Drive.objects.filter(
            Q(city=donor.city), status=Drive.Status.OPEN, date__gte=today + timedelta(days=7)
        ).order_by("date")
        for drive in drives[:3]:
            slot = drive.slots.order_by("starts_at").first()
            try:
                appointment_book(donor=donor, slot_id=slot.id)
                break
            except Conflict:
                continue  # not eligible then (the demo shows why in the app)
    return []

"""Reads for drives and appointments."""

from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from dblood.core import answers
from dblood.core.geo import distance_km, within_box
from dblood.core.search import names_matching

from .models import Appointment, Drive, Slot

PUBLIC_STATUSES = (Drive.Status.PLANNED, Drive.Status.OPEN)
DEFAULT_RADIUS_KM = 50
# Cached search answers depend on drives, their slots (free places) and their sites' names: every
# write to those changes this scope on commit (the signals in apps.py; appointments.py where a place
# is taken or released with an UPDATE).
DRIVES_SCOPE = "drives"


def drive_search(
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    city: str = "",
    province: str = "",
    organiser: int | None = None,
    donation_type: str = "",
    lat: float | None = None,
    lon: float | None = None,
    radius_km: float | None = None,
    has_free_slots: bool | None = None,
    statuses=PUBLIC_STATUSES,
) -> QuerySet[Drive]:
    """Drives from `date_from` (default today), soonest first; with a point, within `radius_km`
    (default 50) and nearest first, each with `distance_km`. Slots come prefetched."""
    drives = Drive.objects.filter(status__in=statuses, date__gte=date_from or timezone.localdate())
    if date_to:
        drives = drives.filter(date__lte=date_to)
    if city:
        drives = drives.filter(city__in=names_matching(Drive.objects.all(), "city", city))
    if province:
        drives = drives.filter(province__in=names_matching(Drive.objects.all(), "province", province))
    if organiser:
        drives = drives.filter(organiser_id=organiser)
    if donation_type:
        if _json_contains():
            drives = drives.filter(donation_types__contains=[donation_type])
        else:  # SQLite (make run): match the JSON text
            drives = drives.filter(donation_types__icontains=f'"{donation_type}"')
    if has_free_slots is not None:
        free = Slot.objects.filter(drive=OuterRef("pk"), booked__lt=F("capacity"), starts_at__gt=timezone.now())
        drives = drives.filter(Exists(free)) if has_free_slots else drives.exclude(Exists(free))
    order = ["date", "start_time", "id"]
    if lat is not None and lon is not None:
        radius = radius_km or DEFAULT_RADIUS_KM
        drives = drives.filter(within_box(lat, lon, radius)).annotate(distance_km=distance_km(lat, lon))
        drives = drives.filter(distance_km__lte=radius)
        order = ["distance_km", *order]
    return (
        drives.select_related("organiser", "site")
        .prefetch_related(Prefetch("slots", queryset=Slot.objects.order_by("starts_at")))
        .order_by(*order)
    )


def next_slot_start(page: dict) -> datetime | None:
    """When a searched page goes stale by the clock alone: its next slot start (a started slot has
    no free places). `page` is the serialized answer."""
    return answers.first_future(slot["starts_at"] for drive in page["results"] for slot in drive["slots"])


def _json_contains() -> bool:
    from django.db import connection

    return connection.features.supports_json_field_contains


def appointments_visible_to(user) -> QuerySet[Appointment]:
    """A donor's own appointments; staff those at drives their blood banks organise; admins all."""
    appointments = Appointment.objects.select_related(
        "slot__drive__organiser", "slot__drive__site", "donor__user", "questionnaire"
    )
    if user.is_admin:
        return appointments
    if user.is_blood_bank_staff:
        return appointments.filter(slot__drive__organiser_id__in=user.site_ids)
    if user.is_donor:
        return appointments.filter(donor__user=user)
    return appointments.none()

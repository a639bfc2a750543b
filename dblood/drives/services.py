"""Writes for drives: create (with its slots), edit, cancel (telling every booked donor)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.core.blood import DonationType
from dblood.core.errors import Conflict
from dblood.notifications.messages import notify

from .models import Appointment, Drive, Slot

SCHEDULE_FIELDS = ("date", "start_time", "end_time", "slot_minutes")
LOCATION_FIELDS = ("location_name", "address", "city", "province", "latitude", "longitude")


def drive_zone(drive: Drive) -> ZoneInfo:
    site = drive.site or drive.organiser
    return ZoneInfo(site.timezone)


def _slot_times(*, day: date, start: time, end: time, minutes: int, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    times = []
    at = datetime.combine(day, start, tzinfo=zone)
    stop = datetime.combine(day, end, tzinfo=zone)
    step = timedelta(minutes=minutes)
    while at + step <= stop:
        times.append((at, at + step))
        at += step
    return times


def _validate(values: dict) -> None:
    errors = {}
    if values["end_time"] <= values["start_time"]:
        errors["end_time"] = [_("The drive must end after it starts.")]
    elif not _slot_times(
        day=values["date"],
        start=values["start_time"],
        end=values["end_time"],
        minutes=values["slot_minutes"],
        zone=ZoneInfo("UTC"),
    ):
        errors["slot_minutes"] = [_("No slot fits between the start and the end.")]
    if values["date"] < timezone.localdate():
        errors["date"] = [_("The date is in the past.")]
    types = values.get("donation_types") or []
    if not types or any(t not in DonationType.values for t in types):
        errors["donation_types"] = [_("Choose one or more of %(types)s.") % {"types": list(DonationType.values)}]
    if errors:
        raise ValidationError(errors)


def _create_slots(drive: Drive) -> None:
    zone = drive_zone(drive)
    Slot.objects.bulk_create(
        Slot(drive=drive, starts_at=start, ends_at=end, capacity=drive.capacity_per_slot)
        for start, end in _slot_times(
            day=drive.date, start=drive.start_time, end=drive.end_time, minutes=drive.slot_minutes, zone=zone
        )
    )


@transaction.atomic
def drive_create(*, organiser, created_by, **data) -> Drive:
    """A drive of `organiser` (a blood bank) with its slots. At a site, the location is the site's."""
    data.setdefault("slot_minutes", 30)
    data.setdefault("capacity_per_slot", 5)
    data["donation_types"] = sorted(set(data.get("donation_types") or [DonationType.WHOLE_BLOOD]))
    _validate(data)
    site = data.get("site")
    if site is not None:
        for name in LOCATION_FIELDS:
            if not data.get(name) and data.get(name) != 0:
                data[name] = getattr(site, name, "") if name != "location_name" else site.name
    missing = [name for name in ("city", "province", "latitude", "longitude") if data.get(name) in (None, "")]
    if missing:
        raise ValidationError({name: [_("Required for a mobile drive (or give a site).")] for name in missing})
    drive = Drive.objects.create(organiser=organiser, created_by=created_by, **data)
    _create_slots(drive)
    return drive


@transaction.atomic
def drive_update(*, drive: Drive, **data) -> Drive:
    """Edit a drive. Changing its schedule re-cuts the slots, so only while nobody is booked;
    capacity may shrink only down to the places already taken."""
    drive = Drive.objects.select_for_update(of=("self",)).select_related("site", "organiser").get(pk=drive.pk)
    if drive.status == Drive.Status.CANCELLED:
        raise Conflict(_("This drive is cancelled and can no longer be edited."))
    values = {name: getattr(drive, name) for name in (*SCHEDULE_FIELDS, "donation_types")}
    values.update({k: v for k, v in data.items() if k in values})
    if "donation_types" in data:
        values["donation_types"] = sorted(set(data["donation_types"]))
        data["donation_types"] = values["donation_types"]
    schedule_changed = any(name in data and data[name] != getattr(drive, name) for name in SCHEDULE_FIELDS)
    if schedule_changed or "donation_types" in data:
        _validate(values)
    active = Appointment.objects.filter(slot__drive=drive, status__in=Appointment.ACTIVE)
    if schedule_changed and active.exists():
        raise Conflict(_("Donors have booked this drive: its date and times cannot change. Cancel it instead."))
    if "capacity_per_slot" in data and data["capacity_per_slot"] != drive.capacity_per_slot:
        # Shrinking below what is booked would overbook a slot: the same WHERE the check constraint enforces.
        if drive.slots.filter(booked__gt=data["capacity_per_slot"]).exists():
            raise Conflict(_("Some slots already have more bookings than the new capacity."))
        drive.slots.filter(booked__lte=data["capacity_per_slot"]).update(capacity=data["capacity_per_slot"])
    for name, value in data.items():
        setattr(drive, name, value)
    drive.full_clean(exclude=["organiser", "site", "created_by"])
    drive.save()
    if schedule_changed:
        drive.slots.all().delete()
        _create_slots(drive)
    return drive


@transaction.atomic
def drive_cancel(*, drive: Drive, by, reason: str = "") -> Drive:
    """Cancel a drive and every active appointment at it, and tell each booked donor."""
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    if drive.status == Drive.Status.CANCELLED:
        raise Conflict(_("This drive is already cancelled."))
    now = timezone.now()
    drive.status = Drive.Status.CANCELLED
    drive.cancelled_at = now
    drive.cancel_reason = reason[:300]
    drive.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    zone = drive_zone(drive)
    appointments = list(
        Appointment.objects.select_for_update()
        .filter(slot__drive=drive, status__in=Appointment.ACTIVE)
        .select_related("donor__user", "slot")
    )
    Appointment.objects.filter(pk__in=[a.pk for a in appointments]).update(
        status=Appointment.Status.CANCELLED, cancelled_at=now
    )
    drive.slots.update(booked=0)
    for appointment in appointments:
        # The message (and its Bahasa Indonesia translation) lives in the notifications catalogue.
        notify(
            user=appointment.donor.user,
            kind="drive_cancelled",
            key=f"drive-cancelled:{drive.id}",
            drive=drive.name,
            date=drive.date.isoformat(),
            data={
                "drive": drive.id,
                "appointment": appointment.id,
                "starts_at": appointment.slot.starts_at.astimezone(zone).isoformat(),
                "reason": reason,
            },
        )
    return drive

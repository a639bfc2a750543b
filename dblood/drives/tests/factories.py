from datetime import time, timedelta

from django.utils import timezone

from dblood.drives.services import drive_create


def make_drive(organiser, *, days_ahead: int = 7, capacity: int = 5, **extra):
    values = dict(
        name="Donor day",
        site=organiser,
        date=timezone.localdate() + timedelta(days=days_ahead),
        start_time=time(8, 0),
        end_time=time(10, 0),
        slot_minutes=30,
        capacity_per_slot=capacity,
        donation_types=["whole_blood", "apheresis_platelets"],
    )
    values.update(extra)
    return drive_create(organiser=organiser, created_by=None, **values)

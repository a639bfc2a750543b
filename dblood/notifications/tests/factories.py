"""Small builders for the rows these tests need (donor profiles, donations, units, drives)."""

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from dblood.donations.models import Donation
from dblood.donors.models import Donor
from dblood.drives.models import Appointment, Drive, Slot
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit as make_inventory_unit

_seq = itertools.count(1)


def make_donor(user, **fields) -> Donor:
    defaults = dict(
        donor_number=f"D{next(_seq):08d}",
        abo="O",
        rhd="+",
        sex="M",
        birth_date=datetime(1990, 1, 1).date(),
        weight_kg=70,
        latitude=-6.2,
        longitude=106.83,
    )
    defaults.update(fields)
    return Donor.objects.create(user=user, **defaults)


def make_donation(donor: Donor, site, *, days_ago: int = 90, donation_type: str = "whole_blood") -> Donation:
    """A released donation: typed with the donor's group, every required screen non-reactive."""
    from dblood.inventory.tests.factories import screen_and_release

    donation = Donation.objects.create(
        donor=donor,
        site=site,
        donation_type=donation_type,
        volume_ml=350,
        hemoglobin_g_dl=14,
        din=f"A9999{26}{next(_seq):06d}",
        status=Donation.Status.RELEASED,
        collected_at=timezone.now() - timedelta(days=days_ago),
    )
    return screen_and_release(donation)


def make_unit(site, *, abo="O", rhd="+", component="PRC", days_left=10, donor=None, state="available") -> BloodUnit:
    from testing.personas import make_user

    if donor is None:
        donor = make_donor(make_user(f"unit-donor-{next(_seq)}@example.org"), abo=abo, rhd=rhd)
    donation = make_donation(donor, site, days_ago=3)
    return make_inventory_unit(
        site=site, component=component, abo=abo, rhd=rhd, state=state, days=days_left, donation=donation
    )


def make_drive(organiser, *, starts_at: datetime, capacity: int = 5, **fields) -> tuple[Drive, Slot]:
    local = timezone.localtime(starts_at)
    defaults = dict(
        name="Donor day",
        city=organiser.city,
        province=organiser.province,
        latitude=organiser.latitude,
        longitude=organiser.longitude,
        date=local.date(),
        start_time=local.time(),
        end_time=(local + timedelta(hours=4)).time(),
        donation_types=["whole_blood"],
    )
    defaults.update(fields)
    drive = Drive.objects.create(organiser=organiser, site=organiser, **defaults)
    ends_at = starts_at + timedelta(minutes=30)
    slot = Slot.objects.create(drive=drive, starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    return drive, slot


def book(donor: Donor, slot: Slot) -> Appointment:
    slot.booked += 1
    slot.save(update_fields=["booked"])
    return Appointment.objects.create(
        donor=donor, slot=slot, date=timezone.localtime(slot.starts_at).date(), donation_type="whole_blood"
    )

"""Capacity under concurrent booking, on the suite's real PostgreSQL."""

import pytest
from django.db import connection

from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.models import Appointment, Slot
from dblood.drives.tests.factories import make_drive
from testing.personas import make_site, make_user
from testing.races import race


def _race(calls):
    return race(calls, done="booked")


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_bookings_fill_a_slot_of_five_exactly():
    assert connection.vendor == "postgresql"
    drive = make_drive(make_site("race-bank"), capacity=5)
    slot = drive.slots.order_by("starts_at").first()
    donors = [make_donor(make_user(f"racer{i}@example.org")) for i in range(24)]
    calls = [lambda donor=donor: appointment_book(donor=donor, slot_id=slot.id) for donor in donors]
    outcomes = _race(calls)
    assert outcomes.count("booked") == 5
    assert outcomes.count("slot_full") == 19
    assert Slot.objects.get(pk=slot.pk).booked == 5
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_donor_racing_for_two_slots_the_same_day_gets_one():
    drive = make_drive(make_site("race-bank-2"), capacity=5)
    slots = list(drive.slots.order_by("starts_at"))
    donor = make_donor(make_user("twice@example.org"))
    outcomes = _race([lambda slot=slot: appointment_book(donor=donor, slot_id=slot.id) for slot in slots])
    assert outcomes.count("booked") == 1
    assert Appointment.objects.filter(donor=donor).count() == 1
    assert sum(Slot.objects.filter(drive=drive).values_list("booked", flat=True)) == 1

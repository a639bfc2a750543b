"""A slot's answer is written out by hand (search pages carry hundreds): it must stay exactly what
DRF's generic field walk gives for the declared fields."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework import serializers

from dblood.drives.serializers import SlotSerializer
from dblood.drives.tests.factories import make_drive


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Jakarta", "UTC", "America/St_Johns"])
def test_the_written_out_slot_is_the_generic_one(bank_a, zone):
    drive = make_drive(bank_a, capacity=3)
    slots = list(drive.slots.order_by("starts_at"))
    slots[0].booked = 2
    slots[0].save()
    # Between the first two slots' starts: one started (no free places), the others not.
    with timezone.override(zone), time_machine.travel(slots[0].starts_at + timedelta(minutes=1), tick=False):
        for slot in slots:
            written = SlotSerializer(slot).data
            generic = serializers.ModelSerializer.to_representation(SlotSerializer(slot), slot)
            assert written == generic
            assert list(written) == list(SlotSerializer().fields)  # same keys, same order
        assert SlotSerializer(slots[0]).data["free"] == 0 and SlotSerializer(slots[1]).data["free"] == 3
        many = SlotSerializer(slots, many=True).data
        assert [row["id"] for row in many] == [slot.id for slot in slots]

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.donations.models import Donation
from dblood.donors.models import Donor
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import unit_transition
from testing.labels import label_check

from .factories import make_donation, make_unit, screen_and_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(donor, bank_a):
    profile = Donor.objects.create(user=donor, donor_number="D0000001", abo="O", rhd="+")
    donation = Donation.objects.create(
        donor=profile,
        site=bank_a,
        donation_type="whole_blood",
        volume_ml=450,
        hemoglobin_g_dl=14,
        collected_at=timezone.now(),
    )
    return BloodUnit.objects.create(
        donation=donation,
        component="PRC",
        abo="O",
        rhd="+",
        volume_ml=250,
        site=bank_a,
        expires_at=timezone.now() + timedelta(days=35),
    )


def test_legal_path_is_recorded(staff_a, bank_a):
    unit = make_unit(site=bank_a, state="quarantined", donation=screen_and_release(make_donation(site=bank_a)))
    label_check(unit, by=staff_a)  # the release: its final label printed and scanned
    for state in ["reserved", "issued", "transfused"]:
        unit_transition(unit=unit, to=state, by=staff_a)
    assert unit.state == "transfused"
    assert [(e.from_state, e.to_state) for e in unit.events.all()] == [
        ("quarantined", "available"),
        ("available", "reserved"),
        ("reserved", "issued"),
        ("issued", "transfused"),
    ]


def test_illegal_transition_is_a_conflict_naming_both_states(unit):
    unit_transition(unit=unit, to="unsafe")
    with pytest.raises(Conflict) as excinfo:
        unit_transition(unit=unit, to="available")
    assert excinfo.value.extra == {"from_state": "unsafe", "to_state": "available"}
    unit.refresh_from_db()
    assert unit.state == "unsafe"
    assert unit.events.count() == 1

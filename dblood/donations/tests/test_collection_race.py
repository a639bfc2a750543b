"""One collection per donor at a time, under concurrent records, on the suite's real PostgreSQL."""

from decimal import Decimal

import pytest
from django.db import connection

from dblood.accounts.models import Membership, User
from dblood.donations.models import Donation
from dblood.donations.services import donation_record
from dblood.donors.tests.factories import make_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from testing.personas import make_site, make_user
from testing.races import race

MEASURED = {"volume_ml": 450, "hemoglobin_g_dl": Decimal("14.2"), "bp_systolic": 120, "bp_diastolic": 80, "pulse": 72}


def _race(calls):
    return race(calls, done="recorded")


@pytest.mark.django_db(transaction=True)
def test_twenty_four_simultaneous_collections_for_one_donor_leave_one_donation():
    assert connection.vendor == "postgresql"
    bank, other_bank = make_site("race-udd"), make_site("race-udd-2")
    clerk = make_user("race.clerk@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=clerk, site=bank)
    Membership.objects.create(user=clerk, site=other_bank)
    assert clerk.site_ids == {bank.pk, other_bank.pk}  # computed once, before the threads share it
    donor = make_donor(make_user("race.donor@example.org"))
    drive = make_drive(bank, days_ahead=0)
    appointment = Appointment.objects.create(
        donor=donor, slot=drive.slots.first(), date=drive.date, donation_type="whole_blood", status="checked_in"
    )
    walk_ins = [
        lambda site=site: donation_record(
            by=clerk, donor=donor, site=site, donation_type="whole_blood", bag_type="Triple 450", **MEASURED
        )
        for site in [bank, other_bank] * 11
    ]
    from_appointment = [lambda: donation_record(by=clerk, appointment=appointment, **MEASURED)] * 2
    outcomes = _race(walk_ins + from_appointment)
    assert len(outcomes) == 24
    assert outcomes.count("recorded") == 1, outcomes
    assert set(outcomes) - {"recorded"} <= {"already_collected", "appointment_not_checked_in"}, outcomes
    assert Donation.objects.filter(donor=donor).count() == 1
    assert Donation.objects.exclude(din=None).count() == 1
    donation = Donation.objects.get(donor=donor)
    appointment.refresh_from_db()
    # The appointment is completed only if its record was the one that won.
    assert (appointment.status == "completed") == (donation.appointment_id == appointment.pk)

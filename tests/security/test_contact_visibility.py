"""Whose phone and e-mail a reader sees (`dblood/donors/access.py`): the donor's own and an admin's;
a bank's staff for a donor who gave blood at their bank or chose `share_contact`; nobody else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.donors.tests.factories import give_donation, make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive
from testing.personas import make_user

pytestmark = pytest.mark.django_db

PHONE = "+62 812 0000 1111"


def _booked_at(bank, email: str, **profile):
    donor = make_donor(make_user(email), phone=PHONE, **profile)
    appointment_book(donor=donor, slot_id=make_drive(bank).slots.first().id)
    return donor


def _contacts(api, reader, donor):
    shown = api(reader).get(f"/api/v1/donors/{donor.pk}")
    assert shown.status_code == 200, shown.content
    listed = [d for d in api(reader).get("/api/v1/donors").json()["results"] if d["id"] == donor.pk]
    assert [(d["phone"], d["email"]) for d in listed] == [(shown.json()["phone"], shown.json()["email"])]
    return shown.json()["phone"], shown.json()["email"]


def test_an_appointment_alone_does_not_show_a_private_donors_contacts(api, staff_a, bank_a):
    donor = _booked_at(bank_a, "private@example.org", share_contact=False)
    assert _contacts(api, staff_a, donor) == (None, None)


def test_the_bank_where_the_donor_gave_blood_can_reach_them(api, staff_a, staff_b, bank_a, bank_b):
    donor = _booked_at(bank_a, "gave@example.org", share_contact=False)
    give_donation(donor, bank_a, timezone.localdate() - timedelta(days=90))
    assert _contacts(api, staff_a, donor) == (PHONE, "gave@example.org")
    # Another bank where they only booked still does not.
    appointment_book(donor=donor, slot_id=make_drive(bank_b, days_ahead=70).slots.first().id)
    assert _contacts(api, staff_b, donor) == (None, None)


def test_a_donor_who_shares_contacts_is_reachable_by_the_bank_they_booked(api, staff_a, bank_a):
    donor = _booked_at(bank_a, "shares@example.org", share_contact=True)
    assert _contacts(api, staff_a, donor) == (PHONE, "shares@example.org")


def test_admins_see_contacts(api, admin_user, bank_a):
    donor = _booked_at(bank_a, "any@example.org", share_contact=False)
    assert _contacts(api, admin_user, donor) == (PHONE, "any@example.org")

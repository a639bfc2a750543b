"""A walk-in needs the donor at the desk (donor number and birth date), gives no deferral reasons
to a bank the donor never visited, answers alike for unknown and non-donor, and writes nothing
when refused."""

from datetime import date, timedelta
from decimal import Decimal

from dblood.accounts.models import User
from dblood.donors.models import Donor
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import give_donation, make_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from dblood.drives.tests.test_appointments_api import on_drive_day


def _walk_in(api, staff, drive, **body):
    with on_drive_day(drive, 8, 40):
        return api(staff).post(f"/api/v1/drives/{drive.id}/walk-ins", {"donation_type": "whole_blood", **body})


def test_an_existing_donor_needs_number_and_birth_date(api, staff_a, donor, bank_a):
    d = make_donor(donor)
    drive = make_drive(bank_a, days_ahead=3)
    by_email = _walk_in(api, staff_a, drive, email=donor.email)
    assert by_email.status_code == 400 and "donor number" in by_email.json()["fields"]["email"][0]
    no_birth_date = _walk_in(api, staff_a, drive, donor_number=d.donor_number)
    assert no_birth_date.status_code == 400 and no_birth_date.json()["fields"]["birth_date"]
    wrong = _walk_in(api, staff_a, drive, donor_number=d.donor_number, birth_date="1995-01-16")
    unknown = _walk_in(api, staff_a, drive, donor_number="D0000000000", birth_date="1995-01-15")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert not Appointment.objects.exists()
    right = _walk_in(api, staff_a, drive, donor_number=d.donor_number.lower(), birth_date="1995-01-15")
    assert right.status_code == 201, right.json()


def test_unknown_and_non_donor_email_answer_alike(api, staff_a, staff_b, donor, bank_a):
    make_donor(donor)
    drive = make_drive(bank_a, days_ahead=3)
    as_donor = _walk_in(api, staff_a, drive, email=donor.email, full_name="X")
    as_staff = _walk_in(api, staff_a, drive, email=staff_b.email, full_name="X")
    assert as_donor.status_code == as_staff.status_code == 400
    assert as_donor.json() == as_staff.json()


def test_a_refused_walk_in_writes_nothing(api, staff_a, donor, bank_a):
    d = make_donor(donor)
    deferral_record(donor=d, reason_code="tattoo-piercing", starts_on=date.today() - timedelta(days=1))
    drive = make_drive(bank_a, days_ahead=3)
    refused = _walk_in(api, staff_a, drive, donor_number=d.donor_number, birth_date="1995-01-15", weight_kg="90")
    assert refused.status_code == 409
    d.refresh_from_db()
    assert d.weight_kg == Decimal("60")
    # A new donor refused (the drive is not today): no account, no profile.
    other_day = make_drive(bank_a, days_ahead=5)
    response = api(staff_a).post(
        f"/api/v1/drives/{other_day.id}/walk-ins",
        {"donation_type": "whole_blood", "email": "new@example.org", "full_name": "New", "sex": "F"},
    )
    assert response.status_code == 409
    assert not User.objects.filter(email="new@example.org").exists()
    assert Donor.objects.count() == 1


def test_no_deferral_reasons_to_a_bank_never_visited(api, staff_a, staff_b, donor, bank_a, bank_b):
    d = make_donor(donor)
    deferral_record(donor=d, reason_code="tattoo-piercing", starts_on=date.today() - timedelta(days=1))
    drive_b = make_drive(bank_b, days_ahead=3)
    stranger = _walk_in(api, staff_b, drive_b, donor_number=d.donor_number, birth_date="1995-01-15")
    assert stranger.status_code == 409 and stranger.json()["code"] == "not_eligible"
    assert stranger.json()["reasons"] == [] and stranger.json()["next_eligible_on"] is None
    assert "tattoo" not in stranger.content.decode().lower()
    give_donation(d, bank_a, date.today() - timedelta(days=200))
    drive_a = make_drive(bank_a, days_ahead=3)
    known = _walk_in(api, staff_a, drive_a, donor_number=d.donor_number, birth_date="1995-01-15")
    assert known.status_code == 409 and known.json()["reasons"]


def test_a_new_donor_is_registered_with_their_profile(api, staff_a, bank_a):
    drive = make_drive(bank_a, days_ahead=3)
    profile = {"birth_date": "1990-01-01", "sex": "F", "weight_kg": "55"}
    response = _walk_in(api, staff_a, drive, email="Walker@Example.org", full_name="Walker", **profile)
    assert response.status_code == 201, response.json()
    walker = Donor.objects.get(user__email="walker@example.org")
    assert walker.birth_date == date(1990, 1, 1) and walker.sex == "F"

from datetime import date
from threading import Barrier, Thread

import pytest
from django.db import connection
from rest_framework.exceptions import ValidationError

from dblood.accounts.models import User
from dblood.accounts.signup import signup_confirm, signup_token, user_register
from dblood.donors.models import DeferralReason, Donor
from dblood.donors.services import deferral_record, donor_create_for_user
from dblood.donors.tests.factories import make_donor


def test_confirming_a_sign_up_creates_the_donor_profile(db):
    user_register(email="New@Example.org", password="a-long-secret-22", full_name="New")
    user = signup_confirm(token=signup_token(User.objects.get(email="new@example.org")))
    assert user.donor.donor_number.startswith("D")
    assert donor_create_for_user(user=user) == user.donor


def test_donor_numbers_are_unique(db):
    from testing.personas import make_user

    numbers = {donor_create_for_user(user=make_user(f"u{i}@example.org")).donor_number for i in range(20)}
    assert len(numbers) == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_profile_creation_gives_one_profile():
    user = User.objects.create_user(email="race@example.org", password="x-long-secret-1", full_name="Race")
    barrier = Barrier(6)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(donor_create_for_user(user=user).pk)
        finally:
            connection.close()

    threads = [Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 6
    assert Donor.objects.filter(user=user).count() == 1


def test_catalogue_has_the_codes_others_rely_on(db):
    reasons = {r.code: r for r in DeferralReason.objects.all()}
    assert reasons["tti-reactive"].permanent
    assert reasons["low-hemoglobin"].default_days == 7
    assert reasons["vitals-out-of-range"].default_days == 1
    assert reasons["underweight"].default_days == 90
    assert reasons["questionnaire"].default_days == 1
    assert (reasons["tattoo-piercing"].default_days, reasons["tattoo-piercing"].default_months) == (None, 6)
    assert (reasons["major-surgery"].default_days, reasons["major-surgery"].default_months) == (None, 12)
    assert reasons["high-hemoglobin"].default_days == 7 and not reasons["high-hemoglobin"].permanent
    assert reasons["dental-surgery"].default_days == 3


def test_deferral_bad_input(donor):
    d = make_donor(donor)
    with pytest.raises(ValidationError) as exc:
        deferral_record(donor=d, reason_code="nope")
    assert "reason_code" in exc.value.detail
    with pytest.raises(ValidationError) as exc:
        deferral_record(donor=d, reason_code="pregnancy")
    assert "ends_on" in exc.value.detail
    deferral = deferral_record(donor=d, reason_code="pregnancy", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 1))
    assert deferral.ends_on == date(2026, 12, 1)

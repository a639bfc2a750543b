"""`eligible_donors_q` (the rules in SQL, for many donors) agrees with `donor_eligibility`."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from dblood.core.blood import DonationType
from dblood.donors.catalogue import catalogue_ensure
from dblood.donors.models import Deferral, DeferralReason, Donor, EligibilityProfile
from dblood.donors.selectors import donor_eligibility, eligible_donors_q
from dblood.donors.tests.factories import give_donation, make_donor
from testing.personas import make_user

ON = date(2026, 3, 2)


@pytest.fixture
def varied_donors(bank_a):
    """Donors around every rule's boundary: age, weight, deferrals, intervals, yearly caps."""
    catalogue_ensure()
    temporary = DeferralReason.objects.filter(permanent=False).first()
    permanent = DeferralReason.objects.filter(permanent=True).first()
    rng = random.Random(8)
    births = [
        None,
        date(1995, 1, 15),
        ON.replace(year=ON.year - 17),  # 17 today
        ON.replace(year=ON.year - 17) + timedelta(days=1),  # 17 tomorrow
        ON.replace(year=ON.year - 61) + timedelta(days=1),  # 60, 61 tomorrow
        ON.replace(year=ON.year - 61),  # 61 today
        ON.replace(year=ON.year - 66) + timedelta(days=1),  # 65 (a regular donor may give)
        ON.replace(year=ON.year - 66),  # 66 today
        date(2008, 2, 29),
    ]
    weights = [None, Decimal("44.9"), Decimal("45"), Decimal("49.9"), Decimal("50"), Decimal("70")]
    kinds = DonationType.values
    for i in range(60):
        donor = make_donor(
            make_user(f"v{i}@example.org"),
            birth_date=births[i % len(births)],
            weight_kg=weights[(i // len(births)) % len(weights)] if i % 4 == 0 else Decimal("60"),
        )
        for _n in range(rng.choice([0, 0, 1, 2, 3, 5])):
            give_donation(
                donor,
                bank_a,
                ON - timedelta(days=rng.choice([-3, 0, 1, 13, 14, 27, 28, 55, 56, 59, 60, 100, 200, 364, 365, 700])),
                donation_type=rng.choice(kinds),
                outcome=rng.choice(["completed", "completed", "adverse_event", "incomplete"]),
            )
        roll = rng.random()
        if roll < 0.1:
            Deferral.objects.create(donor=donor, reason=permanent, permanent=True, starts_on=ON - timedelta(days=9))
        elif roll < 0.3:
            start = ON + timedelta(days=rng.choice([-30, -1, 0, 1]))
            end = ON + timedelta(days=rng.choice([-1, 0, 1, 30]))
            Deferral.objects.create(donor=donor, reason=temporary, permanent=False, starts_on=start, ends_on=end)
    return list(Donor.objects.all())


@pytest.mark.parametrize("profile_code", ["pmi", "us", "who"])
def test_sql_set_equals_the_python_verdicts(varied_donors, profile_code):
    profile = EligibilityProfile.objects.get(code=profile_code)
    for on in (ON, ON + timedelta(days=1), ON - timedelta(days=60)):
        for kind in DonationType.values:
            expected = {
                d.pk
                for d in varied_donors
                if donor_eligibility(donor=d, on=on, profile=profile).for_type(kind).eligible
            }
            got = set(
                Donor.objects.filter(eligible_donors_q(on=on, donation_type=kind, profile=profile)).values_list(
                    "pk", flat=True
                )
            )
            assert got == expected, (profile_code, on, kind, got ^ expected)
    # The set is varied: some eligible, some not.
    assert 0 < len(expected) < len(varied_donors)

"""Donor selection for call-outs and recruitment: one SQL statement, the same donors as the rules."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.core.geo import haversine_km
from dblood.donors.eligibility import active_profile
from dblood.donors.models import Deferral, DeferralReason, Donor
from dblood.donors.selectors import donor_eligibility
from dblood.notifications.services import notification_send
from dblood.notifications.tests.factories import make_donation, make_donor
from dblood.requests.donor_pool import nearby_donors
from testing.personas import make_user

GROUPS = [("O", "-"), ("A", "-"), ("A", "+")]


def _varied(bank_a, n: int, seed: int = 8) -> list[Donor]:
    rng = random.Random(seed)
    reason = DeferralReason.objects.filter(permanent=False).first()
    donors = []
    for i in range(n):
        donor = make_donor(
            make_user(f"pool{seed}-{i}@x.org"),
            abo=rng.choice(["O", "A", "B"]),
            rhd=rng.choice(["+", "-"]),
            latitude=bank_a.latitude + rng.uniform(-0.3, 0.3),
            longitude=bank_a.longitude + rng.uniform(-0.3, 0.3),
            weight_kg=rng.choice([40, 70, 70]),
            alert_radius_km=rng.choice([5, 25, 25]),
            max_alerts_per_week=rng.choice([1, 2]),
            call_out_opt_in=rng.random() > 0.1,
        )
        roll = rng.random()
        if roll < 0.2:
            make_donation(donor, bank_a, days_ago=rng.choice([10, 59, 61, 200]))
        elif roll < 0.3:
            Deferral.objects.create(
                donor=donor, reason=reason, starts_on=timezone.localdate() - timedelta(days=3),
                ends_on=timezone.localdate() + timedelta(days=30),
            )  # fmt: skip
        elif roll < 0.4:
            notification_send(user=donor.user, kind="call_out", key=f"earlier-{i}", title="t", body="b")
        donors.append(donor)
    return donors


def _reference(site, donors, *, radius_km, limit):
    """The rules one donor at a time in Python: what the SQL statement must choose."""
    profile = active_profile()
    today = timezone.localdate()
    picked = []
    for donor in donors:
        donor.refresh_from_db()
        distance = haversine_km(site.latitude, site.longitude, donor.latitude, donor.longitude)
        capped = donor.user.notifications.filter(kind__in=["call_out", "recruitment"]).count()
        if (
            (donor.abo, donor.rhd) in GROUPS
            and donor.call_out_opt_in
            and distance <= min(radius_km, donor.alert_radius_km)
            and capped < donor.max_alerts_per_week
            and donor_eligibility(donor=donor, on=today, profile=profile).for_type("whole_blood").eligible
        ):
            picked.append((distance, donor.pk))
    return [pk for _distance, pk in sorted(picked)[:limit]]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [5, 100])
def test_selection_equals_the_rules_one_donor_at_a_time(bank_a, limit):
    donors = _varied(bank_a, 60)
    expected = _reference(bank_a, donors, radius_km=25, limit=limit)
    chosen = nearby_donors(site=bank_a, radius_km=25, groups=GROUPS, donation_type="whole_blood", limit=limit)
    assert [d.pk for d in chosen] == expected
    assert 0 < len(expected) <= limit


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 30])
def test_one_statement_however_many_donors_are_in_the_box(bank_a, n, django_assert_num_queries):
    _varied(bank_a, n, seed=n)
    active_profile()
    # The selection itself (the profile comes from the cache): no per-donor query.
    with django_assert_num_queries(1):
        chosen = nearby_donors(site=bank_a, radius_km=50, groups=GROUPS, donation_type="whole_blood", limit=10)
        [d.user.email for d in chosen]

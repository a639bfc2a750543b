"""Small builders for donations and units in tests (the donors app's own factories may replace them)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from dblood.donations.models import Donation
from dblood.donors.models import Donor
from dblood.inventory.models import BloodUnit
from testing.personas import make_user

_seq = itertools.count(1)


def make_donor(user=None, *, abo="O", rhd="+", **extra) -> Donor:
    n = next(_seq)
    user = user or make_user(f"donor{n}@example.org")
    return Donor.objects.create(user=user, donor_number=f"T{n:07d}", abo=abo, rhd=rhd, **extra)


def make_donation(*, donor=None, site, din=None, **extra) -> Donation:
    n = next(_seq)
    values = dict(
        donor=donor or make_donor(),
        site=site,
        donation_type="whole_blood",
        volume_ml=450,
        hemoglobin_g_dl=14,
        collected_at=timezone.now(),
        din=din or f"T999926{n:06d}",
    )
    values.update(extra)
    return Donation.objects.create(**values)


def make_unit(*, site, component="PRC", abo="O", rhd="+", state="available", days=20, donation=None, **extra):
    donation = donation or make_donation(site=site)
    return BloodUnit.objects.create(
        donation=donation,
        component=component,
        abo=abo,
        rhd=rhd,
        volume_ml=250,
        site=site,
        state=state,
        expires_at=timezone.now() + timedelta(days=days),
        **extra,
    )

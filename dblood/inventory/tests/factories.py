"""Small builders for donations and units in tests (the donors app's own factories may replace them)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.donations.models import Donation, ScreeningResult
from dblood.donations.release import required_tests
from dblood.donors.models import Donor
from dblood.inventory.components import product_code
from dblood.inventory.demo import labelled
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


def screen_and_release(donation: Donation, *, abo=None, rhd=None) -> Donation:
    """Type the donation and record every required screen non-reactive: released by the release rule."""
    donation.typed_abo = abo or donation.typed_abo or donation.donor.abo or "O"
    donation.typed_rhd = rhd or donation.typed_rhd or donation.donor.rhd or "+"
    donation.typed_at = donation.typed_at or timezone.now()
    donation.status = Donation.Status.RELEASED
    donation.released_at = donation.released_at or timezone.now()
    donation.save(update_fields=["typed_abo", "typed_rhd", "typed_at", "status", "released_at"])
    ScreeningResult.objects.bulk_create(
        [ScreeningResult(donation=donation, test=test, attempt=1, reactive=False) for test in required_tests()]
    )
    return donation


# Unit states reached only through a released donation.
_RELEASED_STATES = {"available", "reserved", "issued", "transfused", "in_transit"}


def make_unit(
    *, site, component="PRC", abo="O", rhd="+", state="available", days=20, donation=None, checked=True, **extra
):
    """A unit written in its state directly; one in stock or beyond carries its checked label, as
    the gate into stock requires (`inventory.verification`), unless `checked=False` (label tests
    print and scan their own)."""
    if donation is None:
        donation = make_donation(site=site)
        if state in _RELEASED_STATES:
            screen_and_release(donation, abo=abo, rhd=rhd)
    if "product_code" not in extra:
        try:
            extra["product_code"] = product_code(component)
        except Conflict:  # a component type with no ISBT 128 code (PLT): a unit no label can be printed for
            extra["product_code"] = ""
    unit = BloodUnit.objects.create(
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
    if checked and state in _RELEASED_STATES and days > 0 and unit.product_code:
        labelled([BloodUnit.objects.select_related("donation__site").get(pk=unit.pk)])
    return unit

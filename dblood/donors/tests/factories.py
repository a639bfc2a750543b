"""Builders for donor tests (other apps may import them too)."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from dblood.core.blood import DonationType
from dblood.donors.models import Donor
from dblood.donors.services import donor_create_for_user


def make_donor(user, **profile) -> Donor:
    """A donor profile that passes the profile rules: 30 years old, 60 kg, O+, unless overridden."""
    donor = donor_create_for_user(user=user)
    values = dict(birth_date=date(1995, 1, 15), weight_kg=Decimal("60"), sex="M", abo="O", rhd="+")
    values.update(profile)
    for name, value in values.items():
        setattr(donor, name, value)
    donor.save()
    return donor


def give_donation(donor: Donor, site, on: date, donation_type: str = DonationType.WHOLE_BLOOD, **extra):
    from dblood.donations.models import Donation

    values = dict(
        donor=donor,
        site=site,
        donation_type=donation_type,
        volume_ml=350,
        hemoglobin_g_dl=Decimal("14.0"),
        collected_at=timezone.make_aware(datetime.combine(on, time(10, 0))),
    )
    values.update(extra)
    return Donation.objects.create(**values)

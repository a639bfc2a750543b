"""Reads for blood units: what staff see (their own blood banks only), first-expiring-first-out."""

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from dblood.core import answers

from .models import BloodUnit, Transfer

# Cached answers about units (dblood.core.answers; the stock table's version too) depend on every
# unit's state, group, site and expiry: every write to units changes this scope on commit
# (`stock.invalidate`, called by the inventory services, and the BloodUnit signals).
UNITS_SCOPE = "units"


def units_for_staff(*, user) -> QuerySet[BloodUnit]:
    """Units stored at the user's blood banks, ready for listing (group, DIN and site joined)."""
    return BloodUnit.objects.filter(site_id__in=user.site_ids).select_related("donation", "site", "issued_to")


def units_fefo(
    *,
    user,
    site: int | None = None,
    abo: str = "",
    rhd: str = "",
    component: str = "",
    state: str = BloodUnit.State.AVAILABLE,
    expires_within_days: int | None = None,
) -> QuerySet[BloodUnit]:
    """First-expiring-first-out: the unit to use next comes first. Past-expiry units are left out
    (of the states still in custody), and with `expires_within_days` those that outlast it."""
    now = timezone.now()
    qs = units_for_staff(user=user).filter(state=state)
    if state in (BloodUnit.State.AVAILABLE, BloodUnit.State.QUARANTINED, BloodUnit.State.RESERVED):
        qs = qs.filter(expires_at__gt=now)
    if expires_within_days is not None:
        qs = qs.filter(expires_at__lte=now + timedelta(days=expires_within_days))
    if site:
        qs = qs.filter(site_id=site)
    if abo:
        qs = qs.filter(abo=abo)
    if rhd:
        qs = qs.filter(rhd=rhd)
    if component:
        qs = qs.filter(component=component)
    return qs.order_by("expires_at", "id")


def next_expiry(page: dict) -> datetime | None:
    """When a listed page goes stale by the clock alone: the first of its units to pass expiry
    (the list leaves expired units out). `page` is the serialized answer."""
    return answers.first_future(unit["expires_at"] for unit in page["results"])


def units_expiring(*, user, days: int, site: int | None = None) -> QuerySet[BloodUnit]:
    """Units still usable (quarantined, available, reserved) that expire within `days` days."""
    now = timezone.now()
    qs = units_for_staff(user=user).filter(
        state__in=[BloodUnit.State.QUARANTINED, BloodUnit.State.AVAILABLE, BloodUnit.State.RESERVED],
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=days),
    )
    if site:
        qs = qs.filter(site_id=site)
    return qs.order_by("expires_at", "id")


def units_by_din(*, user, din: str, product_code: str | None = None) -> QuerySet[BloodUnit]:
    qs = units_for_staff(user=user).filter(donation__din=din)
    if product_code:
        qs = qs.filter(product_code=product_code)
    return qs.order_by("component")


def transfers_for_staff(*, user) -> QuerySet[Transfer]:
    """Transfers out of or into the user's blood banks."""
    ids = user.site_ids
    return (
        (Transfer.objects.filter(from_site_id__in=ids) | Transfer.objects.filter(to_site_id__in=ids))
        .select_related("unit__donation", "unit__site", "unit__issued_to", "from_site", "to_site")
        .distinct()
    )

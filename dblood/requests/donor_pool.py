"""Donors to ask for blood near a site: shared by emergency call-outs and shortage recruitment."""

import math
from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import ASin, Coalesce, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from dblood.donors.eligibility import active_profile
from dblood.notifications.eligibility import donor_verdict
from dblood.notifications.models import Notification

from .geo import EARTH_RADIUS_KM, bounding_box

# Messages that count against a donor's weekly alert cap (Donor.max_alerts_per_week).
CAPPED_KINDS = (Notification.Kind.CALL_OUT, Notification.Kind.RECRUITMENT)


def distance_km_expression(lat: float, lon: float):
    """Great-circle distance (haversine) from (lat, lon) to a row's latitude/longitude, in SQL."""
    dlat = Radians(F("latitude") - Value(lat)) / Value(2.0)
    dlon = Radians(F("longitude") - Value(lon)) / Value(2.0)
    a = Power(Sin(dlat), 2) + Value(math.cos(math.radians(lat))) * Cos(Radians(F("latitude"))) * Power(Sin(dlon), 2)
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a))


def nearby_donors(
    *, site, radius_km: float, groups: list[tuple[str, str]], donation_type: str, limit: int, exclude=None, now=None
) -> list:
    """Nearest first: donors of these groups, opted in, within `radius_km` of `site` and within
    their own alert radius, under their weekly alert cap, eligible today for `donation_type`.

    A bounding box on the indexed (latitude, longitude) cuts the table down before the exact
    distance is computed, in SQL, for what is left (index: requests migration 0002).
    """
    from dblood.donors.models import Donor

    if not groups:
        return []
    now = now or timezone.now()
    group_filter = Q()
    for abo, rhd in groups:
        group_filter |= Q(abo=abo, rhd=rhd)
    min_lat, max_lat, min_lon, max_lon = bounding_box(site.latitude, site.longitude, radius_km)
    recent = (
        Notification.objects.filter(
            user=OuterRef("user_id"), kind__in=CAPPED_KINDS, created_at__gte=now - timedelta(days=7)
        )
        .values("user")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = Donor.objects.filter(
        group_filter,
        call_out_opt_in=True,
        user__is_active=True,
        latitude__range=(min_lat, max_lat),
        longitude__range=(min_lon, max_lon),
    )
    if exclude is not None:
        rows = rows.exclude(exclude)
    rows = (
        rows.annotate(
            alerts_this_week=Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)),
            distance_km=distance_km_expression(site.latitude, site.longitude),
        )
        .filter(
            alerts_this_week__lt=F("max_alerts_per_week"),
            distance_km__lte=radius_km,
        )
        .filter(distance_km__lte=F("alert_radius_km"))
        .select_related("user")
        .order_by("distance_km", "pk")
    )
    today = timezone.localdate(now)
    profile = active_profile()
    chosen = []
    # Nearest first, a page at a time: eligibility (the donors app's rules) is asked only until
    # `limit` donors are found, not for everyone in the box.
    page = max(limit * 2, 100)
    offset = 0
    while len(chosen) < limit:
        batch = list(rows[offset : offset + page])
        for donor in batch:
            if donor_verdict(donor=donor, donation_type=donation_type, on=today, profile=profile).eligible:
                chosen.append(donor)
                if len(chosen) >= limit:
                    break
        if len(batch) < page:
            break
        offset += page
    return chosen

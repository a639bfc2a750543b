"""Donors to ask for blood near a site: shared by emergency call-outs and shortage recruitment."""

from datetime import timedelta

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from dblood.core.geo import DistanceKm, within_box
from dblood.donors.eligibility import active_profile
from dblood.donors.selectors import eligible_donors_q
from dblood.notifications.models import CAPPED_KINDS, Notification


def nearby_donors(
    *, site, radius_km: float, groups: list[tuple[str, str]], donation_type: str, limit: int, exclude=None, now=None
) -> list:
    """Nearest first, at most `limit`: donors of these groups, opted in, within `radius_km` of
    `site` and within their own alert radius, under their weekly alert cap, eligible today for
    `donation_type`.

    One SQL statement (plus the profile lookup): a bounding box on the indexed (latitude,
    longitude) of opted-in donors (index: requests migration 0002) cuts the table down, the
    eligibility rules are the donors app's, in SQL (`eligible_donors_q`: NOT EXISTS over
    donations and deferrals), the distance is computed in the database, ordered and limited there.
    """
    from dblood.donors.models import Donor

    if not groups or limit <= 0:
        return []
    now = now or timezone.now()
    group_filter = Q()
    for abo, rhd in groups:
        group_filter |= Q(abo=abo, rhd=rhd)
    recent = (
        Notification.objects.filter(
            user=OuterRef("user_id"), kind__in=CAPPED_KINDS, created_at__gte=now - timedelta(days=7)
        )
        .order_by()
        .values("user")
        .annotate(n=Count("id"))
        .values("n")
    )
    eligible = eligible_donors_q(on=timezone.localdate(now), donation_type=donation_type, profile=active_profile())
    rows = Donor.objects.filter(
        group_filter,
        within_box(site.latitude, site.longitude, radius_km),
        eligible,
        call_out_opt_in=True,
        user__is_active=True,
    )
    if exclude is not None:
        rows = rows.exclude(exclude)
    rows = (
        rows.annotate(
            alerts_this_week=Coalesce(Subquery(recent, output_field=IntegerField()), Value(0)),
            distance_km=DistanceKm(site.latitude, site.longitude),
        )
        .filter(alerts_this_week__lt=F("max_alerts_per_week"), distance_km__lte=radius_km)
        .filter(distance_km__lte=F("alert_radius_km"))
        .select_related("user")
        .order_by("distance_km", "pk")
    )
    return list(rows[:limit])

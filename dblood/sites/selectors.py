"""Reads for sites: public search by text, city, province, kind and distance from a point."""

from django.db.models import Q, QuerySet

from dblood.core.geo import distance_km, within_box
from dblood.core.search import names_matching

from .models import Site

# Cached search answers (dblood.core.answers) depend on sites only: a site's save or delete changes it.
SITES_SCOPE = "sites"


def site_search(
    *,
    q: str = "",
    kind: str = "",
    city: str = "",
    province: str = "",
    lat: float | None = None,
    lon: float | None = None,
    radius_km: float | None = None,
) -> QuerySet[Site]:
    """Active sites matching every given filter. With a point, each has `distance_km`, nearest first."""
    sites = Site.objects.filter(is_active=True).select_related("verified_by")
    if q:
        sites = sites.filter(
            Q(name__icontains=q)
            | Q(code__icontains=q)
            | Q(city__in=names_matching(Site.objects.all(), "city", q))
            | Q(address__icontains=q)
        )
    if kind:
        sites = sites.filter(kind=kind)
    if city:
        sites = sites.filter(city__in=names_matching(Site.objects.all(), "city", city))
    if province:
        sites = sites.filter(province__in=names_matching(Site.objects.all(), "province", province))
    if lat is not None and lon is not None:
        sites = sites.annotate(distance_km=distance_km(lat, lon))
        if radius_km is not None:
            sites = sites.filter(within_box(lat, lon, radius_km), distance_km__lte=radius_km)
        sites = sites.order_by("distance_km", "name")
    return sites

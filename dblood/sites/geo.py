"""Great-circle distance in the database (PostgreSQL and SQLite both have the math functions)."""

import math

from django.db.models import F, FloatField, Q, Value
from django.db.models.functions import ASin, Cos, Least, Power, Radians, Sin, Sqrt
from rest_framework import serializers

from dblood.core.serializers import StrictSerializer

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 2000


def distance_km(lat: float, lon: float, lat_field: str = "latitude", lon_field: str = "longitude"):
    """Haversine distance from (lat, lon) to each row, in km, as a query expression."""
    lat1, lon1 = Value(math.radians(lat), FloatField()), Value(math.radians(lon), FloatField())
    lat2, lon2 = Radians(F(lat_field)), Radians(F(lon_field))
    a = Power(Sin((lat2 - lat1) / 2), 2) + Cos(lat1) * Cos(lat2) * Power(Sin((lon2 - lon1) / 2), 2)
    # Rounding can push `a` a hair above 1, outside asin's domain.
    return Value(2 * EARTH_RADIUS_KM, FloatField()) * ASin(Sqrt(Least(a, Value(1.0, FloatField()))))


def within_box(
    lat: float, lon: float, radius_km: float, lat_field: str = "latitude", lon_field: str = "longitude"
) -> Q:
    """A cheap indexed pre-filter: the lat/lon box around the circle (the exact distance filters after)."""
    dlat = radius_km / 111.0
    dlon = radius_km / max(111.0 * math.cos(math.radians(lat)), 0.01)
    q = Q(**{f"{lat_field}__gte": lat - dlat, f"{lat_field}__lte": lat + dlat})
    if dlon < 180:
        low, high = lon - dlon, lon + dlon
        if low < -180 or high > 180:  # the box crosses the antimeridian
            q &= Q(**{f"{lon_field}__gte": (low + 540) % 360 - 180}) | Q(
                **{f"{lon_field}__lte": (high + 540) % 360 - 180}
            )
        else:
            q &= Q(**{f"{lon_field}__gte": low, f"{lon_field}__lte": high})
    return q


class PointQuerySerializer(StrictSerializer):
    """`lat`, `lon` (both or neither) and `radius_km` query parameters, validated by name."""

    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_RADIUS_KM)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            missing = "lon" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: ["Give both lat and lon."]})
        if "radius_km" in attrs and "lat" not in attrs:
            raise serializers.ValidationError({"radius_km": ["A radius needs lat and lon."]})
        return attrs

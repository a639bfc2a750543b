"""Point-and-radius query parameters (the distance rules themselves are in dblood.core.geo)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from dblood.core.serializers import StrictSerializer

MAX_RADIUS_KM = 2000


class PointQuerySerializer(StrictSerializer):
    """`lat`, `lon` (both or neither) and `radius_km` query parameters, validated by name."""

    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_RADIUS_KM)

    def validate(self, attrs):
        if ("lat" in attrs) != ("lon" in attrs):
            missing = "lon" if "lat" in attrs else "lat"
            raise serializers.ValidationError({missing: [_("Give both lat and lon.")]})
        if "radius_km" in attrs and "lat" not in attrs:
            raise serializers.ValidationError({"radius_km": [_("A radius needs lat and lon.")]})
        return attrs

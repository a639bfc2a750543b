from rest_framework import serializers

from .geo import PointQuerySerializer
from .models import Site


class SiteSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    verified_by = serializers.CharField(source="verified_by.name", read_only=True, default=None, allow_null=True)
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "address",
            "city",
            "province",
            "latitude",
            "longitude",
            "phone",
            "email",
            "opening_hours",
            "timezone",
            "verified",
            "verified_by",
            "distance_km",
        ]

    def get_distance_km(self, site) -> float | None:
        value = getattr(site, "distance_km", None)
        return None if value is None else round(value, 2)


class SiteQuerySerializer(PointQuerySerializer):
    q = serializers.CharField(required=False, max_length=100)
    kind = serializers.ChoiceField(required=False, choices=Site.Kind.choices)
    city = serializers.CharField(required=False, max_length=100)
    province = serializers.CharField(required=False, max_length=100)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

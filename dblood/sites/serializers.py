from django.utils.translation import gettext as _
from rest_framework import serializers

from dblood.core.blood import Component
from dblood.core.serializers import StrictSerializer

from .geo import PointQuerySerializer
from .models import MAX_FEE_IDR, ProcessingFee, Site


class SiteSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    verified_by = serializers.CharField(source="verified_by.name", read_only=True, default=None, allow_null=True)
    distance_km = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField(help_text="Path of the site's photo under MEDIA_URL, or null.")

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
            "photo_url",
            "photo_width",
            "photo_height",
        ]

    def get_distance_km(self, site) -> float | None:
        value = getattr(site, "distance_km", None)
        return None if value is None else round(value, 2)

    def get_photo_url(self, site) -> str | None:
        return site.photo.url if site.photo else None


class ProcessingFeeSerializer(serializers.ModelSerializer):
    component_name = serializers.CharField(source="get_component_display", read_only=True)

    class Meta:
        model = ProcessingFee
        fields = ["component", "component_name", "amount_idr", "updated_at"]
        read_only_fields = fields


class ProcessingFeeTableSerializer(serializers.Serializer):
    fees = ProcessingFeeSerializer(many=True, read_only=True)


class SiteDetailSerializer(SiteSerializer):
    """One site: its public processing fees too (a blood bank's BPPD per bag; empty for a hospital)."""

    processing_fees = ProcessingFeeSerializer(many=True, read_only=True)

    class Meta(SiteSerializer.Meta):
        fields = [*SiteSerializer.Meta.fields, "processing_fees"]


class FeeLineSerializer(StrictSerializer):
    component = serializers.ChoiceField(choices=Component.choices)
    amount_idr = serializers.IntegerField(min_value=0, max_value=MAX_FEE_IDR, help_text="Rupiah per bag.")


class ProcessingFeesSerializer(StrictSerializer):
    """`PUT /sites/{id}/fees`: the bank's whole fee table; a component left out has no fee."""

    fees = serializers.ListField(child=FeeLineSerializer(), max_length=len(Component.choices))

    def validate_fees(self, value):
        components = [line["component"] for line in value]
        if len(set(components)) != len(components):
            raise serializers.ValidationError(_("A component is listed twice."))
        return value


class SitePhotoSerializer(StrictSerializer):
    """`PUT /sites/{id}/photo`, multipart: the file in the field `photo`."""

    photo = serializers.FileField(
        allow_empty_file=False,
        max_length=None,  # the client's filename is never used, so its length does not matter
        help_text="A JPEG, PNG or WebP photo of the building or entrance. Stored re-encoded as JPEG.",
    )


class SiteQuerySerializer(PointQuerySerializer):
    q = serializers.CharField(required=False, max_length=100)
    kind = serializers.ChoiceField(required=False, choices=Site.Kind.choices)
    city = serializers.CharField(required=False, max_length=100)
    province = serializers.CharField(required=False, max_length=100)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)

"""A serializer field for a DIN as typed or scanned (400 naming the field when it is wrong)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import din as isbt


@extend_schema_field(OpenApiTypes.STR)
class DinField(serializers.CharField):
    """Accepts the 13-character DIN, DIN + check character, or `=` + DIN + flags; yields the 13 characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "ISBT 128 DIN: 13 characters, optionally + check character or barcode flags.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return isbt.parse(value).din
        except isbt.ScanError as exc:
            raise serializers.ValidationError(exc.message) from exc

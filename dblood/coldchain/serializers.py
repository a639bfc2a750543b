from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.serializers import ClinicalChoiceField, StrictSerializer
from dblood.inventory.fields import UnitField
from dblood.sites.models import Site

from .models import (
    Excursion,
    ExcursionUnit,
    Reconciliation,
    ReconciliationItem,
    StorageLocation,
    TemperatureReading,
)


def temperature(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, min_value=-90, max_value=60, **kwargs)


class StorageLocationCreateSerializer(StrictSerializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True))
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=80)
    kind = ClinicalChoiceField(choices=StorageLocation.Kind.choices)
    min_c = temperature(help_text="Lowest allowed temperature.")
    max_c = temperature(help_text="Highest allowed temperature.")


class LastReadingSerializer(serializers.Serializer):
    temperature_c = serializers.DecimalField(max_digits=4, decimal_places=1)
    taken_at = serializers.DateTimeField()
    in_range = serializers.BooleanField()


class StorageLocationSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    has_device = serializers.SerializerMethodField()
    last_reading = serializers.SerializerMethodField()
    open_excursion = serializers.IntegerField(read_only=True, allow_null=True, help_text="Its open excursion, if any.")
    units_stored = serializers.IntegerField(read_only=True, help_text="Units in the bank's custody kept here.")

    class Meta:
        model = StorageLocation
        fields = [
            "id",
            "site",
            "site_name",
            "code",
            "name",
            "kind",
            "min_c",
            "max_c",
            "is_active",
            "has_device",
            "last_reading",
            "open_excursion",
            "units_stored",
        ]
        read_only_fields = fields

    def get_has_device(self, obj) -> bool:
        return bool(obj.device_token_hash)

    @staticmethod
    def _last(obj):
        if getattr(obj, "last_taken_at", None) is None:
            return None
        return {"temperature_c": obj.last_temperature_c, "taken_at": obj.last_taken_at, "in_range": obj.last_in_range}

    @extend_schema_field(LastReadingSerializer(allow_null=True))
    def get_last_reading(self, obj):
        last = self._last(obj)
        return LastReadingSerializer(last).data if last else None


class DeviceTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: configure the device with it (Authorization: Device <token>).")


class ReadingCreateSerializer(StrictSerializer):
    taken_at = serializers.DateTimeField()
    temperature_c = temperature()


class DeviceReadingSerializer(ReadingCreateSerializer):
    location = serializers.IntegerField(min_value=1, help_text="The storage location the device measures.")


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemperatureReading
        fields = [
            "id",
            "location",
            "taken_at",
            "temperature_c",
            "in_range",
            "source",
            "recorded_by",
            "recorded_at",
            "excursion",
        ]
        read_only_fields = fields


class ExcursionUnitSerializer(serializers.ModelSerializer):
    din = serializers.CharField(source="unit.donation.din", read_only=True)
    component = serializers.CharField(source="unit.component", read_only=True)
    product_code = serializers.CharField(source="unit.product_code", read_only=True)
    state = serializers.CharField(source="unit.state", read_only=True, help_text="The unit's state now.")
    needs_scan = serializers.SerializerMethodField(help_text="A release puts it back into stock: scan its label.")

    class Meta:
        model = ExcursionUnit
        fields = [
            "unit",
            "din",
            "component",
            "product_code",
            "state",
            "state_at_hold",
            "needs_scan",
            "decision",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    def get_needs_scan(self, obj) -> bool:
        from .services import needs_scan

        return needs_scan(obj)


class ExcursionSerializer(serializers.ModelSerializer):
    location_code = serializers.CharField(source="location.code", read_only=True, allow_null=True, default=None)
    held = ExcursionUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Excursion
        fields = [
            "id",
            "kind",
            "site",
            "location",
            "location_code",
            "transfer",
            "temperature_c",
            "status",
            "opened_at",
            "closed_at",
            "closed_by",
            "reason",
            "held",
        ]
        read_only_fields = fields


class ExcursionFilterSerializer(serializers.Serializer):  # query parameters: paging ones ride along
    status = serializers.ChoiceField(choices=["open", "closed", "all"], required=False, default="open")


class UnitDecisionSerializer(StrictSerializer):
    unit = serializers.IntegerField(min_value=1)
    decision = ClinicalChoiceField(choices=["release", "discard"])
    din = serializers.CharField(
        max_length=64, required=False, help_text="The DIN barcode (001) scanned, for a release."
    )
    product_code = serializers.CharField(
        max_length=64, required=False, help_text="The product barcode (003), for a release."
    )


class ExcursionCloseSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300, help_text="Why: the inspection, the duration, the decision's basis.")
    units = UnitDecisionSerializer(many=True, allow_empty=True)


class UnitMoveCreateSerializer(StrictSerializer):
    unit = UnitField()
    to_location = serializers.IntegerField(min_value=1, allow_null=True, help_text="None: taken out of storage.")


class UnitMoveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.IntegerField(source="unit_id")
    from_location = serializers.IntegerField(source="from_location_id", allow_null=True)
    to_location = serializers.IntegerField(source="to_location_id", allow_null=True)
    at = serializers.DateTimeField()
    by = serializers.IntegerField(source="by_id", allow_null=True)


class ScanPairSerializer(StrictSerializer):
    din = serializers.CharField(max_length=64, help_text="The DIN barcode (001) scanned.")
    product_code = serializers.CharField(max_length=64, help_text="The product barcode (003) scanned.")


class ReconciliationCreateSerializer(StrictSerializer):
    location = serializers.IntegerField(min_value=1)
    scans = ScanPairSerializer(many=True, allow_empty=True, max_length=2000)


class ReconciliationItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationItem
        fields = ["id", "kind", "unit", "din", "product_code", "resolved_at", "resolved_by", "resolution"]
        read_only_fields = fields


class ReconciliationSerializer(serializers.ModelSerializer):
    location_code = serializers.CharField(source="location.code", read_only=True)
    site = serializers.IntegerField(source="location.site_id", read_only=True)
    items = ReconciliationItemSerializer(many=True, read_only=True)
    unresolved = serializers.SerializerMethodField()

    class Meta:
        model = Reconciliation
        fields = [
            "id",
            "location",
            "location_code",
            "site",
            "at",
            "by",
            "expected",
            "counted",
            "matched",
            "unresolved",
            "items",
        ]
        read_only_fields = fields

    def get_unresolved(self, obj) -> int:
        return sum(1 for item in obj.items.all() if item.resolved_at is None)


class ResolveSerializer(StrictSerializer):
    resolution = serializers.CharField(
        max_length=300, help_text="What was found and done (e.g. found in K2, moved back)."
    )

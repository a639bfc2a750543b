from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.blood import ABO, Component
from dblood.core.serializers import StrictSerializer
from dblood.sites.models import Site

from .fields import UnitField
from .labels import label_state
from .models import BloodUnit, LabelPrint, LabelVerification, Transfer, UnitEvent

RHD_ALIASES = {"+": "+", "-": "-", "pos": "+", "neg": "-", "positive": "+", "negative": "-", " ": "+"}


class RhDQueryField(serializers.CharField):
    """RhD in a query string: '+' or '-' (a bare '+' arrives as a space), or pos/neg."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("help_text", "'+' or '-' (URL-encode '+' as %2B), or pos / neg.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = str(data).lower()
        if value == "":
            return ""
        if value not in RHD_ALIASES:
            raise serializers.ValidationError(_("Use '+', '-', 'pos' or 'neg'."))
        return RHD_ALIASES[value]


class GroupFilterSerializer(serializers.Serializer):
    abo = serializers.ChoiceField(choices=ABO.choices, required=False, allow_blank=True)
    rhd = RhDQueryField()
    component = serializers.ChoiceField(choices=Component.choices, required=False, allow_blank=True)


class StockFilterSerializer(GroupFilterSerializer):
    province = serializers.CharField(required=False, allow_blank=True, max_length=100)
    site = serializers.CharField(required=False, allow_blank=True, max_length=32, help_text="Site id or code.")


class UnitFilterSerializer(GroupFilterSerializer):
    site = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=BloodUnit.State.choices, required=False, default=BloodUnit.State.AVAILABLE)
    expires_within_days = serializers.IntegerField(
        required=False, min_value=0, max_value=400, help_text="Only units that expire within this many days."
    )


class ExpiringFilterSerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, default=7, min_value=0, max_value=400)
    site = serializers.IntegerField(required=False, min_value=1)


class StockRowSerializer(serializers.Serializer):
    site_id = serializers.IntegerField()
    site_name = serializers.CharField()
    city = serializers.CharField()
    province = serializers.CharField()
    abo = serializers.CharField()
    rhd = serializers.CharField()
    component = serializers.CharField()
    available = serializers.IntegerField()
    soonest_expiry = serializers.DateTimeField(allow_null=True)
    days_of_supply = serializers.FloatField(allow_null=True)
    level = serializers.ChoiceField(choices=["critical", "low", "adequate"])


class ProvinceTotalSerializer(serializers.Serializer):
    province = serializers.CharField()
    abo = serializers.CharField()
    rhd = serializers.CharField()
    component = serializers.CharField()
    available = serializers.IntegerField()


class NationalTotalSerializer(serializers.Serializer):
    abo = serializers.CharField()
    rhd = serializers.CharField()
    component = serializers.CharField()
    available = serializers.IntegerField()


class StockTotalsSerializer(serializers.Serializer):
    provinces = ProvinceTotalSerializer(many=True)
    national = NationalTotalSerializer(many=True)


class StockSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    results = StockRowSerializer(many=True)
    totals = StockTotalsSerializer()


class UnitSerializer(serializers.ModelSerializer):
    din = serializers.CharField(source="donation.din", read_only=True, allow_null=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    issued_to_name = serializers.CharField(source="issued_to.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = BloodUnit
        fields = [
            "id",
            "din",
            "component",
            "product_code",
            "abo",
            "rhd",
            "volume_ml",
            "site",
            "site_name",
            "state",
            "storage_location",
            "expires_at",
            "state_changed_at",
            "discard_reason",
            "issued_to",
            "issued_to_name",
            "issued_at",
        ]
        read_only_fields = fields


class UnitEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitEvent
        fields = ["from_state", "to_state", "at", "by", "reason"]
        read_only_fields = fields


class LabelStateSerializer(serializers.Serializer):
    prints = serializers.IntegerField(help_text="How many times its label was printed.")
    last_printed_at = serializers.DateTimeField(allow_null=True)
    last_kind = serializers.ChoiceField(choices=LabelPrint.Kind.choices, allow_null=True)
    current = serializers.BooleanField(
        help_text="The last label printed still says what the unit is. False when never printed, or "
        "after a change (the lab's typing, release from quarantine): print it again."
    )
    verified = serializers.BooleanField(
        help_text="The current label's DIN and product barcodes were scanned and matched the unit "
        "(POST /api/v1/units/{id}/label-verification)."
    )


class UnitDetailSerializer(UnitSerializer):
    events = UnitEventSerializer(many=True, read_only=True)
    label = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "events", "label"]
        read_only_fields = fields

    @extend_schema_field(LabelStateSerializer)
    def get_label(self, unit) -> dict:
        return label_state(unit, list(unit.label_prints.all()), list(unit.label_verifications.all()))


class DiscardSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class LabelScansSerializer(StrictSerializer):
    din = serializers.CharField(max_length=64, help_text="The DIN barcode (001) scanned from the printed label.")
    product_code = serializers.CharField(
        max_length=64, help_text="The product barcode (003) scanned from the printed label."
    )


def _temperature(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=4, decimal_places=1, min_value=-90, max_value=60, **kwargs)


class TransferReceiveSerializer(LabelScansSerializer):
    temperature_c = _temperature(
        help_text="The unit's temperature on arrival, measured: out of its transport range "
        "it is booked in only into quarantine, held by a transport excursion."
    )


class TransferDispatchSerializer(StrictSerializer):
    temperature_c = _temperature(
        required=False, allow_null=True, default=None, help_text="The unit's temperature at dispatch, when measured."
    )


class LabelVerificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = LabelVerification
        fields = ["id", "unit", "label_print", "at", "by_email", "din_scan", "product_scan", "matched", "mismatched"]
        read_only_fields = fields


class TransferCreateSerializer(TransferDispatchSerializer):
    unit = UnitField()
    to_site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True)
    )


class TransferSerializer(serializers.ModelSerializer):
    unit = UnitSerializer(read_only=True)
    from_site_name = serializers.CharField(source="from_site.name", read_only=True)
    to_site_name = serializers.CharField(source="to_site.name", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "unit",
            "from_site",
            "from_site_name",
            "to_site",
            "to_site_name",
            "status",
            "reserved",
            "requested_at",
            "sent_at",
            "sent_temperature_c",
            "received_at",
            "received_temperature_c",
            "closed_at",
            "closed_reason",
        ]
        read_only_fields = fields

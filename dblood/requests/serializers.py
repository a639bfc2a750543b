import copy

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.blood import ABO, Component, RhD
from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField, StrictModelSerializer, StrictSerializer
from dblood.donors.access import contact_visible
from dblood.inventory.fields import UnitField
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from .models import Allocation, BloodRequest


# For read-only ModelSerializers whose fields depend on nothing but their Meta: DRF works the fields
# out from the model for every instance (four times for a request with its allocations, 0.3 of the
# answer's 0.8 ms of CPU); here they are worked out once per class, and each instance gets a copy (as
# DRF gives it of declared fields). A comment, not a docstring: the schema would show a docstring.
class FieldsBuiltOnce:
    def get_fields(self):
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built
        return copy.deepcopy(built)


class SiteRefSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "city"]
        read_only_fields = fields


class AllocationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    din = serializers.CharField(source="unit.donation.din", read_only=True, allow_null=True)
    abo = serializers.CharField(source="unit.abo", read_only=True)
    rhd = serializers.CharField(source="unit.rhd", read_only=True)
    component = serializers.CharField(source="unit.component", read_only=True)
    site = serializers.IntegerField(source="unit.site_id", read_only=True)
    expires_at = serializers.DateTimeField(source="unit.expires_at", read_only=True)
    unit_state = serializers.CharField(source="unit.state", read_only=True)
    reserved_by_name = serializers.CharField(
        source="reserved_by.full_name", read_only=True, allow_null=True, default=None
    )
    transfer_status = serializers.CharField(source="transfer.status", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "unit",
            "din",
            "abo",
            "rhd",
            "component",
            "site",
            "expires_at",
            "unit_state",
            "transfer",
            "transfer_status",
            "status",
            "override_reason",
            "override_acknowledged",
            "reserved_by_name",
            "reserved_at",
            "issued_at",
            "processing_fee_idr",
            "released_at",
            "outcome",
            "reaction",
            "outcome_at",
        ]
        read_only_fields = fields


class ReplacementCodeSerializer(serializers.Serializer):
    """A request's replacement-donation code, as its hospital and blood bank see it."""

    code = serializers.SerializerMethodField(help_text="As people type it: ABCD-EFGH.")
    expires_at = serializers.DateTimeField()
    state = serializers.SerializerMethodField()
    received = serializers.SerializerMethodField(help_text="Completed donations credited to the request.")
    booked = serializers.SerializerMethodField(help_text="Bookings made with the code, still to come.")

    def _counts(self, code):
        from .replacement import replacement_counts

        if not hasattr(code, "_counts"):
            code._counts = replacement_counts(code)
        return code._counts

    def get_code(self, code) -> str:
        from .replacement import code_shown

        return code_shown(code.code)

    def get_state(self, code) -> str:
        from .replacement import replacement_state

        return replacement_state(code)

    def get_received(self, code) -> int:
        return self._counts(code).received

    def get_booked(self, code) -> int:
        return self._counts(code).booked


class ReplacementStatusSerializer(ReplacementCodeSerializer):
    """What the public page of a code says: counts and dates, nothing of the patient or the donors."""

    expires_at = serializers.SerializerMethodField()

    def get_expires_at(self, code) -> str:
        return timezone.localdate(code.expires_at).isoformat()


class BloodRequestSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    hospital = SiteRefSerializer(read_only=True)
    target_bank = SiteRefSerializer(read_only=True)
    allocations = AllocationSerializer(many=True, read_only=True)
    replacement = serializers.SerializerMethodField(help_text="Its replacement-donation code, once issued.")

    @extend_schema_field(ReplacementCodeSerializer(allow_null=True))
    def get_replacement(self, blood_request):
        from .models import ReplacementCode

        try:
            code = blood_request.replacement_code
        except ReplacementCode.DoesNotExist:
            return None
        code.request = blood_request
        return ReplacementCodeSerializer(code).data

    class Meta:
        model = BloodRequest
        fields = [
            "id",
            "hospital",
            "target_bank",
            "patient_abo",
            "patient_rhd",
            "patient_female_cbp",
            "component",
            "units",
            "urgency",
            "needed_by",
            "note",
            "status",
            "cancel_reason",
            "created_at",
            "updated_at",
            "allocations",
            "replacement",
        ]
        read_only_fields = fields


class IssueNoteLineSerializer(serializers.Serializer):
    component = serializers.CharField()
    units = serializers.IntegerField()
    fee_per_unit_idr = serializers.IntegerField(allow_null=True, help_text="Null: the bank publishes no fee for it.")
    subtotal_idr = serializers.IntegerField(allow_null=True)


class IssueNoteSerializer(serializers.Serializer):
    """What the hospital is charged for the units of one issue: the bank's processing fee (BPPD)
    per bag. Blood itself is never sold."""

    bank = serializers.CharField()
    hospital = serializers.CharField()
    issued_at = serializers.DateTimeField()
    lines = IssueNoteLineSerializer(many=True)
    total_idr = serializers.IntegerField(help_text="Sum of the lines with a published fee.")
    blood_is_not_sold = serializers.CharField()


class IssuedRequestSerializer(BloodRequestSerializer):
    """The request after an issue, with the issue note of the units just issued."""

    issue_note = IssueNoteSerializer(read_only=True)

    class Meta(BloodRequestSerializer.Meta):
        fields = [*BloodRequestSerializer.Meta.fields, "issue_note"]
        read_only_fields = fields


class BloodRequestCreateSerializer(StrictModelSerializer):
    hospital = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.filter(kind=Site.Kind.HOSPITAL, is_active=True),
        required=False,
        help_text="Needed only when you work for more than one hospital.",
    )
    target_bank = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True)
    )
    patient_abo = ClinicalChoiceField(choices=ABO.choices)
    patient_rhd = ClinicalChoiceField(choices=RhD.choices)
    patient_female_cbp = ClinicalBooleanField(help_text="Woman of childbearing potential: always answered.")
    component = ClinicalChoiceField(choices=Component.choices)
    urgency = ClinicalChoiceField(choices=BloodRequest.Urgency.choices)

    class Meta:
        model = BloodRequest
        fields = [
            "hospital",
            "target_bank",
            "patient_abo",
            "patient_rhd",
            "patient_female_cbp",
            "component",
            "units",
            "urgency",
            "needed_by",
            "note",
        ]

    def validate_needed_by(self, value):
        if value <= timezone.now():
            raise serializers.ValidationError(_("Must be in the future."))
        return value

    def validate_hospital(self, value):
        user = self.context["request"].user
        if not user.is_admin and value.pk not in user.site_ids:
            raise serializers.ValidationError(_("You do not work for this hospital."))
        return value

    def validate(self, attrs):
        if "hospital" not in attrs:
            user = self.context["request"].user
            mine = list(Site.objects.filter(kind=Site.Kind.HOSPITAL, pk__in=user.site_ids))
            if len(mine) != 1:
                raise serializers.ValidationError({"hospital": [_("Say which hospital this request is for.")]})
            attrs["hospital"] = mine[0]
        return attrs


class ProposedUnitSerializer(serializers.ModelSerializer):
    din = serializers.CharField(source="donation.din", read_only=True, allow_null=True)
    site = SiteRefSerializer(read_only=True)
    distance_km = serializers.FloatField(read_only=True)
    abo_identical = serializers.BooleanField(read_only=True)
    rhd_identical = serializers.BooleanField(read_only=True)
    transfer_needed = serializers.BooleanField(
        read_only=True, help_text="The unit is at another blood bank: reserving it requests its transfer here."
    )

    class Meta:
        model = BloodUnit
        fields = [
            "id",
            "din",
            "component",
            "abo",
            "rhd",
            "expires_at",
            "site",
            "distance_km",
            "abo_identical",
            "rhd_identical",
            "transfer_needed",
        ]
        read_only_fields = fields


class ReserveSerializer(StrictSerializer):
    units = serializers.ListField(child=UnitField(), min_length=1, max_length=50)
    override_reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    # Needed, as true, only for an RhD override for a woman of childbearing potential.
    override_acknowledged = serializers.BooleanField(required=False, default=False)

    def validate_units(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("A unit is listed twice."))
        return value


class IssueSerializer(StrictSerializer):
    units = serializers.ListField(
        child=UnitField(),
        required=False,
        max_length=50,
        help_text="Units to issue; all reserved ones when omitted.",
    )


class CancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class ReturnDetailsSerializer(StrictSerializer):
    """An untransfused unit goes back to the bank through the returns flow (returns.services)."""

    left_storage_at = serializers.DateTimeField(help_text="When the unit left controlled storage.")
    temperature_c = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=-40, max_value=45, help_text="The unit's temperature now."
    )
    validated_box = ClinicalBooleanField(help_text="Kept in a validated transport box since it left storage.")


class OutcomeSerializer(StrictSerializer):
    """`transfused: false` needs `return_details`: the unit is handed back through the returns flow
    (the bank inspects it), never left `issued`. A coded transfusion reaction is reported at
    /transfusion-reactions; `reaction` stays a free note."""

    unit = UnitField()
    transfused = ClinicalBooleanField()
    reaction = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    return_details = ReturnDetailsSerializer(required=False)

    def validate(self, attrs):
        if attrs["transfused"] is False and "return_details" not in attrs:
            raise serializers.ValidationError(
                {"return_details": [_("An untransfused unit is returned to the blood bank: say how it was kept.")]}
            )
        if attrs["transfused"] is True and "return_details" in attrs:
            raise serializers.ValidationError({"return_details": [_("A transfused unit is not returned.")]})
        return attrs


class CallOutStartSerializer(StrictSerializer):
    radius_km = serializers.IntegerField(min_value=1, max_value=200, required=False)
    donors_wanted = serializers.IntegerField(min_value=1, max_value=500, required=False)
    come_by = serializers.DateTimeField(required=False, help_text="Defaults to the request's needed-by time.")

    def validate_come_by(self, value):
        if value <= timezone.now():
            raise serializers.ValidationError(_("Must be in the future."))
        return value


class ResponderSerializer(serializers.Serializer):
    """A donor who answered. Phone and email only where `donors.access.contact_visible` allows
    (the donor chose to share them, or gave blood at the bank: `gave_here`)."""

    id = serializers.IntegerField(help_text="The answer's id: the contact relay's conversations are about one answer.")
    name = serializers.CharField(source="donor.user.full_name")
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField()
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()

    def get_phone(self, obj) -> str | None:
        return obj.donor.phone if contact_visible(obj.donor) else None

    def get_email(self, obj) -> str | None:
        return obj.donor.user.email if contact_visible(obj.donor) else None


class CallOutCountsSerializer(serializers.Serializer):
    asked = serializers.IntegerField()
    coming = serializers.IntegerField()
    cant = serializers.IntegerField()


class CallOutStaffSerializer(serializers.ModelSerializer):
    collection_site = SiteRefSerializer(read_only=True)
    counts = serializers.SerializerMethodField()
    responders = ResponderSerializer(source="responses", many=True, read_only=True)

    class Meta:
        from .models import CallOut

        model = CallOut
        fields = [
            "id",
            "request",
            "collection_site",
            "donation_type",
            "radius_km",
            "donors_wanted",
            "come_by",
            "status",
            "exhausted",
            "last_batch_at",
            "created_at",
            "counts",
            "responders",
        ]
        read_only_fields = fields

    @staticmethod
    def get_counts(obj) -> CallOutCountsSerializer:
        return {"asked": obj.asked, "coming": obj.n_coming, "cant": obj.n_cant}


class CallOutSiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name", "address", "city", "latitude", "longitude", "phone", "opening_hours"]
        read_only_fields = fields


class CallOutDonorSerializer(serializers.ModelSerializer):
    """What a donor sees: where and when to come, the group needed, their own answer."""

    collection_site = CallOutSiteSerializer(read_only=True)
    blood_group = serializers.SerializerMethodField()
    my_answer = serializers.CharField(read_only=True, allow_null=True)
    my_response = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The id of the donor's answer, for the contact relay."
    )
    why_not = serializers.SerializerMethodField()

    class Meta:
        from .models import CallOut

        model = CallOut
        fields = [
            "id",
            "collection_site",
            "blood_group",
            "donation_type",
            "come_by",
            "status",
            "my_answer",
            "my_response",
            "why_not",
        ]
        read_only_fields = fields

    def get_why_not(self, obj) -> list[str]:
        """Why this donor cannot come and give by the come-by time (empty: they can answer coming)."""
        from .callouts import call_out_why_not

        eligibility = self.context.get("eligibility")
        return [] if eligibility is None else call_out_why_not(call_out=obj, eligibility=eligibility)

    @staticmethod
    def get_blood_group(obj) -> str:
        return f"{obj.request.patient_abo}{obj.request.patient_rhd}"


class CallOutAnswerSerializer(StrictSerializer):
    answer = serializers.ChoiceField(choices=["coming", "cant"])

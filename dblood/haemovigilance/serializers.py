from rest_framework import serializers

from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField, StrictSerializer
from dblood.inventory.fields import UnitField

from .codes import (
    ComplicationCategory,
    ComplicationOutcome,
    ComplicationSeverity,
    DonorSymptom,
    FollowUp,
    Imputability,
    Onset,
    ReactionCategory,
    ReactionSeverity,
    Sign,
)
from .models import DonorComplication, ReactionUnit, TransfusionReaction


# --- donor complications --------------------------------------------------------------------------
class ComplicationCodesSerializer(StrictSerializer):
    """The ISBT 2014 coding: every field explicit, none defaulted."""

    category = ClinicalChoiceField(choices=ComplicationCategory.choices)
    severity = ClinicalChoiceField(choices=ComplicationSeverity.choices)
    onset = ClinicalChoiceField(choices=Onset.choices)
    outcome = ClinicalChoiceField(choices=ComplicationOutcome.choices)
    follow_up = ClinicalChoiceField(choices=FollowUp.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ComplicationCreateSerializer(ComplicationCodesSerializer):
    donation = serializers.IntegerField(min_value=1, help_text="The donation's id.")
    occurred_at = serializers.DateTimeField(help_text="When it began (also days after the collection).")


class ComplicationFollowUpSerializer(StrictSerializer):
    outcome = ClinicalChoiceField(choices=ComplicationOutcome.choices)
    follow_up = ClinicalChoiceField(choices=FollowUp.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class DonorReportSerializer(StrictSerializer):
    donation = serializers.IntegerField(min_value=1, help_text="One of your donations.")
    symptoms = serializers.ListField(
        child=ClinicalChoiceField(choices=DonorSymptom.choices), allow_empty=False, max_length=len(DonorSymptom)
    )
    occurred_at = serializers.DateTimeField(help_text="When it began.")
    still_unwell = ClinicalBooleanField(help_text="Do you still feel it?")
    description = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ComplicationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DonorComplication.Status.choices, required=False)
    donation = serializers.IntegerField(min_value=1, required=False)


class DonorComplicationSerializer(serializers.ModelSerializer):
    """Staff view: the coding, the donor's own words if they reported it, the donation's DIN."""

    din = serializers.CharField(source="donation.din", read_only=True, allow_null=True)
    donor_number = serializers.CharField(source="donation.donor.donor_number", read_only=True)
    collected_at = serializers.DateTimeField(source="donation.collected_at", read_only=True)

    class Meta:
        model = DonorComplication
        fields = [
            "id",
            "donation",
            "din",
            "donor_number",
            "collected_at",
            "site",
            "status",
            "category",
            "severity",
            "onset",
            "outcome",
            "follow_up",
            "note",
            "occurred_at",
            "donor_symptoms",
            "donor_still_unwell",
            "donor_description",
            "reported_at",
            "recorded_at",
            "updated_at",
            "alerted",
        ]
        read_only_fields = fields


class MyComplicationSerializer(serializers.ModelSerializer):
    """A donor's view of their own reports: what they said, and whether the bank has looked at it."""

    seen_by_bank = serializers.SerializerMethodField()
    place = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = DonorComplication
        fields = [
            "id",
            "donation",
            "place",
            "occurred_at",
            "donor_symptoms",
            "donor_still_unwell",
            "donor_description",
            "reported_at",
            "seen_by_bank",
        ]
        read_only_fields = fields

    def get_seen_by_bank(self, obj) -> bool:
        return obj.status == DonorComplication.Status.RECORDED


# --- transfusion reactions ------------------------------------------------------------------------
class ReactionCreateSerializer(StrictSerializer):
    units = serializers.ListField(child=UnitField(), allow_empty=False, max_length=20)
    category = ClinicalChoiceField(choices=ReactionCategory.choices)
    severity = ClinicalChoiceField(choices=ReactionSeverity.choices)
    imputability = ClinicalChoiceField(choices=Imputability.choices)
    transfusion_started_at = serializers.DateTimeField()
    onset_at = serializers.DateTimeField(help_text="When the first sign appeared.")
    signs = serializers.ListField(
        child=ClinicalChoiceField(choices=Sign.choices), allow_empty=False, max_length=len(Sign)
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReactionConcludeSerializer(StrictSerializer):
    category = ClinicalChoiceField(choices=ReactionCategory.choices)
    severity = ClinicalChoiceField(choices=ReactionSeverity.choices)
    imputability = ClinicalChoiceField(choices=Imputability.choices)
    conclusion = serializers.CharField(max_length=2000)


class ReactionLookbackSerializer(StrictSerializer):
    unit = UnitField()


class ReactionDeferSerializer(StrictSerializer):
    unit = UnitField()
    reason_code = serializers.CharField(max_length=50)
    ends_on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReactionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TransfusionReaction.Status.choices, required=False)


class ReactionUnitSerializer(serializers.ModelSerializer):
    din = serializers.CharField(source="unit.donation.din", read_only=True)
    component = serializers.CharField(source="unit.component", read_only=True)
    state = serializers.CharField(source="unit.state", read_only=True)

    class Meta:
        model = ReactionUnit
        fields = ["unit", "din", "component", "state", "recall", "deferral"]
        read_only_fields = fields

    absent_for_some = ("recall", "deferral")  # the bank's view only (dblood.core.schema)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("bank_view"):
            # What the bank did about the donor is the donor's health data: not the hospital's.
            data.pop("recall"), data.pop("deferral")
        return data


class TransfusionReactionSerializer(serializers.ModelSerializer):
    units = ReactionUnitSerializer(source="implicated", many=True, read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    bank_name = serializers.CharField(source="bank.name", read_only=True)

    class Meta:
        model = TransfusionReaction
        fields = [
            "id",
            "status",
            "hospital",
            "hospital_name",
            "bank",
            "bank_name",
            "request",
            "units",
            "category",
            "severity",
            "imputability",
            "transfusion_started_at",
            "onset_at",
            "minutes_from_start",
            "signs",
            "note",
            "reported_at",
            "investigation_started_at",
            "concluded_category",
            "concluded_severity",
            "concluded_imputability",
            "conclusion",
            "concluded_at",
            "alerted",
        ]
        read_only_fields = fields

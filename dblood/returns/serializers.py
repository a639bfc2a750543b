from rest_framework import serializers

from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField, StrictSerializer
from dblood.inventory.fields import UnitField

from .models import UnitReturn
from .services import problem_messages


class UnitReturnCreateSerializer(StrictSerializer):
    unit = UnitField()
    left_storage_at = serializers.DateTimeField(help_text="When the unit left controlled storage.")
    temperature_c = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=-40, max_value=45, help_text="The unit's temperature now."
    )
    validated_box = ClinicalBooleanField(help_text="Kept in a validated transport box since it left storage.")


class UnitReturnDecideSerializer(StrictSerializer):
    decision = ClinicalChoiceField(choices=[UnitReturn.Decision.RESTOCKED, UnitReturn.Decision.DISCARDED])
    seal_intact = ClinicalBooleanField(help_text="The bank's inspection of the bag.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class UnitReturnSerializer(serializers.ModelSerializer):
    din = serializers.CharField(source="unit.donation.din", read_only=True)
    component = serializers.CharField(source="unit.component", read_only=True)
    state = serializers.CharField(source="unit.state", read_only=True, help_text="The unit's state now.")
    within_limits = serializers.BooleanField(read_only=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = UnitReturn
        fields = [
            "id",
            "unit",
            "din",
            "component",
            "state",
            "hospital",
            "bank",
            "left_storage_at",
            "temperature_c",
            "validated_box",
            "returned_at",
            "returned_by",
            "minutes_out",
            "within_limits",
            "problems",
            "decision",
            "seal_intact",
            "note",
            "decided_at",
            "decided_by",
        ]
        read_only_fields = fields

    def get_problems(self, obj: UnitReturn) -> list[str]:
        return problem_messages(obj.limit_problems)

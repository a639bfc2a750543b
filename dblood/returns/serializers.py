from rest_framework import serializers

from dblood.core.serializers import StrictSerializer

from .models import UnitReturn
from .services import problem_messages


class ExplicitBooleanField(serializers.BooleanField):
    """A yes/no that must be said: a missing form or multipart value is "required", not false,
    and only true/false (JSON, or the strings) are answers."""

    default_empty_html = serializers.empty
    TRUE_VALUES = {True, "true", "True"}
    FALSE_VALUES = {False, "false", "False"}
    NULL_VALUES: set = set()

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        if isinstance(data, str) and data in {"true", "True", "false", "False"}:
            return data in {"true", "True"}
        self.fail("invalid", input=str(data)[:20])


class UnitReturnCreateSerializer(StrictSerializer):
    unit = serializers.IntegerField(min_value=1)
    left_storage_at = serializers.DateTimeField(help_text="When the unit left controlled storage.")
    temperature_c = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=-40, max_value=45, help_text="The unit's temperature now."
    )
    validated_box = ExplicitBooleanField(help_text="Kept in a validated transport box since it left storage.")


class UnitReturnDecideSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[UnitReturn.Decision.RESTOCKED, UnitReturn.Decision.DISCARDED])
    seal_intact = ExplicitBooleanField(help_text="The bank's inspection of the bag.")
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

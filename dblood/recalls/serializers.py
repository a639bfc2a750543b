from rest_framework import serializers

from .models import Recall, RecallUnit


class RecallFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*Recall.Status.choices, ("all", "All")], required=False, default=Recall.Status.OPEN
    )


class RecallUnitSerializer(serializers.ModelSerializer):
    """A traced unit: what it was when traced, what the lookback did, and what it is now."""

    unit = serializers.IntegerField(source="unit_id", read_only=True)
    din = serializers.CharField(source="unit.donation.din", read_only=True)
    component = serializers.CharField(source="unit.component", read_only=True)
    state = serializers.CharField(source="unit.state", read_only=True, help_text="Its state now.")
    discard_reason = serializers.CharField(source="unit.discard_reason", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)
    to_site = serializers.IntegerField(source="transfer.to_site_id", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RecallUnit
        fields = [
            "unit",
            "din",
            "component",
            "state_at_trace",
            "action",
            "site",
            "site_name",
            "transfer",
            "to_site",
            "notified",
            "state",
            "discard_reason",
        ]
        read_only_fields = fields


class RecallSerializer(serializers.ModelSerializer):
    """Staff of the opening bank see every traced unit and the donation that opened the recall;
    staff of another bank only the units held at (or on their way to) their banks."""

    site_name = serializers.CharField(source="site.name", read_only=True)
    donation = serializers.SerializerMethodField()
    window_start = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()

    class Meta:
        model = Recall
        fields = ["id", "status", "site", "site_name", "opened_at", "closed_at", "window_start", "donation", "units"]
        read_only_fields = fields

    def _opener(self, recall: Recall) -> bool:
        return recall.site_id in self.context["site_ids"]

    def get_donation(self, recall: Recall) -> dict | None:
        if not self._opener(recall):
            return None
        return {"id": recall.donation_id, "din": recall.donation.din}

    def get_window_start(self, recall: Recall) -> str | None:
        return serializers.DateTimeField().to_representation(recall.window_start) if self._opener(recall) else None

    @staticmethod
    def _concerns(row: RecallUnit, site_ids) -> bool:
        return row.site_id in site_ids or (row.transfer is not None and row.transfer.to_site_id in site_ids)

    def get_units(self, recall: Recall) -> list[dict]:
        site_ids = self.context["site_ids"]
        rows = list(recall.traced.all())
        if not self._opener(recall):
            rows = [row for row in rows if self._concerns(row, site_ids)]
        return RecallUnitSerializer(rows, many=True).data

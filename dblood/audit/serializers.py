from rest_framework import serializers

from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "actor_email", "action", "model", "object_id", "before", "after"]
        read_only_fields = fields


class AuditFilterSerializer(serializers.Serializer):
    """Query-string filters (other parameters, like page, are the paginator's)."""

    model = serializers.CharField(required=False, max_length=100, help_text="e.g. donors.Donor")
    object_id = serializers.CharField(required=False, max_length=64)
    actor = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

from rest_framework import serializers

# A hostile body can carry thousands of unknown (or huge) keys: name a few, not all of them.
_MAX_UNKNOWN_REPORTED = 20
_MAX_NAME_LENGTH = 64


class StrictSerializerMixin:
    """Reject fields the serializer does not accept, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                names = [str(name)[:_MAX_NAME_LENGTH] for name in unknown[:_MAX_UNKNOWN_REPORTED]]
                raise serializers.ValidationError({name: ["Unknown or read-only field."] for name in names})
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass

from django.utils.translation import gettext as _
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
                raise serializers.ValidationError({name: [_("Unknown or read-only field.")] for name in names})
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


# Clinical fields: a value nobody entered must never be recorded. DRF's BooleanField reads a missing
# HTML-form (or multipart) value as false, and any field with a default fills in what was not said;
# these fields are always required, take no default, and accept only an explicit answer.
class ClinicalFieldMixin:
    def __init__(self, **kwargs):
        for forbidden in ("default", "required", "allow_null"):
            if forbidden in kwargs:
                raise TypeError(f"A clinical field takes no {forbidden!r}: every clinical value is explicit.")
        super().__init__(**kwargs)


class ClinicalBooleanField(ClinicalFieldMixin, serializers.BooleanField):
    """A yes/no clinical answer: JSON true/false, or the strings "true"/"false" in a form."""

    default_empty_html = serializers.empty
    default_error_messages = {"invalid": 'Answer true or false: "{input}" is not an answer.'}
    TRUE_VALUES = {"true", "True"}
    FALSE_VALUES = {"false", "False"}
    NULL_VALUES = set()

    def to_internal_value(self, data):
        # Not `data in TRUE_VALUES`: 1 == True, and "1", "on" or "yes" are not an answer here.
        if data is True or data is False:
            return data
        if isinstance(data, str) and data in self.TRUE_VALUES | self.FALSE_VALUES:
            return data in self.TRUE_VALUES
        self.fail("invalid", input=str(data)[:_MAX_NAME_LENGTH])


class ClinicalChoiceField(ClinicalFieldMixin, serializers.ChoiceField):
    """One of the clinical choices, named explicitly: never blank, never a default."""

    def __init__(self, **kwargs):
        if kwargs.get("allow_blank"):
            raise TypeError("A clinical choice is never blank.")
        super().__init__(**kwargs)

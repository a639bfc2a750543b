"""OpenAPI: every operation documents the shared error shape for the errors it can return."""

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors by request field name.",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    "400": "Invalid input; `fields` names each bad field.",
    "401": "Missing, unknown or expired token.",
    "403": "Authenticated but not allowed.",
    "404": "Not found (or not yours).",
    "405": "Method not allowed.",
    "409": "Conflicts with the current state.",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests; see Retry-After.",
    "500": "Server error.",
    "503": "A backing service is unavailable; retry shortly.",
}


def _blank_in_model(field) -> bool:
    """A read-only model field that may hold "" (blank=True): DRF drops `allow_blank` from the
    serializer fields it builds read-only, so without this the schema would promise a choice or a
    value where the api answers "" (an untyped donation's typed_abo, an outcome not yet recorded)."""
    if not field.read_only or getattr(field, "allow_blank", True) or len(getattr(field, "source_attrs", [])) != 1:
        return False
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    try:
        return bool(model and model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERROR_DESCRIPTIONS.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = description
            elif not responses[code].get("content"):
                # An operation that only describes an error in its own words still answers the shared shape.
                own = responses[code].get("description")
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code]["description"] = own or description
        return responses

    def _map_basic_serializer(self, serializer, direction):
        """A serializer's `absent_for_some` fields are left out of some callers' answers (health
        data the reader may not see): documented, but not as required."""
        schema = super()._map_basic_serializer(serializer, direction)
        absent = set(getattr(serializer, "absent_for_some", ()))
        if absent and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in absent]
            if not schema["required"]:
                del schema["required"]
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if _blank_in_model(field):
            field = copy.copy(field)
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

"""application/fhir+json in and out (plain application/json is taken and given too)."""

from rest_framework.renderers import JSONRenderer

from dblood.core.parsers import JSONParser

from .codes import MEDIA_TYPE


class FhirJSONParser(JSONParser):
    media_type = MEDIA_TYPE


class JsonPatchParser(JSONParser):
    media_type = "application/json-patch+json"


class FhirJSONRenderer(JSONRenderer):
    media_type = MEDIA_TYPE
    format = "fhir"
    charset = "utf-8"


class PlainJSONRenderer(JSONRenderer):
    """For clients that ask for application/json: the same resources."""

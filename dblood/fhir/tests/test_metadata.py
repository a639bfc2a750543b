"""The CapabilityStatement lists exactly what the routes serve, and parses back with the library."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from dblood.fhir import codes
from dblood.fhir.tests.conftest import FhirClient

# An HTTP method on a type-level route (/ServiceRequest) or an instance route (/ServiceRequest/<id>)
# is this FHIR interaction (FHIR RESTful API).
TYPE_LEVEL = {"POST": "create", "GET": "search-type"}
INSTANCE_LEVEL = {"GET": "read", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    return [(route, callback) for route, callback in walk(get_resolver().url_patterns) if route.startswith("fhir/r4/")]


def interactions_from_routes() -> dict[str, set[str]]:
    """resource type -> interactions, read off the URL configuration and the methods each view has."""
    found: dict[str, set[str]] = {}
    for route, callback in _routes():
        match = re.fullmatch(r"fhir/r4/([A-Z][A-Za-z]+)(/<int:pk>)?", route)
        if not match:
            continue  # metadata, the token endpoint
        cls = callback.view_class
        table = INSTANCE_LEVEL if match.group(2) else TYPE_LEVEL
        methods = {m.upper() for m in cls.http_method_names if hasattr(cls, m) and m not in ("options", "head")}
        found.setdefault(match.group(1), set()).update(table[m] for m in methods)
    return found


@pytest.mark.django_db
def test_metadata_is_a_capability_statement_listing_exactly_the_routes():
    response = FhirClient().get("/fhir/r4/metadata")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(codes.MEDIA_TYPE)
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == codes.FHIR_VERSION
    listed = {r.type: {i.code for i in r.interaction} for r in statement.rest[0].resource}
    assert listed == interactions_from_routes()
    assert listed["ServiceRequest"] == {"create", "read", "update", "patch"}
    token = statement.rest[0].security.extension[0].extension[0].valueUri
    assert token.endswith("/fhir/r4/auth/token")


@pytest.mark.django_db
def test_plain_json_is_served_too_and_other_formats_are_refused():
    client = FhirClient()
    client.headers["HTTP_ACCEPT"] = "application/json"
    assert client.get("/fhir/r4/metadata")["Content-Type"].startswith("application/json")
    client.headers["HTTP_ACCEPT"] = "application/fhir+xml"
    response = client.get("/fhir/r4/metadata")
    assert response.status_code == 406

"""Odd input never reaches a 500: each is a 4xx OperationOutcome (the conforming client checks the body)."""

import pytest

from dblood.fhir.tests.conftest import order

BIG = "9" * 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("GET", f"/fhir/r4/ServiceRequest/{BIG}", None, None),
        ("GET", f"/fhir/r4/BiologicallyDerivedProduct/{BIG}", None, None),
        ("GET", f"/fhir/r4/SupplyDelivery/{BIG}", None, None),
        ("PUT", f"/fhir/r4/ServiceRequest/{BIG}", {}, None),
        ("POST", "/fhir/r4/ServiceRequest", "[[[[[[" * 3000, "raw"),
        ("POST", "/fhir/r4/ServiceRequest", "{not json", "raw"),
        ("POST", "/fhir/r4/ServiceRequest", [1, 2], None),
        ("POST", "/fhir/r4/ServiceRequest", {"resourceType": "Patient"}, None),
        ("POST", "/fhir/r4/ServiceRequest", "resourceType=ServiceRequest", "application/x-www-form-urlencoded"),
        ("POST", "/fhir/r4/Observation", {"resourceType": "Observation", "status": 5}, None),
        ("POST", "/fhir/r4/AdverseEvent", {"resourceType": "AdverseEvent"}, None),
        ("DELETE", "/fhir/r4/ServiceRequest/1", None, None),
    ],
)
def test_odd_input_is_a_4xx_outcome(fhir, method, path, body, content_type):
    if body is None:
        response = fhir.client.generic(method, path, **fhir.headers)
    elif content_type == "raw":
        response = fhir.client.generic(method, path, body, content_type="application/fhir+json", **fhir.headers)
    elif content_type:
        response = fhir.client.generic(method, path, body, content_type=content_type, **fhir.headers)
    else:
        return assert_4xx(fhir.send(method, path, body))
    assert_4xx(response)


def assert_4xx(response):
    from dblood.fhir.tests.conftest import conforming

    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    conforming(response)


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["identifier", "identifier=", "name=x", "identifier=|", f"identifier={'x' * 300}"])
def test_odd_if_none_exist_is_a_4xx_or_a_create(fhir, bank_a, header):
    response = fhir.post("/fhir/r4/ServiceRequest", order(bank_a), HTTP_IF_NONE_EXIST=header)
    assert response.status_code in (201, 400), response.content

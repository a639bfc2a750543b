"""Hospital systems as the FHIR endpoint sees them: an OAuth2 client per hospital, a real token
from the token endpoint, and a client that speaks application/fhir+json."""

import base64
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from dblood.fhir import codes
from dblood.fhir.clients import hospital_client_create
from testing.personas import make_site

ALL_SCOPES = (
    "system/ServiceRequest.read system/ServiceRequest.write "
    "system/BiologicallyDerivedProduct.read system/SupplyDelivery.read "
    "system/Observation.write system/AdverseEvent.write"
)


class FhirClient:
    """A hospital system: JSON in and out as application/fhir+json, with its bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client(raise_request_exception=False)
        self.headers = {"HTTP_ACCEPT": codes.MEDIA_TYPE}
        if token:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def get(self, path, **extra):
        return conforming(self.client.get(path, **self.headers, **extra))

    def send(self, method, path, body, content_type=codes.MEDIA_TYPE, **extra):
        return conforming(
            self.client.generic(method, path, json.dumps(body), content_type=content_type, **self.headers, **extra)
        )

    def post(self, path, body, **extra):
        return self.send("POST", path, body, **extra)


def conforming(response):
    """Every resource the server emits parses back with the FHIR library as the type it claims to be
    (an OperationOutcome for every error), as application/fhir+json (or the application/json asked for)."""
    if response.status_code == 406:
        return response
    assert response["Content-Type"].startswith((codes.MEDIA_TYPE, "application/json")), response["Content-Type"]
    body = json.loads(response.content)
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    if response.status_code >= 400:
        assert body["resourceType"] == "OperationOutcome", body
    return response


def token_for(application, secret, scope=ALL_SCOPES) -> str:
    """A token from the real token endpoint (client credentials, HTTP Basic client authentication)."""
    basic = base64.b64encode(f"{application.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/fhir/r4/auth/token",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def hospital_system(hospital):
    """Hospital H's system: its OAuth2 client and secret."""
    return hospital_client_create(hospital=hospital, name="SIMRS H")


@pytest.fixture
def fhir(hospital_system):
    application, secret = hospital_system
    return FhirClient(token_for(application, secret))


@pytest.fixture
def other_hospital(bank_b):
    return make_site("hosp-k", kind="hospital", name="RS K", verified_by=bank_b)


@pytest.fixture
def other_fhir(other_hospital):
    application, secret = hospital_client_create(hospital=other_hospital, name="SIMRS K")
    return FhirClient(token_for(application, secret))


def order(bank, **changes) -> dict:
    """A ServiceRequest for 2 units of red cells for an O RhD negative woman of childbearing potential."""
    body = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "http://rs-h.example/order", "value": "ORD-1001"}],
        "status": "active",
        "intent": "order",
        "priority": "urgent",
        "code": {"coding": [{"system": codes.COMPONENT_SYSTEM, "code": "PRC"}]},
        "quantityQuantity": {"value": 2},
        "subject": {"identifier": {"system": "http://rs-h.example/mrn", "value": "MRN-77"}},
        "occurrenceDateTime": (timezone.now() + timedelta(hours=4)).isoformat(),
        "performer": [{"identifier": {"system": codes.SITE_SYSTEM, "value": bank.code}}],
        "extension": [
            {
                "url": codes.EXT_PATIENT_BLOOD_GROUP,
                "valueCodeableConcept": {"coding": [{"system": codes.ISBT_ABO_RHD_SYSTEM, "code": "95"}]},
            },
            {"url": codes.EXT_PATIENT_CHILDBEARING, "valueBoolean": True},
        ],
    }
    body.update(changes)
    return body

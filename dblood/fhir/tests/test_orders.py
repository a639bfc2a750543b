"""Orders in: a hospital system's ServiceRequest becomes a blood request, through the request service."""

from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest

from dblood.audit.models import AuditEvent
from dblood.fhir import codes
from dblood.fhir.models import FhirInteraction
from dblood.fhir.tests.conftest import FhirClient, order, token_for
from dblood.requests.models import BloodRequest

URL = "/fhir/r4/ServiceRequest"


def _outcome(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(codes.MEDIA_TYPE)
    return OperationOutcome.model_validate_json(response.content)


def _expressions(response, status=400):
    return {e for issue in _outcome(response, status).issue for e in issue.expression or []}


@pytest.mark.django_db
def test_a_service_request_becomes_a_blood_request(fhir, hospital, bank_a):
    response = fhir.post(URL, order(bank_a, priority="stat"))
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith(codes.MEDIA_TYPE)
    created = ServiceRequest.model_validate_json(response.content)
    blood_request = BloodRequest.objects.get(pk=int(created.id))
    assert response["Location"].endswith(f"/fhir/r4/ServiceRequest/{blood_request.pk}")
    assert (blood_request.hospital, blood_request.target_bank) == (hospital, bank_a)
    assert (blood_request.patient_abo, blood_request.patient_rhd, blood_request.patient_female_cbp) == ("O", "-", True)
    assert (blood_request.component, blood_request.units) == ("PRC", 2)
    assert blood_request.urgency == BloodRequest.Urgency.EMERGENCY
    assert blood_request.created_by.memberships.get().site == hospital
    assert (created.status, created.priority) == ("active", "stat")
    assert created.subject.identifier.value == "MRN-77"
    assert created.requester.reference == f"Organization/{hospital.pk}"
    assert created.performer[0].identifier.value == bank_a.code
    read = fhir.get(f"{URL}/{blood_request.pk}")
    assert ServiceRequest.model_validate_json(read.content).identifier[0].value == "ORD-1001"


@pytest.mark.django_db
def test_an_isbt_128_product_description_code_names_the_component(fhir, bank_a):
    from dblood.inventory.components import kind

    code = kind("FFP").isbt_product_codes[0]
    body = order(bank_a, code={"coding": [{"system": codes.ISBT_PRODUCT_DESCRIPTION_SYSTEM, "code": code}]})
    response = fhir.post(URL, body)
    assert response.status_code == 201, response.content
    assert BloodRequest.objects.get().component == "FFP"


@pytest.mark.django_db
def test_if_none_exist_makes_a_retry_return_the_first_order(fhir, bank_a):
    header = {"HTTP_IF_NONE_EXIST": "identifier=http://rs-h.example/order|ORD-1001"}
    first = fhir.post(URL, order(bank_a), **header)
    again = fhir.post(URL, order(bank_a), **header)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert BloodRequest.objects.count() == 1
    # Without the header a second order with the same identifier is refused, not duplicated.
    assert "ServiceRequest.identifier" in _expressions(fhir.post(URL, order(bank_a)), 409)
    assert BloodRequest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"priority": None}, "ServiceRequest.priority"),
        ({"quantityQuantity": {"value": "two"}}, "ServiceRequest.quantityQuantity.value"),
        ({"quantityQuantity": {"value": 80}}, "ServiceRequest.quantityQuantity.value"),
        ({"occurrenceDateTime": None}, "ServiceRequest.occurrenceDateTime"),
        ({"code": {"coding": [{"system": "http://loinc.org", "code": "x"}]}}, "ServiceRequest.code"),
        ({"subject": {"reference": "Patient/1", "display": "Siti Aminah"}}, "ServiceRequest.subject"),
        ({"performer": [{"reference": "Organization/999999"}]}, "ServiceRequest.performer"),
        ({"intent": "proposal"}, "ServiceRequest.intent"),
        ({"extension": []}, f"ServiceRequest.extension('{codes.EXT_PATIENT_CHILDBEARING}')"),
        ({"bloodGroup": "O-"}, "ServiceRequest.bloodGroup"),
        ({"identifier": [{"value": 5}]}, "ServiceRequest.identifier[0].value"),
    ],
)
def test_a_bad_resource_is_an_operation_outcome_naming_the_element(fhir, bank_a, change, path):
    body = {key: value for key, value in {**order(bank_a), **change}.items() if value is not None}
    response = fhir.post(URL, body)
    assert path in _expressions(response), response.content
    assert BloodRequest.objects.count() == 0


@pytest.mark.django_db
def test_the_request_services_own_checks_answer_on_the_fhir_element(fhir, bank_a):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert "ServiceRequest.occurrenceDateTime" in _expressions(fhir.post(URL, order(bank_a, occurrenceDateTime=past)))
    assert BloodRequest.objects.count() == 0


@pytest.mark.django_db
def test_a_client_orders_only_for_its_own_hospital(fhir, bank_a, other_hospital):
    body = order(bank_a, requester={"reference": f"Organization/{other_hospital.pk}"})
    assert "ServiceRequest.requester" in _expressions(fhir.post(URL, body))


@pytest.mark.django_db
def test_a_hospital_system_sees_only_its_hospitals_orders(fhir, other_fhir, bank_a):
    created = fhir.post(URL, order(bank_a)).json()
    assert _outcome(other_fhir.get(f"{URL}/{created['id']}"), 404)
    assert fhir.get(f"{URL}/{created['id']}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["put", "patch"])
def test_status_revoked_cancels_through_the_cancel_service(fhir, bank_a, how):
    created = fhir.post(URL, order(bank_a)).json()
    url = f"{URL}/{created['id']}"
    if how == "put":
        response = fhir.send("PUT", url, {**created, "status": "revoked"})
    else:
        patch = [{"op": "replace", "path": "/status", "value": "revoked"}]
        response = fhir.send("PATCH", url, patch, content_type="application/json-patch+json")
    assert response.status_code == 200, response.content
    assert ServiceRequest.model_validate_json(response.content).status == "revoked"
    assert BloodRequest.objects.get().status == BloodRequest.Status.CANCELLED


@pytest.mark.django_db
def test_no_other_change_is_taken(fhir, bank_a):
    created = fhir.post(URL, order(bank_a)).json()
    url = f"{URL}/{created['id']}"
    assert "ServiceRequest.status" in _expressions(fhir.send("PUT", url, {**created, "status": "on-hold"}), 422)
    patch = [{"op": "replace", "path": "/priority", "value": "routine"}]
    _outcome(fhir.send("PATCH", url, patch, content_type="application/json-patch+json"), 422)
    assert BloodRequest.objects.get().status == BloodRequest.Status.SUBMITTED


@pytest.mark.django_db
def test_scopes_and_tokens(hospital_system, bank_a):
    application, secret = hospital_system
    reader = FhirClient(token_for(application, secret, scope="system/ServiceRequest.read"))
    _outcome(reader.post(URL, order(bank_a)), 403)
    assert BloodRequest.objects.count() == 0
    _outcome(FhirClient("not-a-token").get(f"{URL}/1"), 401)
    _outcome(FhirClient().get(f"{URL}/1"), 401)


@pytest.mark.django_db
def test_tokens_are_short_lived(hospital_system, bank_a):
    import time_machine

    application, secret = hospital_system
    client = FhirClient(token_for(application, secret))
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        _outcome(client.post(URL, order(bank_a)), 401)


@pytest.mark.django_db
def test_every_interaction_is_audited(fhir, hospital_system, bank_a):
    application, _secret = hospital_system
    created = fhir.post(URL, order(bank_a)).json()
    fhir.get(f"{URL}/{created['id']}")
    fhir.get(f"{URL}/999999")
    rows = list(FhirInteraction.objects.order_by("id").values_list("interaction", "resource_id", "status", "client_id"))
    assert rows == [
        ("create", created["id"], 201, application.client_id),
        ("read", created["id"], 200, application.client_id),
        ("read", "999999", 404, application.client_id),
    ]
    events = AuditEvent.objects.filter(model="fhir.FhirInteraction")
    assert events.count() == 3
    assert {e.actor_id for e in events} == {application.user_id}

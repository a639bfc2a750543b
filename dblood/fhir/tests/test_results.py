"""Transfusion results in: Observation (outcome) and AdverseEvent (reaction) feed the request's
outcome and haemovigilance through their services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.fhir import codes
from dblood.fhir.tests.conftest import order
from dblood.haemovigilance.models import TransfusionReaction
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit
from dblood.requests.models import Allocation, BloodRequest
from dblood.requests.services import allocation_auto, request_issue


@pytest.fixture
def issued(fhir, bank_a, staff_a):
    """Two O RhD negative red-cell units ordered by FHIR and issued to hospital H."""
    for _ in range(2):
        make_unit(site=bank_a, component="PRC", abo="O", rhd="-")
    blood_request = BloodRequest.objects.get(pk=fhir.post("/fhir/r4/ServiceRequest", order(bank_a)).json()["id"])
    allocation_auto(blood_request=blood_request, by=staff_a)
    request_issue(blood_request=blood_request, by=staff_a)
    # Issued two hours ago: the transfusion (and a reaction) came after the issue.
    earlier = timezone.now() - timedelta(hours=2)
    BloodUnit.objects.filter(allocations__request=blood_request).update(issued_at=earlier)
    blood_request.allocations.update(issued_at=earlier)
    return list(blood_request.allocations.order_by("unit_id"))


def _observation(unit_id, value="transfused"):
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": codes.OBSERVATION_SYSTEM, "code": codes.TRANSFUSION_OUTCOME}]},
        "focus": [{"reference": f"BiologicallyDerivedProduct/{unit_id}"}],
        "valueCodeableConcept": {"coding": [{"system": codes.TRANSFUSION_OUTCOME_SYSTEM, "code": value}]},
    }


def _adverse_event(unit_id, **changes):
    now = timezone.now()
    body = {
        "resourceType": "AdverseEvent",
        "actuality": "actual",
        "subject": {"identifier": {"system": "http://rs-h.example/mrn", "value": "MRN-77"}},
        "event": {"coding": [{"system": codes.REACTION_CATEGORY_SYSTEM, "code": "fnhtr"}]},
        "severity": {"coding": [{"system": codes.REACTION_SEVERITY_SYSTEM, "code": "non_severe"}]},
        "date": (now - timedelta(minutes=10)).isoformat(),
        "extension": [
            {"url": codes.EXT_TRANSFUSION_STARTED, "valueDateTime": (now - timedelta(minutes=40)).isoformat()},
            {"url": codes.EXT_REACTION_SIGN, "valueCode": "fever"},
            {"url": codes.EXT_REACTION_SIGN, "valueCode": "chills"},
        ],
        "suspectEntity": [
            {
                "instance": {"reference": f"BiologicallyDerivedProduct/{unit_id}"},
                "causality": [{"assessment": {"coding": [{"system": codes.IMPUTABILITY_SYSTEM, "code": "possible"}]}}],
            }
        ],
    }
    body.update(changes)
    return body


@pytest.mark.django_db
def test_an_observation_records_the_transfusion_outcome(fhir, issued):
    first, second = issued
    response = fhir.post("/fhir/r4/Observation", _observation(first.unit_id))
    assert response.status_code == 201, response.content
    first.refresh_from_db()
    assert first.outcome == Allocation.Outcome.TRANSFUSED
    assert first.unit.state == BloodUnit.State.TRANSFUSED
    fhir.post("/fhir/r4/Observation", _observation(second.unit_id, "not_transfused"))
    assert BloodRequest.objects.get().status == BloodRequest.Status.CLOSED
    # The outcome is the request service's: a second one is a conflict.
    assert fhir.post("/fhir/r4/Observation", _observation(first.unit_id)).status_code == 409


@pytest.mark.django_db
def test_an_adverse_event_is_a_haemovigilance_reaction_report(fhir, issued, bank_a, hospital):
    unit_id = issued[0].unit_id
    response = fhir.post("/fhir/r4/AdverseEvent", _adverse_event(unit_id))
    assert response.status_code == 201, response.content
    reaction = TransfusionReaction.objects.get()
    assert (reaction.category, reaction.severity, reaction.imputability) == ("fnhtr", "non_severe", "possible")
    assert (reaction.hospital, reaction.bank) == (hospital, bank_a)
    assert reaction.signs == ["chills", "fever"]
    assert [link.unit_id for link in reaction.implicated.all()] == [unit_id]
    assert response.json()["suspectEntity"][0]["instance"]["reference"] == f"BiologicallyDerivedProduct/{unit_id}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"severity": None}, "AdverseEvent.severity"),
        ({"event": {"coding": [{"system": codes.REACTION_CATEGORY_SYSTEM, "code": "flu"}]}}, "AdverseEvent.event"),
        ({"date": (timezone.now() + timedelta(days=1)).isoformat()}, "AdverseEvent.date"),
        ({"subject": {"display": "Siti Aminah"}}, "AdverseEvent.subject"),
        ({"actuality": "potential"}, "AdverseEvent.actuality"),
    ],
)
def test_a_bad_adverse_event_names_the_element(fhir, issued, change, path):
    body = {k: v for k, v in {**_adverse_event(issued[0].unit_id), **change}.items() if v is not None}
    response = fhir.post("/fhir/r4/AdverseEvent", body)
    assert response.status_code == 400, response.content
    assert path in {e for issue in response.json()["issue"] for e in issue.get("expression", [])}
    assert TransfusionReaction.objects.count() == 0


@pytest.mark.django_db
def test_another_hospital_reports_nothing_on_these_units(other_fhir, issued):
    unit_id = issued[0].unit_id
    assert other_fhir.post("/fhir/r4/Observation", _observation(unit_id)).status_code == 404
    response = other_fhir.post("/fhir/r4/AdverseEvent", _adverse_event(unit_id))
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["AdverseEvent.suspectEntity"]
    assert TransfusionReaction.objects.count() == 0
    assert Allocation.objects.filter(outcome="").count() == 2

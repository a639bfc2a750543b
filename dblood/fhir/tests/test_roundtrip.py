"""Round trip: a hospital system orders by FHIR, the blood bank allocates and issues through the REST
api (label-checked units, the issue-time checks), and the system reads the units back as FHIR."""

import pytest
from fhir.resources.R4B.biologicallyderivedproduct import BiologicallyDerivedProduct
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.supplydelivery import SupplyDelivery

from dblood.core import isbt
from dblood.fhir import codes
from dblood.fhir.tests.conftest import order
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit


def _allocations(resource: ServiceRequest) -> list[dict]:
    found = []
    for ext in resource.extension or []:
        if ext.url == codes.EXT_ALLOCATION:
            parts = {part.url: part for part in ext.extension}
            found.append(
                {
                    "unit": parts["unit"].valueReference.reference,
                    "status": parts["status"].valueCoding.code,
                    "delivery": parts["delivery"].valueReference.reference if "delivery" in parts else None,
                }
            )
    return found


@pytest.mark.django_db
def test_order_allocate_issue_and_read_the_units_back(fhir, other_fhir, api, staff_a, bank_a, hospital):
    units = [make_unit(site=bank_a, component="PRC", abo="O", rhd="-") for _ in range(2)]
    make_unit(site=bank_a, component="PRC", abo="A", rhd="+")  # not for an O RhD negative patient
    created = fhir.post("/fhir/r4/ServiceRequest", order(bank_a))
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]

    staff = api(staff_a)
    allocated = staff.post(f"/api/v1/requests/{request_id}/allocate", {}, format="json")
    assert allocated.status_code == 200, allocated.content
    reserved = ServiceRequest.model_validate_json(fhir.get(f"/fhir/r4/ServiceRequest/{request_id}").content)
    assert reserved.status == "active"
    assert sorted((a["unit"], a["status"]) for a in _allocations(reserved)) == sorted(
        (f"BiologicallyDerivedProduct/{u.pk}", "reserved") for u in units
    )
    issued = staff.post(f"/api/v1/requests/{request_id}/issue", {}, format="json")
    assert issued.status_code == 200, issued.content

    read = fhir.get(f"/fhir/r4/ServiceRequest/{request_id}")
    resource = ServiceRequest.model_validate_json(read.content)
    assert resource.status == "completed"
    allocations = _allocations(resource)
    assert {a["status"] for a in allocations} == {"issued"} and len(allocations) == 2

    for allocation in allocations:
        unit = BloodUnit.objects.select_related("donation__site").get(pk=int(allocation["unit"].rpartition("/")[2]))
        assert unit.state == BloodUnit.State.ISSUED and unit.issued_to == hospital
        response = fhir.get(f"/fhir/r4/{allocation['unit']}")
        assert response.status_code == 200 and response["Content-Type"].startswith(codes.MEDIA_TYPE)
        product = BiologicallyDerivedProduct.model_validate_json(response.content)
        assert (product.identifier[0].system, product.identifier[0].value) == (codes.DIN_SYSTEM, unit.donation.din)
        product_codes = {(c.system, c.code) for c in product.productCode.coding}
        assert (codes.ISBT_PRODUCT_CODE_SYSTEM, unit.product_code) in product_codes
        assert (codes.COMPONENT_SYSTEM, "PRC") in product_codes
        extensions = {e.url: e for e in product.extension}
        assert extensions[codes.EXT_BLOOD_GROUP].valueCodeableConcept.coding[0].code == isbt.CODE_OF_GROUP[("O", "-")]
        assert extensions[codes.EXT_EXPIRATION].valueDateTime == unit.expires_at
        assert product.collection.collectedDateTime == unit.donation.collected_at
        assert product.collection.source.identifier.value == unit.donation.site.code
        assert product.request[0].reference == f"ServiceRequest/{request_id}"

        delivery_response = fhir.get(f"/fhir/r4/{allocation['delivery']}")
        delivery = SupplyDelivery.model_validate_json(delivery_response.content)
        assert delivery.status == "completed"
        assert delivery.suppliedItem.itemReference.reference == allocation["unit"]
        assert delivery.basedOn[0].reference == f"ServiceRequest/{request_id}"
        assert delivery.supplier.identifier.value == bank_a.code
        assert delivery.destination.identifier.value == hospital.code

        # Another hospital's system sees none of it.
        assert other_fhir.get(f"/fhir/r4/{allocation['unit']}").status_code == 404
        assert other_fhir.get(f"/fhir/r4/{allocation['delivery']}").status_code == 404


@pytest.mark.django_db
def test_a_unit_not_allocated_to_a_request_is_not_served(fhir, bank_a):
    unit = make_unit(site=bank_a)
    assert fhir.get(f"/fhir/r4/BiologicallyDerivedProduct/{unit.pk}").status_code == 404

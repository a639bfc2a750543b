"""Units out: an allocated or issued unit as BiologicallyDerivedProduct, each issue as SupplyDelivery."""

from fhir.resources.R4B.biologicallyderivedproduct import BiologicallyDerivedProduct
from fhir.resources.R4B.supplydelivery import SupplyDelivery

from dblood.inventory.models import BloodUnit
from dblood.requests.models import Allocation

from . import codes
from .orders import component_concept, group_concept
from .references import organization_reference

# Units a hospital was given or has been promised show as "unavailable" to anyone else.
AVAILABLE_STATES = (BloodUnit.State.AVAILABLE,)


def product_concept(unit: BloodUnit) -> dict:
    concept = component_concept(unit.component)
    if unit.product_code:
        concept["coding"].insert(0, {"system": codes.ISBT_PRODUCT_CODE_SYSTEM, "code": unit.product_code})
    return concept


def render_unit(unit: BloodUnit, *, allocation: Allocation | None = None) -> dict:
    """One bag: DIN (ISBT 128), product code, ABO/RhD, collection, expiry and the collecting bank."""
    donation = unit.donation
    data = {
        "resourceType": "BiologicallyDerivedProduct",
        "id": str(unit.pk),
        "meta": {"lastUpdated": unit.state_changed_at.isoformat()},
        "extension": [
            {"url": codes.EXT_BLOOD_GROUP, "valueCodeableConcept": group_concept(unit.abo, unit.rhd)},
            {"url": codes.EXT_EXPIRATION, "valueDateTime": unit.expires_at.isoformat()},
        ],
        "identifier": [{"system": codes.DIN_SYSTEM, "value": donation.din}] if donation.din else None,
        "productCategory": codes.PRODUCT_CATEGORY.get(unit.component),
        "productCode": product_concept(unit),
        "status": "available" if unit.state in AVAILABLE_STATES else "unavailable",
        "quantity": 1,
        "collection": {
            "source": organization_reference(donation.site),
            "collectedDateTime": donation.collected_at.isoformat(),
        },
    }
    if allocation is not None:
        data["request"] = [{"reference": f"ServiceRequest/{allocation.request_id}"}]
    return BiologicallyDerivedProduct.model_validate(data).model_dump(mode="json", exclude_none=True)


def render_delivery(allocation: Allocation) -> dict:
    """One issued unit: from the issuing bank to the requesting hospital, when it was issued."""
    blood_request = allocation.request
    unit = allocation.unit
    data = {
        "resourceType": "SupplyDelivery",
        "id": str(allocation.pk),
        "identifier": [{"system": f"{codes.CANONICAL}/sid/issue", "value": str(allocation.pk)}],
        "basedOn": [{"reference": f"ServiceRequest/{blood_request.pk}"}],
        "status": "completed",
        "suppliedItem": {
            "quantity": {"value": 1},
            "itemReference": {
                "reference": f"BiologicallyDerivedProduct/{unit.pk}",
                "display": unit.donation.din,
            },
        },
        "occurrenceDateTime": allocation.issued_at.isoformat(),
        "supplier": organization_reference(blood_request.target_bank),
        "destination": {
            "type": "Location",
            "identifier": {"system": codes.SITE_SYSTEM, "value": blood_request.hospital.code},
            "display": blood_request.hospital.name,
        },
    }
    return SupplyDelivery.model_validate(data).model_dump(mode="json", exclude_none=True)

"""ServiceRequest <-> dblood blood request.

In: a hospital system's ServiceRequest is validated by the FHIR library, mapped to the fields of the
REST api's request serializer (so every check the api makes is made here too) and created by the
request service. Out: a request, its allocated and issued units, as a ServiceRequest.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from fhir.resources.R4B.servicerequest import ServiceRequest
from pydantic import ValidationError as PydanticValidationError

from dblood.core import isbt
from dblood.inventory.components import kinds
from dblood.requests import services
from dblood.requests.models import BloodRequest
from dblood.requests.serializers import BloodRequestCreateSerializer
from dblood.sites.models import Site

from . import codes
from .models import FhirOrder
from .outcome import FhirError, from_pydantic, from_serializer
from .references import organization_reference, site_from_reference

SR = "ServiceRequest"
# The request serializer's fields -> the ServiceRequest element each comes from (its errors' paths).
FIELD_PATHS = {
    "hospital": "ServiceRequest.requester",
    "target_bank": "ServiceRequest.performer[0]",
    "patient_abo": f"ServiceRequest.extension('{codes.EXT_PATIENT_BLOOD_GROUP}')",
    "patient_rhd": f"ServiceRequest.extension('{codes.EXT_PATIENT_BLOOD_GROUP}')",
    "patient_female_cbp": f"ServiceRequest.extension('{codes.EXT_PATIENT_CHILDBEARING}')",
    "component": "ServiceRequest.code",
    "units": "ServiceRequest.quantityQuantity.value",
    "urgency": "ServiceRequest.priority",
    "needed_by": "ServiceRequest.occurrenceDateTime",
    "note": "ServiceRequest.note[0].text",
    "": "ServiceRequest",
}


def parse(data) -> ServiceRequest:
    if not isinstance(data, dict) or data.get("resourceType") != SR:
        raise FhirError([("ServiceRequest.resourceType", _("Expected a ServiceRequest."))])
    try:
        return ServiceRequest.model_validate(data)
    except PydanticValidationError as exc:
        raise from_pydantic(SR, exc) from exc


def _component(resource: ServiceRequest) -> str | None:
    """dblood's component code from ServiceRequest.code: a dblood component coding, or an ISBT 128
    product description code one of the component types carries."""
    by_isbt = {code: kind.code for kind in kinds().values() for code in kind.isbt_product_codes}
    for coding in (resource.code.coding or []) if resource.code else []:
        if coding.system == codes.COMPONENT_SYSTEM and coding.code in kinds():
            return coding.code
        if coding.system == codes.ISBT_PRODUCT_DESCRIPTION_SYSTEM and coding.code in by_isbt:
            return by_isbt[coding.code]
    return None


def _extension(resource, url: str):
    found = [ext for ext in resource.extension or [] if ext.url == url]
    return found[0] if len(found) == 1 else None


def fields_from(resource: ServiceRequest, *, hospital: Site) -> dict:
    """The request serializer's input from a parsed ServiceRequest; FhirError naming each element
    that is missing or cannot be mapped. Nothing clinical is defaulted."""
    issues = []
    if resource.status != "active":
        issues.append(("ServiceRequest.status", _("A new order must be active.")))
    if resource.intent != "order":
        issues.append(("ServiceRequest.intent", _("Only intent 'order' is taken.")))
    if not resource.identifier or not resource.identifier[0].value:
        issues.append(("ServiceRequest.identifier", _("The order's identifier in the hospital's system is required.")))
    subject = resource.subject
    if subject.reference or subject.display or not (subject.identifier and subject.identifier.value):
        issues.append(
            (
                "ServiceRequest.subject",
                _(
                    "Give the patient only as an opaque identifier of your system (subject.identifier): "
                    "dblood keeps no patient reference or name."
                ),
            )
        )
    component = _component(resource)
    if component is None:
        issues.append(("ServiceRequest.code", _("A blood component: a dblood component or ISBT 128 product code.")))
    quantity = resource.quantityQuantity
    units = quantity.value if quantity is not None else None
    if units is None or units != int(units):
        issues.append(("ServiceRequest.quantityQuantity.value", _("The number of units, a whole number.")))
    if resource.priority not in codes.PRIORITY_TO_URGENCY:
        issues.append(("ServiceRequest.priority", _("Required: routine, urgent, asap or stat.")))
    if resource.occurrenceDateTime is None:
        issues.append(("ServiceRequest.occurrenceDateTime", _("When the blood is needed by (a date and time).")))
    group = _extension(resource, codes.EXT_PATIENT_BLOOD_GROUP)
    abo_rhd = None
    codings = group.valueCodeableConcept.coding if group and group.valueCodeableConcept else None
    for coding in codings or []:
        if coding.system == codes.ISBT_ABO_RHD_SYSTEM and coding.code in isbt.GROUP_CODES:
            abo_rhd = isbt.GROUP_CODES[coding.code]
    if abo_rhd is None:
        issues.append((FIELD_PATHS["patient_abo"], _("The patient's ABO/RhD, as an ISBT 128 blood group code.")))
    cbp = _extension(resource, codes.EXT_PATIENT_CHILDBEARING)
    if cbp is None or cbp.valueBoolean is None:
        issues.append(
            (FIELD_PATHS["patient_female_cbp"], _("Whether the patient is a woman of childbearing potential."))
        )
    performers = resource.performer or []
    target = site_from_reference(performers[0], kind=Site.Kind.BLOOD_BANK) if len(performers) == 1 else None
    if target is None:
        issues.append(("ServiceRequest.performer", _("Exactly one performer: the blood bank, as Organization.")))
    if resource.requester is not None:
        requester = site_from_reference(resource.requester, kind=Site.Kind.HOSPITAL)
        if requester is None or requester.pk != hospital.pk:
            issues.append(("ServiceRequest.requester", _("The requester must be your own hospital.")))
    if issues:
        raise FhirError(issues)
    note = " ".join(n.text for n in resource.note or [] if n.text)
    return {
        "hospital": hospital.pk,
        "target_bank": target.pk,
        "patient_abo": abo_rhd[0],
        "patient_rhd": abo_rhd[1],
        "patient_female_cbp": cbp.valueBoolean,
        "component": component,
        "units": int(units),
        "urgency": codes.PRIORITY_TO_URGENCY[resource.priority],
        "needed_by": resource.occurrenceDateTime.isoformat(),
        "note": note,
    }


def _identifier(resource: ServiceRequest) -> tuple[str, str]:
    first = resource.identifier[0]
    return first.system or "", first.value


def existing(*, hospital: Site, system: str | None, value: str) -> FhirOrder | None:
    queryset = FhirOrder.objects.filter(hospital=hospital, identifier_value=value)
    if system is not None:
        queryset = queryset.filter(identifier_system=system)
    found = list(queryset.select_related("blood_request")[:2])
    if len(found) > 1:
        raise FhirError([("If-None-Exist", _("More than one order matches."))], status=412)
    return found[0] if found else None


def order_create(*, data, request, hospital: Site) -> BloodRequest:
    """The new request for a posted ServiceRequest. An identifier the hospital already used is a
    409 (the view answers an If-None-Exist that matches before it gets here)."""
    resource = parse(data)
    fields = fields_from(resource, hospital=hospital)
    serializer = BloodRequestCreateSerializer(data=fields, context={"request": request})
    if not serializer.is_valid():
        raise from_serializer(serializer.errors, FIELD_PATHS)
    system, value = _identifier(resource)
    patient = resource.subject.identifier
    try:
        with transaction.atomic():
            blood_request = services.request_create(by=request.user, **serializer.validated_data)
            FhirOrder.objects.create(
                blood_request=blood_request,
                hospital=hospital,
                identifier_system=system,
                identifier_value=value,
                patient_identifier_system=patient.system or "",
                patient_identifier_value=patient.value,
            )
    except IntegrityError as exc:
        # The same order delivered twice at once: the second insert lost the race.
        raise FhirError(
            [("ServiceRequest.identifier", _("An order with this identifier exists already."))], status=409
        ) from exc
    return blood_request


def _coding(system: str, code: str, display: str | None = None) -> dict:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def component_concept(component: str) -> dict:
    found = kinds().get(component)
    name = found.name_en if found else component
    coding = [_coding(codes.COMPONENT_SYSTEM, component, name)]
    coding += [_coding(codes.ISBT_PRODUCT_DESCRIPTION_SYSTEM, c) for c in (found.isbt_product_codes if found else ())]
    return {"coding": coding, "text": name}


def group_concept(abo: str, rhd: str) -> dict:
    code = isbt.CODE_OF_GROUP[(abo, rhd)]
    display = f"{abo} RhD {'positive' if rhd == '+' else 'negative'}"
    return {"coding": [_coding(codes.ISBT_ABO_RHD_SYSTEM, code, display)], "text": f"{abo}{rhd}"}


def _allocation_extension(allocation) -> dict:
    """One unit held for the request: the unit, reserved or issued, and its delivery once issued."""
    unit = allocation.unit
    extension = {
        "url": codes.EXT_ALLOCATION,
        "extension": [
            {
                "url": "unit",
                "valueReference": {"reference": f"BiologicallyDerivedProduct/{unit.pk}", "display": unit.donation.din},
            },
            {"url": "status", "valueCoding": _coding(codes.ALLOCATION_STATUS_SYSTEM, allocation.status)},
        ],
    }
    if allocation.status == allocation.Status.ISSUED:
        extension["extension"].append(
            {"url": "delivery", "valueReference": {"reference": f"SupplyDelivery/{allocation.pk}"}}
        )
    return extension


def render(blood_request: BloodRequest) -> dict:
    """The request as a ServiceRequest, validated by the library on the way out."""
    order = getattr(blood_request, "fhir_order", None)
    identifiers = [{"system": codes.REQUEST_SYSTEM, "value": str(blood_request.pk)}]
    subject = {"extension": [{"url": codes.DATA_ABSENT, "valueCode": "unknown"}]}
    if order is not None:
        identifiers.insert(0, {"system": order.identifier_system or None, "value": order.identifier_value})
        if order.patient_identifier_value:
            subject = {
                "identifier": {
                    "system": order.patient_identifier_system or None,
                    "value": order.patient_identifier_value,
                }
            }
    extension = [
        {
            "url": codes.EXT_PATIENT_BLOOD_GROUP,
            "valueCodeableConcept": group_concept(blood_request.patient_abo, blood_request.patient_rhd),
        },
        {"url": codes.EXT_PATIENT_CHILDBEARING, "valueBoolean": blood_request.patient_female_cbp},
    ]
    extension += [_allocation_extension(a) for a in blood_request.allocations.all()]
    data = {
        "resourceType": SR,
        "id": str(blood_request.pk),
        "meta": {"lastUpdated": blood_request.updated_at.isoformat()},
        "extension": extension,
        "identifier": [{k: v for k, v in i.items() if v is not None} for i in identifiers],
        "status": codes.REQUEST_STATUS[blood_request.status],
        "intent": "order",
        "priority": codes.URGENCY_TO_PRIORITY[blood_request.urgency],
        "code": component_concept(blood_request.component),
        "quantityQuantity": {"value": blood_request.units},
        "subject": {
            k: ({kk: vv for kk, vv in v.items() if vv is not None} if isinstance(v, dict) else v)
            for k, v in subject.items()
        },
        "occurrenceDateTime": blood_request.needed_by.isoformat(),
        "authoredOn": blood_request.created_at.isoformat(),
        "requester": organization_reference(blood_request.hospital),
        "performer": [organization_reference(blood_request.target_bank)],
    }
    if blood_request.note:
        data["note"] = [{"text": blood_request.note}]
    return ServiceRequest.model_validate(data).model_dump(mode="json", exclude_none=True)


def order_revoke(*, blood_request: BloodRequest, by) -> BloodRequest:
    """status=revoked: the request is cancelled by the request service (its checks, its locks)."""
    if blood_request.status == BloodRequest.Status.CANCELLED:
        return blood_request
    return services.request_cancel(blood_request=blood_request, by=by)

"""The code systems and identifier systems of dblood's FHIR interface, and its value maps, in one place.

dblood's own systems live under CANONICAL (a name, not a page to fetch). ISBT 128's follow the
URIs of the ISBT 128 examples in the FHIR specification (`https://www.isbt128.org/uri/...`).
"""

from dblood.core.blood import Component
from dblood.requests.models import Allocation, BloodRequest

CANONICAL = "https://fhir.dblood.id"
FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"

# Identifier systems.
SITE_SYSTEM = f"{CANONICAL}/sid/site"  # value: the site's code (Site.code)
REQUEST_SYSTEM = f"{CANONICAL}/sid/blood-request"  # value: dblood's request number
DIN_SYSTEM = "https://www.isbt128.org/uri/DonationIdentificationNumber"
# SATUSEHAT's identifier system for organisations (value: the SATUSEHAT Organization id).
SATUSEHAT_ORGANIZATION_SYSTEM = "http://sys-ids.kemkes.go.id/organization"

# Code systems.
COMPONENT_SYSTEM = f"{CANONICAL}/CodeSystem/component"  # dblood's component codes (PRC, FFP...)
ISBT_PRODUCT_DESCRIPTION_SYSTEM = "https://www.isbt128.org/uri/ProductDescriptionCode"  # E + 4 digits
ISBT_PRODUCT_CODE_SYSTEM = "https://www.isbt128.org/uri/ProductCode"  # data structure 003, 8 characters
ISBT_ABO_RHD_SYSTEM = "https://www.isbt128.org/uri/ABORhD"  # data structure 002's group code (62: A RhD pos)
ALLOCATION_STATUS_SYSTEM = f"{CANONICAL}/CodeSystem/allocation-status"

# Extensions dblood defines.
EXT_PATIENT_BLOOD_GROUP = f"{CANONICAL}/StructureDefinition/patient-blood-group"
EXT_PATIENT_CHILDBEARING = f"{CANONICAL}/StructureDefinition/patient-childbearing-potential"
EXT_ALLOCATION = f"{CANONICAL}/StructureDefinition/allocation"
EXT_BLOOD_GROUP = f"{CANONICAL}/StructureDefinition/blood-group"
# R5's BiologicallyDerivedProduct.expirationDate, carried in R4 as FHIR's cross-version extension.
EXT_EXPIRATION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-BiologicallyDerivedProduct.expirationDate"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"

# FHIR request priority -> dblood urgency. asap and stat both ask for blood now: an emergency.
PRIORITY_TO_URGENCY = {
    "routine": BloodRequest.Urgency.ROUTINE,
    "urgent": BloodRequest.Urgency.URGENT,
    "asap": BloodRequest.Urgency.EMERGENCY,
    "stat": BloodRequest.Urgency.EMERGENCY,
}
URGENCY_TO_PRIORITY = {
    BloodRequest.Urgency.ROUTINE: "routine",
    BloodRequest.Urgency.URGENT: "urgent",
    BloodRequest.Urgency.EMERGENCY: "stat",
}

# dblood request status -> FHIR request status. Open requests are active; a request all of whose
# units were issued, or that was closed, is completed; a cancelled one is revoked.
REQUEST_STATUS = {
    BloodRequest.Status.SUBMITTED: "active",
    BloodRequest.Status.PARTLY_ALLOCATED: "active",
    BloodRequest.Status.ALLOCATED: "active",
    BloodRequest.Status.ISSUED: "completed",
    BloodRequest.Status.CLOSED: "completed",
    BloodRequest.Status.CANCELLED: "revoked",
}

ALLOCATION_STATUSES = tuple(Allocation.Status.values)

# R4 BiologicallyDerivedProduct.productCategory by dblood component.
PRODUCT_CATEGORY = {
    Component.WB: "fluid",
    Component.PRC: "cells",
    Component.TC: "cells",
    Component.FFP: "fluid",
    Component.LP: "fluid",
    Component.AHF: "fluid",
    Component.CPP: "fluid",
}

# Transfusion results in (Observation, AdverseEvent): dblood's haemovigilance codes, as stored.
OBSERVATION_SYSTEM = f"{CANONICAL}/CodeSystem/observation"
TRANSFUSION_OUTCOME = "transfusion-outcome"
TRANSFUSION_OUTCOME_SYSTEM = f"{CANONICAL}/CodeSystem/transfusion-outcome"  # transfused, not_transfused
REACTION_CATEGORY_SYSTEM = f"{CANONICAL}/CodeSystem/transfusion-reaction"  # haemovigilance.codes.ReactionCategory
REACTION_SEVERITY_SYSTEM = f"{CANONICAL}/CodeSystem/reaction-severity"  # ReactionSeverity
IMPUTABILITY_SYSTEM = f"{CANONICAL}/CodeSystem/imputability"  # Imputability
EXT_TRANSFUSION_STARTED = f"{CANONICAL}/StructureDefinition/transfusion-started"
EXT_REACTION_SIGN = f"{CANONICAL}/StructureDefinition/reaction-sign"  # haemovigilance.codes.Sign

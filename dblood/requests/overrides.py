"""Which compatibility overrides are permitted: the policy, as data, in one place.

A unit the compatibility rules would not propose may still be reserved and issued only when this
policy permits it, at reservation and again at issue:

- ABO-incompatible units (red cells, whole blood, plasma and platelets alike) are never permitted,
  with or without a reason: an ABO-incompatible transfusion can kill.
- An RhD mismatch (RhD-positive red cells or whole blood for an RhD-negative patient, RhD-positive
  platelets for an RhD-negative woman of childbearing potential) only on an `emergency` request,
  with a reason, by the bank's staff (the reserving clerk is recorded as who), and for a woman of
  childbearing potential only with an explicit second acknowledgement (`override_acknowledged`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from dblood.inventory.models import BloodUnit

from .compatibility import is_compatible, rule_for
from .models import BloodRequest

# Which mismatches an override may cover at all, per kind of mismatch: data, not branches.
OVERRIDABLE = {"abo": False, "rhd": True}
# Urgencies on which a permitted override may be used.
OVERRIDE_URGENCIES = frozenset({BloodRequest.Urgency.EMERGENCY})


@dataclass(frozen=True)
class Refusal:
    code: str
    detail: str


def unit_suits(blood_request: BloodRequest, unit: BloodUnit) -> bool:
    """The compatibility rule for this request and unit (component and group)."""
    return unit.component == blood_request.component and is_compatible(
        component=blood_request.component,
        patient_abo=blood_request.patient_abo,
        patient_rhd=blood_request.patient_rhd,
        unit_abo=unit.abo,
        unit_rhd=unit.rhd,
        female_cbp=blood_request.patient_female_cbp,
    )


def mismatch(blood_request: BloodRequest, unit) -> str | None:
    """ "abo", "rhd" or None: what makes `unit` unsuitable for the request's patient."""
    rule = rule_for(blood_request.component)
    if unit.component != blood_request.component or unit.abo not in rule.abo_table[blood_request.patient_abo]:
        return "abo"
    return None if unit_suits(blood_request, unit) else "rhd"


def override_refusal(*, blood_request: BloodRequest, unit, reason: str, acknowledged: bool) -> Refusal | None:
    """Why an override for `unit` is not permitted, or None when the unit suits or the override may stand."""
    kind = mismatch(blood_request, unit)
    if kind is None:
        return None
    group = f"{unit.abo}{unit.rhd}"
    patient = f"{blood_request.patient_abo}{blood_request.patient_rhd}"
    if not OVERRIDABLE[kind]:
        return Refusal(
            "abo_incompatible",
            _("Unit %(unit)s (%(group)s) is ABO-incompatible with a %(patient)s patient; no override allows it.")
            % {"unit": unit.pk, "group": group, "patient": patient},
        )
    if blood_request.urgency not in OVERRIDE_URGENCIES:
        return Refusal(
            "override_needs_emergency",
            _("Unit %(unit)s (%(group)s) does not suit a %(patient)s patient; overrides need an emergency request.")
            % {"unit": unit.pk, "group": group, "patient": patient},
        )
    if not reason.strip():
        return Refusal(
            "override_required",
            _("Unit %(unit)s (%(group)s) does not suit a %(patient)s patient; give override_reason to proceed.")
            % {"unit": unit.pk, "group": group, "patient": patient},
        )
    if blood_request.patient_female_cbp and not acknowledged:
        return Refusal(
            "override_needs_acknowledgement",
            _("The patient is a woman of childbearing potential: confirm the RhD override with override_acknowledged."),
        )
    return None

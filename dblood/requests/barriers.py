"""The barriers between a unit and a patient, checked again at the moment of issue.

Issuing re-reads each unit under its row lock, in the transaction that moves it, and refuses it
(409, one code per barrier) unless every barrier holds:

| code                          | barrier                                                           |
|-------------------------------|-------------------------------------------------------------------|
| `not_reserved`                | the unit is reserved, for this request                            |
| `unit_not_released`           | its donation passes the release rule (`donations.release`)        |
| `unit_expired`                | it has not expired (whether or not the expiry sweep has run)      |
| `unit_expires_before_needed`  | it does not expire before the request's `needed_by`               |
| `unit_not_here`               | it is on the shelf of the issuing blood bank (the request's bank):|
|                               | a unit reserved at another bank is transferred and booked in first|
| `unit_incompatible`           | it suits the patient (`compatibility`), or carries an override    |
|                               | that the override policy (`overrides`) permits at this moment     |
"""

from django.utils.translation import gettext as _

from dblood.core.errors import Conflict
from dblood.donations.release import release_blockers
from dblood.inventory.models import BloodUnit

from .models import Allocation, BloodRequest
from .overrides import override_refusal


def _refuse(unit: BloodUnit, code: str, detail: str, **extra) -> Conflict:
    return Conflict(detail, code=code, extra={"barrier": code, "unit": unit.pk, **extra})


def issue_check(*, blood_request: BloodRequest, allocation: Allocation, unit: BloodUnit, now) -> None:
    """Raise the Conflict of the first barrier `unit` (locked just now, with its donation and that
    donation's screening results) does not pass for this request; nothing when it may be issued."""
    if allocation.request_id != blood_request.pk or allocation.status != Allocation.Status.RESERVED:
        raise _refuse(unit, "not_reserved", _("Unit %(unit)s is not reserved for this request.") % {"unit": unit.pk})
    if unit.state == BloodUnit.State.IN_TRANSIT:
        raise _refuse(
            unit,
            "unit_not_here",
            _("Unit %(unit)s is on its way to the issuing blood bank: book it in first.") % {"unit": unit.pk},
            site=unit.site_id,
        )
    if unit.state != BloodUnit.State.RESERVED:
        raise _refuse(unit, "not_reserved", _("Unit %(unit)s is not reserved for this request.") % {"unit": unit.pk})
    blockers = release_blockers(unit.donation)
    if blockers:
        raise _refuse(
            unit,
            "unit_not_released",
            _("Unit %(unit)s is not released: %(why)s") % {"unit": unit.pk, "why": " ".join(blockers)},
            blockers=blockers,
        )
    if unit.expires_at <= now:
        raise _refuse(unit, "unit_expired", _("Unit %(unit)s has expired.") % {"unit": unit.pk})
    if unit.expires_at <= blood_request.needed_by:
        raise _refuse(
            unit,
            "unit_expires_before_needed",
            _("Unit %(unit)s expires before the request needs it.") % {"unit": unit.pk},
        )
    if unit.site_id != blood_request.target_bank_id:
        raise _refuse(
            unit,
            "unit_not_here",
            _("Unit %(unit)s is not at the issuing blood bank.") % {"unit": unit.pk},
            site=unit.site_id,
        )
    refusal = override_refusal(
        blood_request=blood_request,
        unit=unit,
        reason=allocation.override_reason,
        acknowledged=allocation.override_acknowledged,
    )
    if refusal:
        raise _refuse(
            unit,
            "unit_incompatible",
            _("Unit %(unit)s is not compatible with the patient.") % {"unit": unit.pk},
            policy=refusal.code,
        )

"""Returns of issued, untransfused units (docs/domain.md "Returns and lookback").

A red-cell unit may go back into stock only if it was out of controlled storage for at most
RETURN_MAX_MINUTES_OUT minutes (or travelled in a validated transport box), stayed within
RETURN_TEMPERATURE_MIN_C..MAX_C, its seal is intact and the bank inspected it; anything else is
discarded. Components without a validated return rule (RETURN_RESTOCK_COMPONENTS) are always
discarded. The hospital records the return (`unit_return`), the issuing bank decides
(`unit_return_decide`); both steps are kept on the `UnitReturn`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied, ValidationError

from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import unit_transition

from .models import UnitReturn

# Why a return is outside the limits: codes stored on the record, messages shown in the reader's language.
PROBLEMS = {
    "out_too_long": gettext_lazy("Out of controlled storage for more than %(minutes)d minutes."),
    "temperature_out_of_range": gettext_lazy("The temperature was outside %(low)s to %(high)s °C."),
    "component_not_returnable": gettext_lazy("This component has no validated return: it is discarded."),
}


def problem_messages(codes: list[str]) -> list[str]:
    values = {
        "minutes": settings.RETURN_MAX_MINUTES_OUT,
        "low": settings.RETURN_TEMPERATURE_MIN_C,
        "high": settings.RETURN_TEMPERATURE_MAX_C,
    }
    return [str(PROBLEMS[code]) % values for code in codes]


def limit_problems(*, component: str, minutes_out: int, temperature_c: Decimal, validated_box: bool) -> list[str]:
    """The return limits, as codes (empty: within them)."""
    problems = []
    if component not in settings.RETURN_RESTOCK_COMPONENTS:
        problems.append("component_not_returnable")
    if not validated_box and minutes_out > settings.RETURN_MAX_MINUTES_OUT:
        problems.append("out_too_long")
    low, high = Decimal(str(settings.RETURN_TEMPERATURE_MIN_C)), Decimal(str(settings.RETURN_TEMPERATURE_MAX_C))
    if not low <= temperature_c <= high:
        problems.append("temperature_out_of_range")
    return problems


@transaction.atomic
def unit_return(*, unit_id: int, by, left_storage_at, temperature_c: Decimal, validated_box: bool) -> UnitReturn:
    """Hospital staff hand back a unit issued to their hospital and not transfused.

    The unit's transfusion outcome becomes "not transfused" (the request closes when every unit is
    accounted for); the unit stays ISSUED until the bank decides. 400 naming the field for a unit
    that is not theirs or a time that cannot be; 409 for a unit transfused or already returned.
    """
    from dblood.requests.models import Allocation
    from dblood.requests.services import allocation_record_outcome

    unit = BloodUnit.objects.select_for_update().filter(pk=unit_id, issued_to_id__in=by.site_ids).first()
    if unit is None or not by.is_hospital_staff:
        raise ValidationError({"unit": [_("No unit issued to your hospital has this id.")]})
    if unit.state != BloodUnit.State.ISSUED:
        raise Conflict(
            _("Only an issued, untransfused unit can be returned; this one is %(state)s.") % {"state": unit.state},
            code="not_returnable",
        )
    now = timezone.now()
    if left_storage_at > now:
        raise ValidationError({"left_storage_at": [_("This time is in the future.")]})
    if unit.issued_at and left_storage_at < unit.issued_at:
        raise ValidationError({"left_storage_at": [_("This is before the unit was issued.")]})
    allocation = Allocation.objects.filter(unit=unit, status=Allocation.Status.ISSUED).select_related("request").first()
    if allocation is not None and allocation.outcome == Allocation.Outcome.TRANSFUSED:
        raise Conflict(_("This unit was recorded as transfused."), code="not_returnable")
    if allocation is not None and not allocation.outcome:
        allocation_record_outcome(allocation=allocation, by=by, transfused=False)
    minutes_out = int((now - left_storage_at).total_seconds() // 60)
    problems = limit_problems(
        component=unit.component, minutes_out=minutes_out, temperature_c=temperature_c, validated_box=validated_box
    )
    try:
        with transaction.atomic():
            return UnitReturn.objects.create(
                unit=unit,
                allocation=allocation,
                hospital_id=unit.issued_to_id,
                bank_id=unit.site_id,
                left_storage_at=left_storage_at,
                temperature_c=temperature_c,
                validated_box=validated_box,
                returned_at=now,
                returned_by=by,
                minutes_out=minutes_out,
                limit_problems=problems,
            )
    except IntegrityError as exc:
        raise Conflict(_("This unit's return is already awaiting inspection."), code="already_returned") from exc


@transaction.atomic
def unit_return_decide(*, unit_return: UnitReturn, by, decision: str, seal_intact: bool, note: str = "") -> UnitReturn:
    """The issuing bank's decision after inspection: RESTOCKED (the unit is AVAILABLE again at the
    bank) only within the limits, with the seal intact and before expiry; otherwise DISCARDED.
    A restock that the rules forbid is a 409 `return_not_restockable` with the reasons; nothing changes."""
    from dblood.requests.models import Allocation

    locked = UnitReturn.objects.select_for_update().get(pk=unit_return.pk)
    if locked.bank_id not in by.site_ids:
        raise PermissionDenied(_("Only staff of the blood bank that issued the unit may decide on its return."))
    if locked.decision:
        raise Conflict(_("This return has already been decided."), code="return_decided")
    unit = BloodUnit.objects.select_for_update().get(pk=locked.unit_id)
    now = timezone.now()
    if decision == UnitReturn.Decision.RESTOCKED:
        reasons = problem_messages(locked.limit_problems)
        if not seal_intact:
            reasons.append(_("The seal is not intact."))
        if unit.expires_at <= now:
            reasons.append(_("The unit has expired."))
        if reasons:
            raise Conflict(
                _("This unit may not go back into stock: %(reasons)s") % {"reasons": " ".join(reasons)},
                code="return_not_restockable",
                extra={"reasons": reasons},
            )
        # units_transition refuses a unit a recall holds (409 unit_recalled): it is discarded instead.
        unit_transition(
            unit=unit,
            to=BloodUnit.State.AVAILABLE,
            by=by,
            reason=f"Returned by the hospital, inspected: back into stock (return {locked.pk}).",
            already_locked=True,
            issued_to=None,
            issued_at=None,
        )
    else:
        detail = note.strip() or ", ".join(locked.limit_problems) or "not put back into stock"
        reason = f"Returned by the hospital (return {locked.pk}): {detail}"[:200]
        unit_transition(unit=unit, to=BloodUnit.State.DISCARDED, by=by, reason=reason, already_locked=True)
    if locked.allocation_id:
        # The unit has left the request for good: its allocation no longer holds it.
        Allocation.objects.filter(pk=locked.allocation_id, status=Allocation.Status.ISSUED).update(
            status=Allocation.Status.RELEASED, released_at=now
        )
    locked.decision, locked.seal_intact, locked.note = decision, seal_intact, note.strip()
    locked.decided_at, locked.decided_by = now, by
    locked.save(update_fields=["decision", "seal_intact", "note", "decided_at", "decided_by"])
    return locked

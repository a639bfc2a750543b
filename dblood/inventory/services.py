"""Writes for blood units. Every state change goes through `unit_transition`."""

from django.db import transaction
from django.utils import timezone

from dblood.core.errors import Conflict

from . import states, stock
from .models import BloodUnit, UnitEvent


@transaction.atomic
def unit_transition(*, unit: BloodUnit, to: str, by=None, reason: str = "", **fields) -> BloodUnit:
    """Move `unit` to state `to`, or raise Conflict (409) naming both states.

    The row is locked first, so two clerks moving the same unit cannot both succeed: the second
    sees the first's new state. `fields` are extra columns set in the same write (issued_to, ...).
    """
    locked = BloodUnit.objects.select_for_update().get(pk=unit.pk)
    if not states.allowed(locked.state, to):
        raise Conflict(
            f"A unit cannot go from {locked.state} to {to}.",
            code="illegal_transition",
            extra={"from_state": locked.state, "to_state": to},
        )
    previous = locked.state
    locked.state = to
    locked.state_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(locked, name, value)
    if to == BloodUnit.State.DISCARDED:
        locked.discard_reason = reason
    locked.save()
    UnitEvent.objects.create(unit=locked, from_state=previous, to_state=to, by=by, reason=reason)
    transaction.on_commit(stock.invalidate)
    unit.__dict__.update(locked.__dict__)
    return locked


def unit_discard(*, unit: BloodUnit, reason: str, by=None) -> BloodUnit:
    """Take a unit off the shelf for good (broken bag, clots, haemolysis, ...). The reason is required."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A discard needs a reason.")
    return unit_transition(unit=unit, to=BloodUnit.State.DISCARDED, by=by, reason=reason)


def expired_units(*, now=None):
    """Units past their expiry that are still in a blood bank's custody (the sweep's work list)."""
    now = now or timezone.now()
    return BloodUnit.objects.filter(state__in=states.EXPIRABLE, expires_at__lte=now).order_by("expires_at", "id")


def unit_expire(*, unit_id: int, now=None) -> bool:
    """Mark one unit EXPIRED if it still is due. False when someone moved it first (issued, discarded).

    Idempotent: a unit already EXPIRED, or moved on since the work list was read, is left alone.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = BloodUnit.objects.select_for_update().get(pk=unit_id)
            if locked.state not in states.EXPIRABLE or locked.expires_at > now:
                return False
            unit_transition(unit=locked, to=BloodUnit.State.EXPIRED, reason="Shelf life ended.")
    except Conflict:
        return False
    return True


def units_expire_due(*, now=None, progress=None) -> int:
    """The expiry sweep: every unit past its expiry becomes EXPIRED; returns how many did.

    Idempotent, one short transaction per unit (a concurrent issue of one bag neither blocks nor
    undoes the rest). A job for the worker (no arguments needed); `progress(1)` is called per unit.
    """
    now = now or timezone.now()
    expired = 0
    for pk in list(expired_units(now=now).values_list("pk", flat=True)):
        if unit_expire(unit_id=pk, now=now):
            expired += 1
        if progress is not None:
            progress(1)
    return expired

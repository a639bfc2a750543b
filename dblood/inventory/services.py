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

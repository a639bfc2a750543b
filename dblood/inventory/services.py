"""Writes for blood units. Every state change goes through `units_transition` (or `unit_transition`
for one unit)."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dblood.audit.services import audit_snapshot, audit_updates
from dblood.core.errors import Conflict

from . import states, stock
from .models import BloodUnit, Transfer, UnitEvent
from .verification import refuse_unchecked


def units_transition(
    *, units: Sequence[BloodUnit], to: str, by=None, reason: str = "", already_locked: bool = False, **fields
) -> list[BloodUnit]:
    """Move every unit in `units` to state `to`, all or none: Conflict (409) naming both states for
    the first unit (by id) that may not make that move.

    The rows are locked first, in id order (the locking order everywhere), so two clerks moving the
    same unit cannot both succeed: the second sees the first's new state. `already_locked=True` says
    the caller has just read these very instances with select_for_update in the current transaction
    (they are the rows, so they are not read again). `fields` are extra columns set in the same write
    (issued_to, site_id, ...), the same for every unit. The caller's instances are updated in place.

    The same few statements whatever the number of units: one SELECT ... FOR UPDATE, one UPDATE, one
    INSERT of UnitEvents and one of audit events (before/after per unit, from the locked rows, so the
    audit log needs no read of its own); the stock cache is invalidated once, on commit.
    """
    if transaction.get_connection().in_atomic_block:
        # No savepoint of its own inside the caller's transaction: a Conflict is raised before any
        # write, so there is nothing to undo and the caller may go on (unit_expire does).
        return _units_transition(units=units, to=to, by=by, reason=reason, already_locked=already_locked, **fields)
    with transaction.atomic():
        return _units_transition(units=units, to=to, by=by, reason=reason, already_locked=already_locked, **fields)


def _units_transition(*, units, to, by, reason, already_locked, **fields) -> list[BloodUnit]:
    ids = sorted({unit.pk for unit in units})
    if not ids:
        return []
    if already_locked:
        locked = sorted({unit.pk: unit for unit in units}.values(), key=lambda unit: unit.pk)
    else:
        locked = list(BloodUnit.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise BloodUnit.DoesNotExist(f"No blood unit {sorted(set(ids) - {u.pk for u in locked})}.")
    for unit in locked:
        if not states.allowed(unit.state, to):
            raise Conflict(
                _("A unit cannot go from %(from)s to %(to)s.")
                % {"from": unit.get_state_display().lower(), "to": BloodUnit.State(to).label.lower()},
                code="illegal_transition",
                extra={"from_state": unit.state, "to_state": to},
            )
    if to == BloodUnit.State.AVAILABLE:
        _refuse_recalled(ids)
        _refuse_excursion_held(ids)
    refuse_unchecked(locked, to)
    values = {"state": to, "state_changed_at": timezone.now(), **fields}
    if to in OFF_THE_SHELF:
        values["storage_location"] = None
    if to == BloodUnit.State.DISCARDED:
        values["discard_reason"] = reason
    before = {unit.pk: audit_snapshot(unit) for unit in locked}
    previous = {unit.pk: unit.state for unit in locked}
    BloodUnit.objects.filter(pk__in=ids).update(**values)
    for unit in locked:
        for name, value in values.items():
            setattr(unit, name, value)
    UnitEvent.objects.bulk_create(
        [UnitEvent(unit=unit, from_state=previous[unit.pk], to_state=to, by=by, reason=reason) for unit in locked]
    )
    audit_updates(before=before, instances=locked)
    if to in GONE:
        _close_transfers(ids, reason=f"Unit {to}: {reason}")
    transaction.on_commit(stock.invalidate)
    fresh = {unit.pk: unit for unit in locked}
    for unit in units:
        row = fresh[unit.pk]
        if unit is not row:
            # Through the descriptors: a changed foreign key drops the caller's cached related object.
            for field in BloodUnit._meta.concrete_fields:
                setattr(unit, field.attname, getattr(row, field.attname))
    return locked


# A unit in one of these states has left its bank's fridge or freezer (on the road, at a hospital).
OFF_THE_SHELF = frozenset({BloodUnit.State.IN_TRANSIT, BloodUnit.State.ISSUED})

# A unit in one of these states will never arrive anywhere: its open transfer closes with it.
GONE = frozenset({BloodUnit.State.EXPIRED, BloodUnit.State.DISCARDED})


def _close_transfers(ids: list[int], *, reason: str) -> None:
    Transfer.objects.filter(unit_id__in=ids, status__in=Transfer.OPEN).update(
        status=Transfer.Status.CLOSED, reserved=False, closed_at=timezone.now(), closed_reason=reason[:200]
    )


def _refuse_recalled(ids: list[int]) -> None:
    """The last word of lookback: a unit a recall holds (open or closed) never becomes available, whichever
    path asks (release, a transfer booked in, a reservation ended, a return)."""
    from dblood.recalls.selectors import recalled_unit_ids

    held = sorted(recalled_unit_ids(ids))
    if held:
        raise Conflict(
            _("A recall holds unit(s) %(units)s: they may not become available.") % {"units": held},
            code="unit_recalled",
            extra={"units": held},
        )


def _refuse_excursion_held(ids: list[int]) -> None:
    """A unit a cold-chain excursion holds becomes available only through the excursion's closing
    (coldchain.services.excursion_close), which lifts the hold first, whichever path asks."""
    from dblood.coldchain.selectors import excursion_held_unit_ids

    held = sorted(excursion_held_unit_ids(ids))
    if held:
        raise Conflict(
            _("A temperature excursion holds unit(s) %(units)s: a person must release them first.") % {"units": held},
            code="unit_excursion_held",
            extra={"units": held},
        )


def unit_transition(
    *, unit: BloodUnit, to: str, by=None, reason: str = "", already_locked: bool = False, **fields
) -> BloodUnit:
    """Move one unit to state `to`, or raise Conflict (409) naming both states (see units_transition)."""
    return units_transition(units=[unit], to=to, by=by, reason=reason, already_locked=already_locked, **fields)[0]


@transaction.atomic
def units_relabel(*, units: Sequence[BloodUnit], abo: str, rhd: str) -> list[BloodUnit]:
    """Give quarantined units the lab's ABO/RhD (they were labelled with the donor's declared group).

    One UPDATE for all; each unit whose label changes gets an audit record with the old and new
    group (QuerySet.update sends no signals, so the log is written here). Units that have left
    quarantine keep their label: a unit on the shelf is never relabelled.
    """
    ids = sorted({unit.pk for unit in units})
    locked = list(
        BloodUnit.objects.select_for_update()
        .filter(pk__in=ids, state=BloodUnit.State.QUARANTINED)
        .exclude(abo=abo, rhd=rhd)
        .order_by("pk")
    )
    if not locked:
        return []
    before = {unit.pk: audit_snapshot(unit) for unit in locked}
    BloodUnit.objects.filter(pk__in=[unit.pk for unit in locked]).update(abo=abo, rhd=rhd)
    for unit in locked:
        unit.abo, unit.rhd = abo, rhd
    audit_updates(before=before, instances=locked)
    transaction.on_commit(stock.invalidate)
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
            unit_transition(unit=locked, to=BloodUnit.State.EXPIRED, reason="Shelf life ended.", already_locked=True)
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

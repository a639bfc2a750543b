"""Writes for the cold chain: storage locations and their device tokens, temperature readings, the
excursions they open, their closing, and unit moves.

A reading outside its location's range opens an excursion in the same transaction, and the units
kept there (quarantined, available or reserved) are held: those on the shelf go into quarantine
(their reservations withdrawn first, as a recall does), those already in quarantine stay there. A
held unit may not become available (`inventory.services.units_transition` asks
`selectors.excursion_held_unit_ids`) until a person closes the excursion, deciding for each unit:
- discard: the unit is discarded with the reason;
- release: a unit the excursion took off the shelf (or held on arrival) goes back into stock through
  the same gate as every other path: its label scanned and matched (`verification.label_verify`),
  in date, held by no recall; a unit that was already in quarantine (in testing, awaiting its label
  check) only loses the excursion's hold and goes on through the lab's release as before.
"""

import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.accounts.models import User
from dblood.audit.services import audit_track
from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import units_transition
from dblood.notifications.messages import notify_staff
from dblood.notifications.models import Notification

from .models import Excursion, ExcursionUnit, StorageLocation, TemperatureReading, UnitMove

S = BloodUnit.State
D = ExcursionUnit.Decision
# A unit in the bank's custody on a shelf: what an excursion holds and a count expects.
IN_STORAGE = (S.QUARANTINED, S.AVAILABLE, S.RESERVED)
ON_THE_SHELF = (S.AVAILABLE, S.RESERVED)
# A device clock may run a little ahead; a reading further in the future is a mistake.
CLOCK_SKEW = timedelta(minutes=5)


def token_hash(token: str) -> str:
    """SHA-256 of a device token: the token is 32 random bytes, so a plain hash is enough to keep it."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def device_token_issue(*, location: StorageLocation) -> str:
    """A new device token for `location` (the old one stops working); returned once, never stored."""
    token = secrets.token_urlsafe(32)
    locked = audit_track(StorageLocation.objects.select_for_update().get(pk=location.pk))
    locked.device_token_hash = token_hash(token)
    locked.save(update_fields=["device_token_hash"])
    location.device_token_hash = locked.device_token_hash
    return token


def location_for_token(token: str) -> StorageLocation | None:
    if not token:
        return None
    return StorageLocation.objects.select_related("site").filter(device_token_hash=token_hash(token)).first()


def storage_location_create(*, site, code: str, name: str, kind: str, min_c: Decimal, max_c: Decimal):
    if not site.is_blood_bank:
        raise ValidationError({"site": [_("Storage locations belong to a blood bank.")]})
    if min_c >= max_c:
        raise ValidationError({"max_c": [_("The highest allowed temperature must be above the lowest.")]})
    if StorageLocation.objects.filter(site=site, code=code).exists():
        raise ValidationError({"code": [_("This blood bank already has a storage location with this code.")]})
    return StorageLocation.objects.create(site=site, code=code, name=name, kind=kind, min_c=min_c, max_c=max_c)


def reading_record(
    *, location: StorageLocation, taken_at, temperature_c: Decimal, source: str, by=None
) -> tuple[TemperatureReading, bool]:
    """Record a reading; (reading, created). The same location and moment again returns the first
    reading (a device retrying its post), or a 409 if it carries another temperature.

    Out of range: the location's open excursion gains the reading, or one opens and holds the units
    kept there, all in this transaction. Race: two readings of one location at once (a device and a
    nurse, or a device retrying). The location row is locked first, so the second sees the first's
    reading and its excursion; the partial unique constraint on open excursions backs it up.
    """
    if taken_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"taken_at": [_("A reading cannot be taken in the future.")]})
    with transaction.atomic():
        locked = StorageLocation.objects.select_for_update().get(pk=location.pk)
        existing = TemperatureReading.objects.filter(location=locked, taken_at=taken_at).first()
        if existing is not None:
            if existing.temperature_c != temperature_c:
                raise Conflict(
                    _("A different temperature is already recorded for this location at this moment."),
                    code="reading_differs",
                    extra={"reading": existing.pk},
                )
            return existing, False
        in_range = locked.in_range(temperature_c)
        excursion = None
        if not in_range:
            excursion = _excursion_for(location=locked, temperature_c=temperature_c, by=by)
        reading = TemperatureReading.objects.create(
            location=locked,
            taken_at=taken_at,
            temperature_c=temperature_c,
            in_range=in_range,
            source=source,
            recorded_by=by,
            excursion=excursion,
        )
    return reading, True


def _excursion_for(*, location: StorageLocation, temperature_c: Decimal, by) -> Excursion:
    """The location's open excursion, or a new one holding every unit kept there."""
    existing = Excursion.objects.filter(location=location, status=Excursion.Status.OPEN).first()
    if existing is not None:
        return existing
    excursion = Excursion.objects.create(
        kind=Excursion.Kind.STORAGE, site_id=location.site_id, location=location, temperature_c=temperature_c
    )
    kept = BloodUnit.objects.filter(storage_location=location, state__in=IN_STORAGE)
    held = units_hold(excursion=excursion, unit_ids=list(kept.values_list("pk", flat=True)), by=by)
    _tell_bank(excursion, Notification.Kind.EXCURSION_STORAGE, place=location.name, units=len(held))
    return excursion


def _tell_bank(excursion: Excursion, kind: str, **params) -> None:
    """Every staff member of the bank hears of an excursion once (in-app; e-mail and phone by the worker)."""
    notify_staff(
        site_id=excursion.site_id,
        role=User.Role.BLOOD_BANK_STAFF,
        kind=kind,
        key=f"excursion:{excursion.pk}",
        data={"excursion": excursion.pk},
        **params,
    )


def units_hold(*, excursion: Excursion, unit_ids: Sequence[int], by) -> list[ExcursionUnit]:
    """Hold these units for `excursion`: reservations end first (the locking order is request rows,
    then unit rows), then the units on a shelf go into quarantine. One row per unit, audited."""
    if not unit_ids:
        return []
    from dblood.requests.services import allocations_withdraw

    allocations_withdraw(unit_ids=list(unit_ids))
    units = list(
        BloodUnit.objects.select_for_update(of=("self",))
        .filter(pk__in=unit_ids, state__in=(*IN_STORAGE, S.IN_TRANSIT))
        .order_by("pk")
    )
    rows = [ExcursionUnit(excursion=excursion, unit=unit, state_at_hold=unit.state) for unit in units]
    for row in rows:
        row.save()  # a handful per fridge: each hold is logged by the audit signal
    shelf = [unit for unit in units if unit.state in ON_THE_SHELF]
    units_transition(
        units=shelf, to=S.QUARANTINED, by=by, reason=f"Temperature excursion {excursion.pk}.", already_locked=True
    )
    return rows


def needs_scan(row: ExcursionUnit) -> bool:
    """A unit the excursion took out of stock (or held on arrival) re-enters stock only on a fresh
    matched check of its label, as every unit entering stock does."""
    return row.state_at_hold != S.QUARANTINED


def excursion_close(*, excursion: Excursion, by, reason: str, decisions: Sequence[dict]) -> Excursion:
    """Close an open excursion: `decisions` names each unit it still holds in quarantine, once, with
    "release" or "discard" (and, for a release of a unit it took out of stock, its label scanned:
    `din` and `product_code`). 400 naming the field for a unit missing, doubled or not held; 409 for
    a closed excursion, an expired unit to release, or a scan that does not match (the failed check
    is kept as evidence, and nothing else is written).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the units are released or discarded.")]})
    held = {row.unit_id: row for row in _pending(excursion)}
    chosen = _check_decisions(held, decisions)
    for unit_id, decision in chosen.items():
        row = held[unit_id]
        if decision["decision"] == "release":
            if row.unit.expires_at <= timezone.now():
                raise Conflict(
                    _("Unit %(unit)s is past its expiry: it cannot be released, discard it.") % {"unit": unit_id},
                    code="unit_expired",
                    extra={"units": [unit_id]},
                )
            if needs_scan(row):
                _scan_release(row.unit, decision, by=by)
    with transaction.atomic():
        locked = audit_track(Excursion.objects.select_for_update().get(pk=excursion.pk))
        if locked.status != Excursion.Status.OPEN:
            raise Conflict(_("This excursion is already closed."), code="excursion_closed")
        now = timezone.now()
        rows = {row.unit_id: audit_track(row) for row in _pending(locked, lock=True)}
        releasing, discarding = [], []
        for unit_id, row in rows.items():
            decision = chosen.get(unit_id)
            if decision is None:  # left the bank's custody meanwhile (expired, discarded)
                row.decision = D.GONE
            elif decision["decision"] == "release":
                row.decision = D.RELEASED
                if needs_scan(row):
                    releasing.append(row.unit)
            else:
                row.decision = D.DISCARDED
                discarding.append(row.unit)
            row.decided_at, row.decided_by = now, by
            row.save(update_fields=["decision", "decided_at", "decided_by"])
        why = f"Temperature excursion {locked.pk}: {reason}"[:200]
        # The hold is lifted above; the move into stock goes through the same checks as any other.
        units_transition(units=releasing, to=S.AVAILABLE, by=by, reason=why)
        units_transition(units=discarding, to=S.DISCARDED, by=by, reason=why)
        locked.status, locked.closed_at, locked.closed_by, locked.reason = Excursion.Status.CLOSED, now, by, reason
        locked.save(update_fields=["status", "closed_at", "closed_by", "reason"])
    return locked


def _pending(excursion: Excursion, *, lock: bool = False) -> list[ExcursionUnit]:
    rows = (
        ExcursionUnit.objects.filter(excursion=excursion, decision=D.PENDING).select_related("unit").order_by("unit_id")
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows)


def _check_decisions(held: dict[int, ExcursionUnit], decisions: Sequence[dict]) -> dict[int, dict]:
    """{unit id: decision} for every held unit still in quarantine, or a 400 naming the problem."""
    chosen: dict[int, dict] = {}
    for index, decision in enumerate(decisions):
        unit_id = decision["unit"]
        if unit_id not in held:
            raise ValidationError({f"units.{index}.unit": [_("This excursion does not hold this unit.")]})
        if unit_id in chosen:
            raise ValidationError({f"units.{index}.unit": [_("This unit is named twice.")]})
        row = held[unit_id]
        if row.unit.state != S.QUARANTINED:
            raise ValidationError({f"units.{index}.unit": [_("This unit has left the bank's custody already.")]})
        if (
            decision["decision"] == "release"
            and needs_scan(row)
            and not (decision.get("din") and decision.get("product_code"))
        ):
            raise ValidationError(
                {
                    f"units.{index}.din": [
                        _("Scan the label (DIN and product barcodes) of a unit going back into stock.")
                    ]
                }
            )
        chosen[unit_id] = decision
    undecided = sorted(uid for uid, row in held.items() if row.unit.state == S.QUARANTINED and uid not in chosen)
    if undecided:
        raise ValidationError(
            {"units": [_("Decide for every unit the excursion holds: %(units)s.") % {"units": undecided}]}
        )
    return chosen


def _scan_release(unit: BloodUnit, decision: dict, *, by) -> None:
    """The label check of a unit going back into stock, committed on its own (a mismatch is evidence)."""
    from dblood.inventory.verification import label_verify, mismatch_conflict

    with transaction.atomic():
        check = label_verify(
            unit=unit, by=by, din_scan=decision["din"], product_scan=decision["product_code"], release=False
        )
    if not check.matched:
        raise mismatch_conflict(check)


def transport_in_range(*, component: str, temperature_c: Decimal) -> bool:
    """Within the component type's transport range (inventory.ComponentType, docs/domain.md)."""
    from dblood.inventory import components

    kind = components.kind(component)
    low, high = (kind.transport_min_c, kind.transport_max_c) if kind else (None, None)
    return (low is None or temperature_c >= low) and (high is None or temperature_c <= high)


def transport_excursion_open(*, transfer, unit: BloodUnit, temperature_c: Decimal, by) -> Excursion:
    """A unit arrived out of its transport range: an excursion at the receiving bank holds it."""
    excursion = Excursion.objects.create(
        kind=Excursion.Kind.TRANSPORT, site_id=transfer.to_site_id, transfer=transfer, temperature_c=temperature_c
    )
    ExcursionUnit.objects.create(excursion=excursion, unit=unit, state_at_hold=unit.state)
    _tell_bank(excursion, Notification.Kind.EXCURSION_TRANSPORT, din=unit.donation.din)
    return excursion


@transaction.atomic
def unit_move(*, unit: BloodUnit, to_location: StorageLocation | None, by) -> UnitMove:
    """Put a unit in its bank's storage location `to_location` (None: taken out), recorded.

    409 when the unit is not on a shelf of that bank, when the location is inactive, has an open
    excursion (the unit would be held at once), or is kept outside the component's storage range
    (a red-cell unit in a freezer). The unit row is locked: two moves of one bag end in one place.
    """
    locked = audit_track(BloodUnit.objects.select_for_update().get(pk=unit.pk))
    if locked.state not in IN_STORAGE:
        raise Conflict(_("Only a unit in the bank's custody can be moved."), code="not_in_storage")
    if to_location is not None:
        if to_location.site_id != locked.site_id:
            raise ValidationError({"to_location": [_("This storage location belongs to another blood bank.")]})
        if not to_location.is_active:
            raise Conflict(_("This storage location is not in use."), code="location_inactive")
        if Excursion.objects.filter(location=to_location, status=Excursion.Status.OPEN).exists():
            raise Conflict(
                _("This storage location has an open temperature excursion: store the unit elsewhere."),
                code="location_excursion",
            )
        if not storage_fits(component=locked.component, location=to_location):
            raise Conflict(_("This storage location's range does not suit this component."), code="location_unsuitable")
    if locked.storage_location_id == (to_location.pk if to_location else None):
        raise Conflict(_("The unit is already there."), code="already_there")
    move = UnitMove.objects.create(
        unit=locked, from_location_id=locked.storage_location_id, to_location=to_location, by=by
    )
    locked.storage_location = to_location
    locked.save(update_fields=["storage_location"])
    unit.storage_location = to_location
    return move


def storage_fits(*, component: str, location: StorageLocation) -> bool:
    """The location's whole range lies inside the component type's storage range."""
    from dblood.inventory import components

    kind = components.kind(component)
    if kind is None:
        return False
    low, high = kind.storage_min_c, kind.storage_max_c
    return (low is None or location.min_c >= low) and (high is None or location.max_c <= high)

"""Transfers of units between blood banks.

Two ways onto the road:
- the bank that holds an AVAILABLE unit sends it (`transfer_send`: IN_TRANSIT at once), and the
  receiving bank books it into its stock (AVAILABLE there);
- a bank reserves another bank's unit for one of its requests (`transfers_request`, called by the
  reservation): the transfer is REQUESTED and the unit stays RESERVED where it is; the holding bank
  dispatches it (`transfer_dispatch`: IN_TRANSIT), the issuing bank books it in, still RESERVED for
  the request, and only then may issue it.

A transfer that will not arrive is closed: the unit was discarded or expired on the way
(`services.units_transition` closes it), or the reservation ended before dispatch (`transfers_unreserve`).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dblood.core.errors import Conflict
from dblood.sites.models import Site

from .models import BloodUnit, Transfer
from .services import unit_transition


def _check_destination(*, unit: BloodUnit, to_site: Site) -> None:
    if not to_site.is_blood_bank or not to_site.is_active:
        raise Conflict(_("Units can only be transferred to an active blood bank."), code="bad_destination")
    if to_site.pk == unit.site_id:
        raise Conflict(_("The unit is already at that blood bank."), code="bad_destination")


def _check_dispatch_temperature(*, unit: BloodUnit, temperature_c) -> None:
    """A unit measured outside its transport range at dispatch does not leave (409)."""
    from dblood.coldchain.services import transport_in_range

    if temperature_c is not None and not transport_in_range(component=unit.component, temperature_c=temperature_c):
        raise Conflict(
            _("The unit is outside its transport temperature range: do not send it."),
            code="transport_temperature_out_of_range",
        )


@transaction.atomic
def transfer_send(*, unit: BloodUnit, to_site: Site, by=None, temperature_c=None) -> Transfer:
    """Send an AVAILABLE unit to another blood bank (its temperature at dispatch recorded when given).
    409 when it is not available, goes nowhere, or is out of its transport range."""
    _check_destination(unit=unit, to_site=to_site)
    _check_dispatch_temperature(unit=unit, temperature_c=temperature_c)
    from_site_id = unit.site_id
    # unit_transition locks the row: two clerks sending the same unit cannot both succeed.
    unit_transition(unit=unit, to=BloodUnit.State.IN_TRANSIT, by=by, reason=f"Transfer to {to_site.code}")
    now = timezone.now()
    try:
        with transaction.atomic():
            created = Transfer.objects.create(
                unit=unit,
                from_site_id=from_site_id,
                to_site=to_site,
                requested_at=now,
                sent_at=now,
                sent_by=by,
                sent_temperature_c=temperature_c,
            )
    except IntegrityError as exc:  # the partial unique constraint: already on its way
        raise Conflict(_("The unit is already in transit."), code="already_in_transit") from exc
    transaction.on_commit(lambda: _tell_receiver(created))
    return created


def transfers_request(*, units: list[BloodUnit], to_site_id: int, by=None) -> dict[int, Transfer]:
    """Ask the banks holding these units (just RESERVED, locked by the caller) to send them to
    `to_site_id`, where they are reserved for a request. One INSERT; {unit id: transfer}."""
    now = timezone.now()
    rows = [
        Transfer(
            unit=unit,
            from_site_id=unit.site_id,
            to_site_id=to_site_id,
            status=Transfer.Status.REQUESTED,
            reserved=True,
            requested_at=now,
            requested_by=by,
        )
        for unit in units
    ]
    try:
        with transaction.atomic():
            created = Transfer.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise Conflict(_("The unit is already in transit."), code="already_in_transit") from exc
    return {transfer.unit_id: transfer for transfer in created}


def _lock(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def transfer_dispatch(*, transfer: Transfer, by=None, temperature_c=None) -> Transfer:
    """The holding bank puts a requested unit on the road: the unit goes IN_TRANSIT, still reserved.

    Race: two clerks dispatching one bag. The transfer row is locked and its status checked under
    the lock, so the second gets a 409.
    """
    locked = _lock(transfer)
    if locked.status != Transfer.Status.REQUESTED:
        raise Conflict(_("This transfer is not waiting to be dispatched."), code="not_requested")
    unit = BloodUnit.objects.get(pk=locked.unit_id)
    _check_dispatch_temperature(unit=unit, temperature_c=temperature_c)
    unit_transition(unit=unit, to=BloodUnit.State.IN_TRANSIT, by=by, reason=f"Transfer {locked.pk} dispatched")
    locked.status = Transfer.Status.IN_TRANSIT
    locked.sent_at = timezone.now()
    locked.sent_by = by
    locked.sent_temperature_c = temperature_c
    locked.save(update_fields=["status", "sent_at", "sent_by", "sent_temperature_c"])
    transaction.on_commit(lambda: _tell_receiver(locked))
    return locked


def _tell_receiver(transfer: Transfer) -> None:
    """The receiving bank's staff hear that a unit is on its way to them."""
    from dblood.accounts.models import User
    from dblood.notifications.messages import notify_staff
    from dblood.notifications.models import Notification

    unit = BloodUnit.objects.select_related("donation").get(pk=transfer.unit_id)
    notify_staff(
        site_id=transfer.to_site_id,
        role=User.Role.BLOOD_BANK_STAFF,
        kind=Notification.Kind.TRANSFER_DISPATCHED,
        key=f"transfer-dispatched:{transfer.pk}",
        data={"transfer": transfer.pk, "unit": unit.pk},
        din=unit.donation.din,
        component=unit.component,
        bank=Site.objects.get(pk=transfer.from_site_id).name,
    )


def transfer_receive(*, transfer: Transfer, din_scan: str, product_scan: str, temperature_c, by=None) -> Transfer:
    """Book a unit in at the receiving bank, on the two scans of its label (`verification.label_verify`)
    and its temperature on arrival: it becomes AVAILABLE there, RESERVED when it travels reserved for a
    request there, QUARANTINED when a recall holds it or it arrived outside its component's transport
    range (a transport excursion then holds it until a person decides: coldchain.services).

    A scan that does not match is a 409 (label_mismatch) and the unit stays on its way; the failed
    check is committed first, as evidence. Race: two clerks scanning the same bag in. The transfer
    row is locked and its status checked under the lock, so the second gets a 409.
    """
    from .verification import mismatch_conflict

    with transaction.atomic():
        received, check = _receive(
            transfer=transfer, din_scan=din_scan, product_scan=product_scan, temperature_c=temperature_c, by=by
        )
    if not check.matched:
        raise mismatch_conflict(check)
    return received


def _receive(*, transfer: Transfer, din_scan: str, product_scan: str, temperature_c, by):
    from dblood.coldchain.services import transport_excursion_open, transport_in_range
    from dblood.recalls.selectors import recalled_unit_ids

    from .verification import label_verify, scans_match_last_print

    locked = _lock(transfer)
    if locked.status != Transfer.Status.IN_TRANSIT:
        raise Conflict(_("This unit is not on its way here."), code="already_received")
    unit = BloodUnit.objects.get(pk=locked.unit_id)
    too_warm_or_cold = not transport_in_range(component=unit.component, temperature_c=temperature_c)
    if (
        too_warm_or_cold
        and locked.reserved
        and scans_match_last_print(unit, din_scan=din_scan, product_scan=product_scan)
    ):
        from dblood.requests.services import allocations_withdraw

        # Its reservation ends: before label_verify locks the unit row (the locking order is request
        # rows, then unit rows), and only for scans that will book it in (a refused receipt changes
        # nothing but the failed check it records).
        allocations_withdraw(unit_ids=[unit.pk])
        locked.refresh_from_db(fields=["reserved"])
    check = label_verify(unit=unit, by=by, din_scan=din_scan, product_scan=product_scan, release=False)
    if not check.matched:
        return locked, check
    reason = f"Received from transfer {locked.pk}"
    to = BloodUnit.State.RESERVED if locked.reserved else BloodUnit.State.AVAILABLE
    if recalled_unit_ids([unit.pk]):  # stopped on the way by a lookback: booked in, into quarantine
        to, reason = BloodUnit.State.QUARANTINED, f"{reason}; held by a recall"
    if too_warm_or_cold:
        transport_excursion_open(transfer=locked, unit=unit, temperature_c=temperature_c, by=by)
        to, reason = BloodUnit.State.QUARANTINED, f"{reason}; arrived at {temperature_c} °C, out of transport range"
    unit_transition(unit=unit, to=to, by=by, reason=reason[:200], site_id=locked.to_site_id)
    locked.status = Transfer.Status.RECEIVED
    locked.received_at = timezone.now()
    locked.received_by = by
    locked.received_temperature_c = temperature_c
    locked.save(update_fields=["status", "received_at", "received_by", "received_temperature_c"])
    return locked, check


def transfers_unreserve(*, unit_ids: list[int]) -> None:
    """The reservations of these units ended: a transfer not yet dispatched is closed (the unit
    stays where it is), one on the road goes on but the unit arrives as ordinary stock."""
    if not unit_ids:
        return
    open_transfers = Transfer.objects.filter(unit_id__in=unit_ids, reserved=True)
    open_transfers.filter(status=Transfer.Status.REQUESTED).update(
        status=Transfer.Status.CLOSED, reserved=False, closed_at=timezone.now(), closed_reason="Reservation ended."
    )
    open_transfers.filter(status=Transfer.Status.IN_TRANSIT).update(reserved=False)

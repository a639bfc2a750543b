"""Transfers of units between blood banks: sent (IN_TRANSIT), then received (AVAILABLE at the new bank)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.sites.models import Site

from .models import BloodUnit, Transfer
from .services import unit_transition


@transaction.atomic
def transfer_send(*, unit: BloodUnit, to_site: Site, by=None) -> Transfer:
    """Send an AVAILABLE unit to another blood bank. 409 when it is not available or goes nowhere."""
    if not to_site.is_blood_bank or not to_site.is_active:
        raise Conflict("Units can only be transferred to an active blood bank.", code="bad_destination")
    if to_site.pk == unit.site_id:
        raise Conflict("The unit is already at that blood bank.", code="bad_destination")
    from_site_id = unit.site_id
    # unit_transition locks the row: two clerks sending the same unit cannot both succeed.
    unit_transition(unit=unit, to=BloodUnit.State.IN_TRANSIT, by=by, reason=f"Transfer to {to_site.code}")
    try:
        with transaction.atomic():
            return Transfer.objects.create(unit=unit, from_site_id=from_site_id, to_site=to_site, sent_by=by)
    except IntegrityError as exc:  # the partial unique constraint: already on its way
        raise Conflict("The unit is already in transit.", code="already_in_transit") from exc


@transaction.atomic
def transfer_receive(*, transfer: Transfer, by=None) -> Transfer:
    """Book a unit in at the receiving bank: it becomes AVAILABLE there (QUARANTINED if a recall holds it).

    Race: two clerks scanning the same bag in. The transfer row is locked and its status checked
    under the lock, so the second gets a 409.
    """
    locked = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != Transfer.Status.IN_TRANSIT:
        raise Conflict("This transfer has already been received.", code="already_received")
    from dblood.recalls.selectors import recalled_unit_ids

    unit = BloodUnit.objects.get(pk=locked.unit_id)
    reason = f"Received from transfer {locked.pk}"
    to = BloodUnit.State.AVAILABLE
    if recalled_unit_ids([unit.pk]):  # stopped on the way by a lookback: booked in, into quarantine
        to, reason = BloodUnit.State.QUARANTINED, f"{reason}; held by a recall"
    unit_transition(unit=unit, to=to, by=by, reason=reason, site_id=locked.to_site_id)
    locked.status = Transfer.Status.RECEIVED
    locked.received_at = timezone.now()
    locked.received_by = by
    locked.save(update_fields=["status", "received_at", "received_by"])
    transfer.__dict__.update(locked.__dict__)
    return locked

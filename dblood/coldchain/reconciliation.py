"""End-of-day reconciliation: staff scan every bag on a storage location's shelves (the DIN and
product barcodes of each label, as a label check does) and dblood compares the count with what it
expects there: the units in the bank's custody (quarantined, available, reserved) placed at it.

Each difference is kept as an item: MISSING (expected, not scanned) or UNEXPECTED (scanned, not
expected: kept elsewhere, out of stock, or unknown). A person resolves each with what was found
and done; items are never deleted.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.audit.services import audit_track
from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.inventory.verification import read_label_scans

from .models import Reconciliation, ReconciliationItem, StorageLocation
from .services import IN_STORAGE

K = ReconciliationItem.Kind


def _read(scans: Sequence[dict]) -> list[tuple[str, str]]:
    """(DIN, product code) per scan pair, in order, each once; a 400 naming the pair at fault."""
    pairs: list[tuple[str, str]] = []
    for index, scan in enumerate(scans):
        din, product = read_label_scans(scan["din"], scan["product_code"], prefix=f"scans.{index}.")
        pair = (din.din, product.product_code)
        if pair in pairs:
            raise ValidationError({f"scans.{index}.din": [_("This bag was scanned twice.")]})
        pairs.append(pair)
    return pairs


@transaction.atomic
def reconciliation_record(*, location: StorageLocation, scans: Sequence[dict], by) -> Reconciliation:
    """Compare the scans with the units expected at `location`; one record and its items.

    Race: a unit moved in or out while the count is compared. The location row is locked (moves into
    it and readings lock it too), and the expected units are read under that lock."""
    pairs = _read(scans)
    StorageLocation.objects.select_for_update().get(pk=location.pk)
    expected = {
        (din, code): pk
        for pk, din, code in BloodUnit.objects.filter(storage_location=location, state__in=IN_STORAGE).values_list(
            "pk", "donation__din", "product_code"
        )
    }
    counted = set(pairs)
    missing = [pair for pair in expected if pair not in counted]
    unexpected = [pair for pair in pairs if pair not in expected]
    known = {}
    if unexpected:
        dins = {din for din, _code in unexpected}
        known = {
            (din, code): pk
            for pk, din, code in BloodUnit.objects.filter(donation__din__in=dins).values_list(
                "pk", "donation__din", "product_code"
            )
        }
    record = Reconciliation.objects.create(
        location=location, by=by, expected=len(expected), counted=len(pairs), matched=len(pairs) - len(unexpected)
    )
    items = [
        ReconciliationItem(
            reconciliation=record, kind=K.MISSING, unit_id=expected[pair], din=pair[0], product_code=pair[1]
        )
        for pair in sorted(missing)
    ] + [
        ReconciliationItem(
            reconciliation=record, kind=K.UNEXPECTED, unit_id=known.get(pair), din=pair[0], product_code=pair[1]
        )
        for pair in unexpected
    ]
    for item in items:
        item.save()  # each difference is logged by the audit signal
    return record


@transaction.atomic
def reconciliation_item_resolve(*, item: ReconciliationItem, resolution: str, by) -> ReconciliationItem:
    """Say what was found and done about one difference. 409 when it is resolved already."""
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say what was found and done.")]})
    locked = audit_track(ReconciliationItem.objects.select_for_update().get(pk=item.pk))
    if locked.resolved_at is not None:
        raise Conflict(_("This difference is resolved already."), code="already_resolved")
    locked.resolved_at, locked.resolved_by, locked.resolution = timezone.now(), by, resolution
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return locked

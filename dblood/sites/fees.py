"""A blood bank's processing fees (BPPD): reads and the one write. Blood is never sold; the fee is
what the bank charges a hospital per bag for collecting, testing and processing it."""

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from dblood.core.errors import Conflict

from .models import ProcessingFee, Site


def fees_of(site_id: int) -> dict[str, int]:
    """component code -> rupiah per bag, for the components the bank has published a fee for."""
    return dict(ProcessingFee.objects.filter(site_id=site_id).values_list("component", "amount_idr"))


@transaction.atomic
def processing_fees_set(*, site: Site, fees: dict[str, int], by) -> list[ProcessingFee]:
    """Replace the bank's published fees with `fees` (component -> rupiah); a component left out
    has no published fee any more. Every row created, changed or removed is in the audit log."""
    if not (by.is_admin or (by.is_blood_bank_staff and site.pk in by.site_ids)):
        raise PermissionDenied(_("Only staff of this blood bank or an administrator may set its fees."))
    # Race: two staff saving the table at once. The site's row lock orders them; the second sees
    # the first's rows and replaces them whole, so the table is always one person's full edit.
    locked = Site.objects.select_for_update().get(pk=site.pk)
    if not locked.is_blood_bank:
        raise Conflict(_("Only a blood bank has processing fees."), code="not_a_blood_bank")
    current = {fee.component: fee for fee in ProcessingFee.objects.filter(site=locked)}
    for component, fee in current.items():
        if component not in fees:
            fee.delete()
    kept = []
    for component, amount in sorted(fees.items()):
        fee = current.get(component)
        if fee is None:
            fee = ProcessingFee.objects.create(site=locked, component=component, amount_idr=amount, updated_by=by)
        elif fee.amount_idr != amount:
            fee.amount_idr = amount
            fee.updated_by = by
            fee.save(update_fields=["amount_idr", "updated_by", "updated_at"])
        kept.append(fee)
    return kept

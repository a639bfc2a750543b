"""Worker job: expire units past their date and let go of the allocations they held."""

from django.db import transaction
from django.utils import timezone

from dblood.inventory.models import BloodUnit
from dblood.inventory.services import expired_units, unit_expire

from .models import Allocation
from .services import _refresh_status


def units_expire_and_release(*, now=None) -> int:
    """Expire due units (inventory's sweep), then release reservations whose unit left the shelf
    (expired or discarded), so the request shows it needs units again. Returns units expired."""
    now = now or timezone.now()
    expired = sum(unit_expire(unit_id=pk, now=now) for pk in expired_units(now=now).values_list("pk", flat=True))
    gone = Allocation.objects.filter(
        status=Allocation.Status.RESERVED, unit__state__in=[BloodUnit.State.EXPIRED, BloodUnit.State.DISCARDED]
    ).select_related("request")
    for allocation in gone:
        with transaction.atomic():
            updated = Allocation.objects.filter(pk=allocation.pk, status=Allocation.Status.RESERVED).update(
                status=Allocation.Status.RELEASED, released_at=now
            )
            if updated:
                _refresh_status(allocation.request)
    return expired

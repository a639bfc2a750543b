"""Reads for the cold chain: which units an excursion holds, and what a user may see."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Excursion, ExcursionUnit, Reconciliation, StorageLocation


def excursion_held_q() -> Q:
    """Units an open decision of an excursion holds (they may not become available)."""
    return Q(Exists(ExcursionUnit.objects.filter(unit_id=OuterRef("pk"), decision=ExcursionUnit.Decision.PENDING)))


def excursion_held_unit_ids(unit_ids: Iterable[int]) -> set[int]:
    """Which of these units an excursion holds. One query."""
    ids = list(unit_ids)
    if not ids:
        return set()
    pending = ExcursionUnit.objects.filter(unit_id__in=ids, decision=ExcursionUnit.Decision.PENDING)
    return set(pending.values_list("unit_id", flat=True))


def _bank_ids(user) -> list[int] | None:
    """The banks whose cold chain `user` follows; None for an administrator (every bank)."""
    return None if user.is_admin else list(user.site_ids)


def locations_visible_to(user) -> QuerySet[StorageLocation]:
    banks = _bank_ids(user)
    qs = StorageLocation.objects.all()
    return qs if banks is None else qs.filter(site_id__in=banks)


def excursions_visible_to(user) -> QuerySet[Excursion]:
    banks = _bank_ids(user)
    qs = Excursion.objects.all()
    return qs if banks is None else qs.filter(site_id__in=banks)


def reconciliations_visible_to(user) -> QuerySet[Reconciliation]:
    banks = _bank_ids(user)
    qs = Reconciliation.objects.all()
    return qs if banks is None else qs.filter(location__site_id__in=banks)

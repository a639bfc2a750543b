"""Reads for lookback and recall: which units a recall holds, and which recalls a user may see."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from dblood.inventory.models import BloodUnit

from .models import Recall


def held_units_q() -> Q:
    """Units whose donation lies inside a recall's window for its donor (the reactive donation's units,
    every traced unit, and any unit separated from those donations later). Closing a recall does not
    lift the hold: a traced unit at a hospital when it closed may still be handed back (returns)."""
    holding = Recall.objects.filter(
        donation__donor_id=OuterRef("donation__donor_id"),
        window_start__lte=OuterRef("donation__collected_at"),
    )
    return Q(Exists(holding))


def recalled_unit_ids(unit_ids: Iterable[int]) -> set[int]:
    """Which of these units a recall holds (they may not become available). One query."""
    ids = list(unit_ids)
    if not ids:
        return set()
    return set(BloodUnit.objects.filter(held_units_q(), pk__in=ids).values_list("pk", flat=True))


def recalls_visible_to(user) -> QuerySet[Recall]:
    """Recalls that concern one of the user's blood banks: opened there, or tracing a unit held
    there or on its way there. Staff of a bank see only the traced units at their banks, and only
    the opening bank sees which donation opened it (serializers.py)."""
    sites = user.site_ids
    concerned = Q(site_id__in=sites) | Q(traced__site_id__in=sites) | Q(traced__transfer__to_site_id__in=sites)
    ids = Recall.objects.filter(concerned).values("pk")
    return Recall.objects.filter(pk__in=ids)

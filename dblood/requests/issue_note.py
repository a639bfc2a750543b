"""The issue note: what a hospital is charged for the units of one issue (the bank's BPPD per bag)."""

from django.utils.translation import gettext as _

from dblood.core.blood import Component

from .models import Allocation


def issue_note(*, bank: str, hospital: str, issued: list[Allocation]) -> dict:
    """Lines by component, in the order of Component; fees as kept on the allocations at issue."""
    lines: dict[tuple[str, int | None], int] = {}
    for allocation in issued:
        key = (allocation.unit.component, allocation.processing_fee_idr)
        lines[key] = lines.get(key, 0) + 1
    order = {code: n for n, code in enumerate(Component.values)}
    rows = [
        {
            "component": component,
            "units": units,
            "fee_per_unit_idr": fee,
            "subtotal_idr": None if fee is None else fee * units,
        }
        for (component, fee), units in sorted(lines.items(), key=lambda item: (order[item[0][0]], item[0][1] or 0))
    ]
    return {
        "bank": bank,
        "hospital": hospital,
        "issued_at": issued[0].issued_at if issued else None,
        "lines": rows,
        "total_idr": sum(row["subtotal_idr"] or 0 for row in rows),
        "blood_is_not_sold": _(
            "Blood is never sold. The fee (BPPD) pays for collecting, testing and processing each bag."
        ),
    }

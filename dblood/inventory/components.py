"""What a donation can be separated into, and how long each component keeps (docs/domain.md).

Shelf lives come from settings.SHELF_LIFE_DAYS so a deployment changes them without a code change;
the rest is the fixed vocabulary of what each collection can physically yield.
"""

from datetime import datetime, timedelta

from django.conf import settings

from dblood.core.blood import Component, DonationType

# Whole blood kept as is (WB) cannot also be separated; the others come from one bag together.
YIELDS: dict[str, frozenset[str]] = {
    DonationType.WHOLE_BLOOD: frozenset(
        {Component.WB, Component.PRC, Component.FFP, Component.TC, Component.LP, Component.AHF}
    ),
    DonationType.APHERESIS_PLATELETS: frozenset({Component.TC}),
    DonationType.APHERESIS_PLASMA: frozenset({Component.FFP, Component.LP}),
}

# Typical volume of each component from a 450 mL whole-blood bag, used when staff give none.
DEFAULT_VOLUME_ML: dict[str, int] = {
    Component.WB: 450,
    Component.PRC: 250,
    Component.FFP: 200,
    Component.LP: 200,
    Component.TC: 50,
    Component.AHF: 30,
}


def shelf_life(component: str) -> timedelta | None:
    """Shelf life of `component`, or None when this deployment does not make it."""
    days = settings.SHELF_LIFE_DAYS.get(component)
    return timedelta(days=days) if days else None


def stocked_components() -> list[str]:
    """Components with a shelf life, in the vocabulary's order: the columns of the stock table."""
    return [c for c in Component.values if shelf_life(c)]


def expiry(*, component: str, collected_at: datetime) -> datetime:
    life = shelf_life(component)
    if life is None:
        raise ValueError(f"No shelf life is configured for {component}.")
    return collected_at + life


def separation_problem(*, donation_type: str, components: list[str]) -> str | None:
    """Why this set of components cannot be made from one donation of this type, or None."""
    if not components:
        return "Name at least one component."
    if len(set(components)) != len(components):
        return "Each component can be made once per donation."
    allowed = YIELDS.get(donation_type, frozenset())
    for component in components:
        if component not in allowed:
            return f"A {donation_type} donation does not yield {component}."
        if shelf_life(component) is None:
            return f"{component} is not made here (no shelf life configured)."
    if Component.WB in components and len(components) > 1:
        return "Whole blood kept whole cannot also be separated."
    return None

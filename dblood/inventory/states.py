"""The unit state machine (docs/domain.md), as data. `services.units_transition` is the only writer."""

from .models import BloodUnit

S = BloodUnit.State

TRANSITIONS: dict[str, frozenset[str]] = {
    S.QUARANTINED: frozenset({S.AVAILABLE, S.EXPIRED, S.DISCARDED, S.UNSAFE}),
    # Back to QUARANTINED: a lookback takes a reactive donor's earlier units off the shelf (recalls).
    S.AVAILABLE: frozenset({S.RESERVED, S.EXPIRED, S.DISCARDED, S.IN_TRANSIT, S.QUARANTINED}),
    # A reservation that is cancelled puts the unit back on the shelf.
    # IN_TRANSIT: reserved for another bank's request, dispatched to it (transfers.py).
    S.RESERVED: frozenset({S.ISSUED, S.AVAILABLE, S.EXPIRED, S.DISCARDED, S.QUARANTINED, S.IN_TRANSIT}),
    # An issued unit handed back unused: inspected back into stock, or discarded (returns app).
    S.ISSUED: frozenset({S.TRANSFUSED, S.AVAILABLE, S.DISCARDED}),
    S.TRANSFUSED: frozenset(),
    S.EXPIRED: frozenset(),
    S.DISCARDED: frozenset(),
    # An unsafe unit is destroyed, and the destruction recorded (reason, who, when): it never returns.
    S.UNSAFE: frozenset({S.DISCARDED}),
    # Transfers between blood banks (transfers.py): booked in at the receiving bank (RESERVED when it
    # travels for a request there; into quarantine when a recall stopped it on the way), or lost on
    # the way (its transfer closes).
    S.IN_TRANSIT: frozenset({S.AVAILABLE, S.RESERVED, S.QUARANTINED, S.EXPIRED, S.DISCARDED}),
}

# States in which a unit still sits in a blood bank's custody and can expire on the shelf.
EXPIRABLE = frozenset({S.QUARANTINED, S.AVAILABLE, S.RESERVED, S.IN_TRANSIT})


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())

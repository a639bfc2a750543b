"""What a donation can be separated into, and how long each component keeps: the rules of the
`ComponentType` table (docs/domain.md defaults, edited in the admin), read in one place.

Rows are kept per process for COMPONENT_TYPES_CACHE_SECONDS; saving or deleting a row drops them at
once in the process that saved it (and again on commit), so an admin edit applies with no code change.
"""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from dblood.core.blood import CompatibilityKind, Component, DonationType
from dblood.core.errors import Conflict


@dataclass(frozen=True)
class Kind:
    """One component type's rules, as read from the table (a snapshot: never saved back)."""

    code: str
    name_en: str
    name_id: str
    isbt_product_codes: tuple[str, ...]
    donation_types: frozenset[str]
    bag_types: tuple[str, ...]
    storage_min_c: Decimal | None
    storage_max_c: Decimal | None
    transport_min_c: Decimal | None
    transport_max_c: Decimal | None
    shelf_life: timedelta | None
    processing_window: timedelta | None
    consumes: str
    whole_bag: bool
    compatibility: str
    default_volume_ml: int
    refill_donation_type: str
    recruit_on_shortage: bool


_cache: dict = {"at": 0.0, "kinds": None}


def forget(**_kwargs) -> None:
    """Drop this process's copy (post_save / post_delete of a ComponentType, and the test suite)."""
    _cache["kinds"] = None


def forget_on_save(sender, instance, **kwargs) -> None:
    forget()
    transaction.on_commit(forget)


def _snapshot(row) -> Kind:
    life = None
    if row.shelf_life:
        life = timedelta(hours=row.shelf_life) if row.shelf_life_period == "hours" else timedelta(days=row.shelf_life)
    window = timedelta(hours=row.max_hours_to_processing) if row.max_hours_to_processing is not None else None
    return Kind(
        code=row.code,
        name_en=row.name_en,
        name_id=row.name_id,
        isbt_product_codes=tuple(row.isbt_product_codes or ()),
        donation_types=frozenset(row.donation_types or ()),
        bag_types=tuple(row.bag_types or ()),
        storage_min_c=row.storage_min_c,
        storage_max_c=row.storage_max_c,
        transport_min_c=row.transport_min_c,
        transport_max_c=row.transport_max_c,
        shelf_life=life,
        processing_window=window,
        consumes=row.consumes,
        whole_bag=row.whole_bag,
        compatibility=row.compatibility,
        default_volume_ml=row.default_volume_ml,
        refill_donation_type=row.refill_donation_type,
        recruit_on_shortage=row.recruit_on_shortage,
    )


def kinds() -> dict[str, Kind]:
    """Every component type by code, in the vocabulary's order."""
    cached = _cache["kinds"]
    if cached is not None and time.monotonic() - _cache["at"] < settings.COMPONENT_TYPES_CACHE_SECONDS:
        return cached
    from .models import ComponentType

    rows = {row.code: _snapshot(row) for row in ComponentType.objects.all()}
    fresh = {code: rows[code] for code in Component.values if code in rows}
    _cache.update(at=time.monotonic(), kinds=fresh)
    return fresh


def kind(component: str) -> Kind | None:
    return kinds().get(component)


def shelf_life(component: str) -> timedelta | None:
    """Shelf life of `component`, or None when this deployment does not make it."""
    found = kind(component)
    return found.shelf_life if found else None


def stocked_components() -> list[str]:
    """Components with a shelf life, in the vocabulary's order: the columns of the stock table."""
    return [code for code, found in kinds().items() if found.shelf_life]


def expiry(*, component: str, collected_at: datetime) -> datetime:
    life = shelf_life(component)
    if life is None:
        raise ValueError(f"No shelf life is configured for {component}.")
    return collected_at + life


def default_volume_ml(component: str) -> int:
    return kinds()[component].default_volume_ml


def compatibility_kind(component: str) -> str:
    """The compatibility rule `component` follows; a component with no row matches nobody."""
    found = kind(component)
    if found is None:
        raise Conflict(
            _("%(component)s has no component type: nothing can be matched.") % {"component": component},
            code="unknown_component",
        )
    return found.compatibility


def refill_donation_type(component: str) -> str:
    """The donation a call-out for `component` asks donors to give."""
    found = kind(component)
    if found is None:
        raise Conflict(
            _("%(component)s has no component type: nobody can be asked for it.") % {"component": component},
            code="unknown_component",
        )
    return found.refill_donation_type


def recruited_components() -> dict[str, str]:
    """Components whose shortage invites donors, with the donation that refills each."""
    return {code: found.refill_donation_type for code, found in kinds().items() if found.recruit_on_shortage}


def separation_problem(*, donation_type: str, components: list[str]) -> str | None:
    """Why this set of components cannot be made from one donation of this type, or None."""
    if not components:
        return _("Name at least one component.")
    if len(set(components)) != len(components):
        return _("Each component can be made once per donation.")
    table = kinds()
    for component in components:
        found = table.get(component)
        if found is None or found.shelf_life is None:
            return _("%(component)s is not made here (no shelf life configured).") % {"component": component}
        if donation_type not in found.donation_types:
            return _("A %(donation_type)s donation does not yield %(component)s.") % {
                "donation_type": donation_type,
                "component": component,
            }
        if found.whole_bag and len(components) > 1:
            return _("%(component)s is the bag kept as it is: nothing else can be made from it.") % {
                "component": component
            }
        if found.consumes and found.consumes in components:
            message = _(
                "%(component)s is made from the bag's %(consumed)s: "
                "a bag yields %(consumed)s or %(component)s, not both."
            )
            return message % {"component": component, "consumed": found.consumes}
    return None


def processing_window_check(*, components: list[str], collected_at: datetime, processed_at: datetime) -> None:
    """Conflict (409, code processing_window_passed) for the first component that may no longer be
    made: more than its maximum time from collection to processing has passed."""
    elapsed = processed_at - collected_at
    for component in components:
        found = kind(component)
        if found is not None and found.processing_window is not None and elapsed > found.processing_window:
            hours = found.processing_window.total_seconds() / 3600
            raise Conflict(
                _("%(component)s must be made within %(max)s hours of collection; %(elapsed)s hours have passed.")
                % {"component": component, "max": f"{hours:g}", "elapsed": f"{elapsed.total_seconds() / 3600:.1f}"},
                code="processing_window_passed",
                extra={
                    "field": "components",
                    "component": component,
                    "max_hours_to_processing": hours,
                    "hours_since_collection": round(elapsed.total_seconds() / 3600, 1),
                },
            )


def product_code(component: str) -> str:
    """The ISBT 128 product code a new unit of `component` carries (data structure 003 without its
    `=<`): the type's first product description code, the donation-type character of this service
    (ISBT_DONATION_TYPE_CODE) and division "00" (not divided). A 409 naming the component when the
    type has no product description code: a unit that cannot be labelled is not made."""
    found = kind(component)
    if found is None or not found.isbt_product_codes:
        raise Conflict(
            _("%(component)s has no ISBT 128 product description code: its units could not be labelled.")
            % {"component": component},
            code="no_product_code",
            extra={"field": "components", "component": component},
        )
    return f"{found.isbt_product_codes[0]}{settings.ISBT_DONATION_TYPE_CODE}00"


def type_problems(row) -> dict[str, list[str]]:
    """What is wrong with a ComponentType row an admin is saving (its `clean`)."""
    problems: dict[str, list[str]] = {}
    types = row.donation_types
    if not isinstance(types, list) or not types or any(t not in DonationType.values for t in types):
        problems["donation_types"] = [f"A non-empty list of {DonationType.values}."]
    codes = row.isbt_product_codes
    if not isinstance(codes, list) or any(
        not (isinstance(c, str) and len(c) == 5 and c[0] == "E" and c[1:].isdigit()) for c in codes
    ):
        problems["isbt_product_codes"] = ["A list of product description codes, E and 4 digits each."]
    if not isinstance(row.bag_types, list) or any(not isinstance(b, str) for b in row.bag_types):
        problems["bag_types"] = ["A list of bag kinds."]
    if row.consumes and row.consumes == row.code:
        problems["consumes"] = ["A component cannot be made from itself."]
    if row.compatibility not in CompatibilityKind.values:
        problems["compatibility"] = [f"One of {CompatibilityKind.values}."]
    low, high = row.storage_min_c, row.storage_max_c
    if low is not None and high is not None and low > high:
        problems["storage_max_c"] = ["The upper storage limit is below the lower one."]
    return problems

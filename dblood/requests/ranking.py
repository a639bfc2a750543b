"""The blood-unit ranking, stated once.

Which compatible unit a request gets first: ABO-identical before merely compatible (worth fetching
from another bank), then the request's own bank before the others, nearest bank first, then the
same RhD (spares RhD-negative stock for the patients who need it), then first-expiring-first-out,
then the unit's id (a stable order). `rank` is the definition; everything else is derived from it:

- `KEYS`, the names of its first four keys, each 0 for the preferred value (or the distance in km):
  the ORM's annotations (`selectors._preference`) and both SQL statements' ORDER BY clauses
  (`selectors._HEAD`, `_LOCK_HEAD`) are built from it, in this order;
- `preference`, the part that depends only on the group (the order of `compatible_groups`, which
  call-outs ask donors in).

`requests/tests/test_ranking_head.py` sorts real units with `rank` and fails if the ORM ranking or either
SQL statement orders them differently.
"""

from datetime import datetime

# The ranking's keys after the group/bank ones: the unit's expiry, then its id.
KEYS = ("abo_other", "site_other", "distance", "rhd_other")


def rank(
    *,
    patient_abo: str,
    patient_rhd: str,
    target_site_id: int,
    unit_abo: str,
    unit_rhd: str,
    unit_site_id: int,
    distance_km: float,
    expires_at: datetime | None,
    unit_id: int,
) -> tuple:
    """Sort key of one unit for a patient whose request is addressed to `target_site_id`."""
    keys = {
        "abo_other": int(unit_abo != patient_abo),
        "site_other": int(unit_site_id != target_site_id),
        "distance": distance_km,
        "rhd_other": int(unit_rhd != patient_rhd),
    }
    return (*(keys[name] for name in KEYS), expires_at, unit_id)


def preference(*, patient_abo: str, patient_rhd: str, unit_abo: str, unit_rhd: str) -> tuple[int, int]:
    """The group's part of `rank` (ABO-identical first, then same RhD): `rank` of a unit of that
    group on the target bank's shelf, reduced to the keys that depend on the group."""
    key = rank(
        patient_abo=patient_abo,
        patient_rhd=patient_rhd,
        target_site_id=0,
        unit_abo=unit_abo,
        unit_rhd=unit_rhd,
        unit_site_id=0,
        distance_km=0.0,
        expires_at=None,
        unit_id=0,
    )
    return (key[KEYS.index("abo_other")], key[KEYS.index("rhd_other")])

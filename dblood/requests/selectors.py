"""Reads for hospital requests: who sees which request, and which units to propose."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dblood.core.geo import DistanceKm
from dblood.donations.models import Donation
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from .compatibility import compatible_groups
from .models import BloodRequest
from .ranking import KEYS


def requests_visible_to(user) -> QuerySet[BloodRequest]:
    """Hospital staff see their hospitals' requests; blood-bank staff those addressed to their banks."""
    queryset = BloodRequest.objects.select_related("hospital", "target_bank", "created_by")
    if user.is_admin:
        return queryset
    if user.is_hospital_staff:
        return queryset.filter(hospital_id__in=user.site_ids)
    if user.is_blood_bank_staff:
        return queryset.filter(target_bank_id__in=user.site_ids)
    return queryset.none()


def _preference(*, patient_abo: str, patient_rhd: str, target: Site) -> dict:
    """`ranking.rank`'s first keys as SQL, in `ranking.KEYS` order: 0 for the preferred value, 1
    otherwise (and the distance)."""

    def other(condition: Q) -> Case:
        return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())

    keys = {
        "abo_other": other(Q(abo=patient_abo)),
        "site_other": other(Q(site_id=target.pk)),
        "distance": DistanceKm(target.latitude, target.longitude, "site__latitude", "site__longitude"),
        "rhd_other": other(Q(rhd=patient_rhd)),
    }
    return {name: keys[name] for name in KEYS}


def _after(blood_request: BloodRequest):
    """Units must outlast this: now, or the time the request needs them by if that is later."""
    return max(timezone.now(), blood_request.needed_by)


def _groups(blood_request: BloodRequest) -> list[tuple[str, str]]:
    return compatible_groups(
        component=blood_request.component,
        patient_abo=blood_request.patient_abo,
        patient_rhd=blood_request.patient_rhd,
        female_cbp=blood_request.patient_female_cbp,
    )


def proposable_units(*, blood_request: BloodRequest, after=None) -> QuerySet[BloodUnit]:
    """Available, unexpired, compatible units of the requested component at active blood banks, best first.

    Order: `ranking.rank` (ABO-identical, the target bank then the nearest, same RhD, first
    expiring, id). All in one SQL statement: the few compatible (ABO, RhD) pairs as a
    filter, the preferences as small CASEs and the distance to each unit's bank computed in SQL.
    """
    groups = _groups(blood_request)
    if not groups:
        return BloodUnit.objects.none()
    group_filter = Q()
    for abo, rhd in groups:
        group_filter |= Q(abo=abo, rhd=rhd)
    keys = _preference(
        patient_abo=blood_request.patient_abo, patient_rhd=blood_request.patient_rhd, target=blood_request.target_bank
    )
    return (
        BloodUnit.objects.filter(
            group_filter,
            state=BloodUnit.State.AVAILABLE,
            component=blood_request.component,
            expires_at__gt=after or _after(blood_request),
            site__kind=Site.Kind.BLOOD_BANK,
            site__is_active=True,
        )
        .annotate(**keys)
        .order_by(*keys, F("expires_at").asc(), "id")
    )


# How many units past the `limit` the head of the ranking holds: units other clerks hold locked right
# now are skipped (SKIP LOCKED), and the head must still have `limit` left after them.
SKIP_MARGIN = 8

# The head of the ranking, PostgreSQL only (LATERAL). The ranking's first four keys (ABO-identical,
# target bank, distance, same RhD) depend only on a unit's bank and group, so it is a sequence of
# "shelves" (bank x group), each read first-expiring-first through the (site, state, component, abo,
# rhd, expires_at) index. `p` lists the shelves best first (banks x compatible groups: at most a few
# hundred rows, distance computed once per bank); for each, LATERAL reads at most `pool` units; the
# outer ORDER BY is on the shelf's keys first, so PostgreSQL sorts shelf by shelf (incremental sort)
# and stops reading shelves once `pool` units are found: the target bank's shelf alone, usually.
_HEAD = """
SELECT c.id, p.site_id, p.abo_other, p.site_other, p.distance, p.rhd_other FROM (
    SELECT s.id AS site_id, g.abo, g.rhd,
           CASE WHEN g.abo = %s THEN 0 ELSE 1 END AS abo_other,
           CASE WHEN s.id = %s THEN 0 ELSE 1 END AS site_other,
           s.distance,
           CASE WHEN g.rhd = %s THEN 0 ELSE 1 END AS rhd_other
    FROM ({sites}) s CROSS JOIN unnest(%s::varchar[], %s::varchar[]) AS g(abo, rhd)
    ORDER BY {shelf_keys}
) p CROSS JOIN LATERAL (
    SELECT u.id, u.expires_at FROM {units} u
    WHERE u.site_id = p.site_id AND u.state = %s AND u.component = %s AND u.abo = p.abo AND u.rhd = p.rhd
      AND u.expires_at > %s
    ORDER BY u.expires_at, u.id LIMIT %s
) c
ORDER BY {head_keys}, c.expires_at, c.id
LIMIT %s
"""

# The head's units themselves, the first `limit` that no other clerk holds, locked (allocation).
# State and expiry are checked again on the row as locked (a unit reserved and committed meanwhile no
# longer matches), and so is its bank (a unit moved by a transfer meanwhile is not where it ranked).
_LOCK_HEAD = """
SELECT u.*, d.din AS donation_din FROM ({head}) h
JOIN {units} u ON u.id = h.id JOIN {donations} d ON d.id = u.donation_id
WHERE u.state = %s AND u.expires_at > %s AND u.site_id = h.site_id
ORDER BY {lock_keys}, u.expires_at, u.id
LIMIT %s FOR UPDATE OF u SKIP LOCKED
"""


def _order(prefix: str) -> str:
    """`ranking.KEYS` as an ORDER BY list, each column name after `prefix`."""
    return ", ".join(prefix + name for name in KEYS)


def _head(*, blood_request: BloodRequest, after, pool: int) -> tuple[str, tuple]:
    """The first `pool` units of `proposable_units` (ignoring locks): SQL giving their ids, banks and
    sort keys, and its parameters.

    Within one shelf (bank x group) the ranking is first-expiring-first, so its first `pool` units
    overall hold at most `pool` of any shelf, and those are that shelf's first `pool`: reading
    `pool` per shelf, best shelf first, finds them without ranking every unit in the country (the
    whole ranking read 133,000 plasma units for an O patient whose bank holds no plasma: 90 ms
    alone, a second under load). The distance is the same `DistanceKm` the ranking orders by.
    """
    groups = _groups(blood_request)
    target = blood_request.target_bank
    sites_sql, sites_params = (
        Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True)
        .annotate(distance=DistanceKm(target.latitude, target.longitude))
        .values("id", "distance")
        .order_by()
        .query.sql_with_params()
    )
    sql = _HEAD.format(sites=sites_sql, units=BloodUnit._meta.db_table, shelf_keys=_order(""), head_keys=_order("p."))
    params = (
        blood_request.patient_abo,
        target.pk,
        blood_request.patient_rhd,
        *sites_params,
        [abo for abo, _ in groups],
        [rhd for _, rhd in groups],
        BloodUnit.State.AVAILABLE,
        blood_request.component,
        after,
        pool,
        pool,
    )
    return sql, params


def best_units(*, blood_request: BloodRequest, limit: int) -> list[BloodUnit]:
    """The first `limit` units of `proposable_units`, with their sites and donations.

    One statement: the ranking restricted to its head (`_head`, `limit + SKIP_MARGIN` units), so
    the sort touches a handful of rows. Only when that comes back short (stock really is short, so
    the whole ranking is small) is the whole ranking read. On databases without LATERAL (SQLite,
    `make run`) the whole ranking is read.
    """
    if limit <= 0:
        return []
    after = _after(blood_request)
    ranked = proposable_units(blood_request=blood_request, after=after).select_related("site", "donation")
    if connection.vendor == "postgresql":
        head_sql, params = _head(blood_request=blood_request, after=after, pool=limit + SKIP_MARGIN)
        head = RawSQL(f"SELECT id FROM ({head_sql}) h", params)  # noqa: S608, S611 - values are parameters
        found = list(ranked.filter(pk__in=head)[:limit])
        if len(found) == limit:
            return found
    return list(ranked[:limit])


def best_units_locked(*, blood_request: BloodRequest, limit: int) -> list[BloodUnit]:
    """The first `limit` units of `proposable_units` that no other transaction holds, locked (FOR
    UPDATE SKIP LOCKED: held units are skipped, not waited for), each with its donation.

    For allocation, under load: one statement written out (`_LOCK_HEAD`), since building the
    ranking's ORM query cost more CPU than running it. When it comes back short (stock really is
    short, so the whole ranking is small, or more than SKIP_MARGIN of the head are held by other
    clerks right now), the whole ranking is read and locked instead, as on databases without
    LATERAL (SQLite, `make run`).
    """
    if limit <= 0:
        return []
    after = _after(blood_request)
    if connection.vendor == "postgresql":
        head_sql, head_params = _head(blood_request=blood_request, after=after, pool=limit + SKIP_MARGIN)
        sql = _LOCK_HEAD.format(
            head=head_sql, units=BloodUnit._meta.db_table, donations=Donation._meta.db_table, lock_keys=_order("h.")
        )
        params = (*head_params, BloodUnit.State.AVAILABLE, after, limit)
        found = list(BloodUnit.objects.raw(sql, params))  # noqa: S611 - values are parameters
        if len(found) == limit:
            for unit in found:
                # The donation's DIN was read with the unit; its other fields load if ever asked for.
                unit.donation = Donation.from_db(
                    connection.alias, ["id", "din"], [unit.donation_id, unit.__dict__.pop("donation_din")]
                )
            return found
    ranked = proposable_units(blood_request=blood_request, after=after)
    return list(ranked.select_for_update(skip_locked=True, of=("self",)).select_related("donation")[:limit])


def allocation_proposal(*, blood_request: BloodRequest, limit: int | None = None) -> list[BloodUnit]:
    """`proposable_units` with their sites, at most `limit` (by default what the request still needs).

    Each unit carries `distance_km`, `abo_identical` and `rhd_identical`.
    """
    if limit is None:
        limit = max(
            blood_request.units - blood_request.allocations.filter(status__in=["reserved", "issued"]).count(), 0
        )
    result = best_units(blood_request=blood_request, limit=limit)
    for unit in result:
        unit.distance_km = round(unit.distance, 1)
        unit.abo_identical = unit.abo_other == 0
        unit.rhd_identical = unit.rhd_other == 0
        unit.transfer_needed = unit.site_other != 0
    return result

"""Reads for hospital requests: who sees which request, and which units to propose."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dblood.core.geo import DistanceKm
from dblood.inventory.models import BloodUnit
from dblood.sites.models import Site

from .compatibility import compatible_groups
from .models import BloodRequest


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
    """The proposal's sort keys, as SQL: 0 for the preferred value, 1 otherwise (and the distance)."""

    def other(condition: Q) -> Case:
        return Case(When(condition, then=Value(0)), default=Value(1), output_field=IntegerField())

    return {
        "abo_other": other(Q(abo=patient_abo)),
        "site_other": other(Q(site_id=target.pk)),
        "distance": DistanceKm(target.latitude, target.longitude, "site__latitude", "site__longitude"),
        "rhd_other": other(Q(rhd=patient_rhd)),
    }


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

    Order: ABO-identical before merely compatible (worth fetching from another bank), then the
    target bank before others by distance, then same RhD (spares RhD-negative stock), then
    first-expiring-first-out. All in one SQL statement: the few compatible (ABO, RhD) pairs as a
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
SELECT c.id FROM (
    SELECT s.id AS site_id, g.abo, g.rhd,
           CASE WHEN g.abo = %s THEN 0 ELSE 1 END AS abo_other,
           CASE WHEN s.id = %s THEN 0 ELSE 1 END AS site_other,
           s.distance,
           CASE WHEN g.rhd = %s THEN 0 ELSE 1 END AS rhd_other
    FROM ({sites}) s CROSS JOIN unnest(%s::varchar[], %s::varchar[]) AS g(abo, rhd)
    ORDER BY 4, 5, 6, 7
) p CROSS JOIN LATERAL (
    SELECT u.id, u.expires_at FROM {units} u
    WHERE u.site_id = p.site_id AND u.state = %s AND u.component = %s AND u.abo = p.abo AND u.rhd = p.rhd
      AND u.expires_at > %s
    ORDER BY u.expires_at, u.id LIMIT %s
) c
ORDER BY p.abo_other, p.site_other, p.distance, p.rhd_other, c.expires_at, c.id
LIMIT %s
"""


def _head_of_ranking(*, blood_request: BloodRequest, after, pool: int) -> RawSQL:
    """The ids of the first `pool` units of `proposable_units` (ignoring locks), as a subquery.

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
    sql = _HEAD.format(sites=sites_sql, units=BloodUnit._meta.db_table)
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
    return RawSQL(sql, params)  # noqa: S611 - every value is a parameter; the names come from _meta


def best_units(*, blood_request: BloodRequest, limit: int, prepare=lambda units: units) -> list[BloodUnit]:
    """The first `limit` units of `proposable_units` (`prepare` adds select_related or a lock).

    One statement: the ranking restricted to its head (`_head_of_ranking`, `limit + SKIP_MARGIN`
    units), so `prepare`'s lock and the sort touch a handful of rows. Only when that comes back
    short (stock really is short, so the whole ranking is small, or more than SKIP_MARGIN of the
    head are locked by other clerks) is the whole ranking read. On databases without LATERAL
    (SQLite, `make run`) the whole ranking is read.
    """
    if limit <= 0:
        return []
    after = _after(blood_request)
    ranked = proposable_units(blood_request=blood_request, after=after)
    if connection.vendor == "postgresql":
        head = _head_of_ranking(blood_request=blood_request, after=after, pool=limit + SKIP_MARGIN)
        found = list(prepare(ranked.filter(pk__in=head))[:limit])
        if len(found) == limit:
            return found
    return list(prepare(ranked)[:limit])


def allocation_proposal(*, blood_request: BloodRequest, limit: int | None = None) -> list[BloodUnit]:
    """`proposable_units` with their sites, at most `limit` (by default what the request still needs).

    Each unit carries `distance_km`, `abo_identical` and `rhd_identical`.
    """
    if limit is None:
        limit = max(
            blood_request.units - blood_request.allocations.filter(status__in=["reserved", "issued"]).count(), 0
        )
    result = best_units(
        blood_request=blood_request, limit=limit, prepare=lambda units: units.select_related("site", "donation")
    )
    for unit in result:
        unit.distance_km = round(unit.distance, 1)
        unit.abo_identical = unit.abo_other == 0
        unit.rhd_identical = unit.rhd_other == 0
    return result

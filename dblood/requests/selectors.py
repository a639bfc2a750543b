"""Reads for hospital requests: who sees which request, and which units to propose."""

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from dblood.core.geo import haversine_km
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


def banks_by_distance(target: Site) -> list[tuple[Site, float]]:
    """Active blood banks, the target first, then the others nearest first."""
    banks = list(Site.objects.filter(kind=Site.Kind.BLOOD_BANK, is_active=True))
    ranked = [(bank, haversine_km(target.latitude, target.longitude, bank.latitude, bank.longitude)) for bank in banks]
    return sorted(ranked, key=lambda pair: (pair[0].pk != target.pk, pair[1]))


def allocation_proposal(*, blood_request: BloodRequest, limit: int | None = None) -> list[BloodUnit]:
    """Available, unexpired, compatible units of the requested component, best first.

    Order: ABO-identical before merely compatible (worth fetching from another bank), then the
    target bank before others by distance, then same RhD (spares RhD-negative stock), then
    first-expiring-first-out. Each unit carries `distance_km`, `abo_identical` and `rhd_identical`.
    """
    groups = compatible_groups(
        component=blood_request.component,
        patient_abo=blood_request.patient_abo,
        patient_rhd=blood_request.patient_rhd,
        female_cbp=blood_request.patient_female_cbp,
    )
    if not groups:
        return []
    group_filter = Q()
    for abo, rhd in groups:
        group_filter |= Q(abo=abo, rhd=rhd)
    banks = banks_by_distance(blood_request.target_bank)
    distance = {bank.pk: km for bank, km in banks}
    site_rank = Case(
        *[When(site_id=bank.pk, then=Value(rank)) for rank, (bank, _km) in enumerate(banks)],
        default=Value(len(banks)),
        output_field=IntegerField(),
    )
    abo_other = Case(When(abo=blood_request.patient_abo, then=Value(0)), default=Value(1), output_field=IntegerField())
    rhd_other = Case(When(rhd=blood_request.patient_rhd, then=Value(0)), default=Value(1), output_field=IntegerField())
    units = (
        BloodUnit.objects.filter(
            group_filter,
            state=BloodUnit.State.AVAILABLE,
            component=blood_request.component,
            expires_at__gt=max(timezone.now(), blood_request.needed_by),
            site_id__in=list(distance),
        )
        .select_related("site", "donation")
        .annotate(abo_other=abo_other, site_rank=site_rank, rhd_other=rhd_other)
        .order_by("abo_other", "site_rank", "rhd_other", F("expires_at").asc(), "id")
    )
    if limit is None:
        limit = max(
            blood_request.units - blood_request.allocations.filter(status__in=["reserved", "issued"]).count(), 0
        )
    result = list(units[:limit])
    for unit in result:
        unit.distance_km = round(distance[unit.site_id], 1)
        unit.abo_identical = unit.abo_other == 0
        unit.rhd_identical = unit.rhd_other == 0
    return result

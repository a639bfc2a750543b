"""Deferrals by reason and request turnaround by urgency, recomputed from their rows."""

import math
from collections import Counter
from datetime import timedelta

import pytest

from dblood.donors.models import Deferral
from dblood.donors.services import deferral_record
from dblood.inventory.tests.factories import make_donor, make_unit
from dblood.requests.models import Allocation, BloodRequest

from .helpers import assert_files_agree, local, place

MARCH = {"month": "2026-03"}
START, END = local(2026, 3, 1), local(2026, 4, 1)


def defer(code, by, when):
    deferral = deferral_record(donor=make_donor(), reason_code=code, recorded_by=by)
    place(Deferral, deferral.pk, created_at=when)


def build_deferrals(staff_a, staff_b, scale=1):
    for _ in range(scale):
        defer("tattoo-piercing", staff_a, local(2026, 3, 2))
        defer("tattoo-piercing", staff_a, local(2026, 3, 31, 23, 0))
        defer("hiv-reactive", staff_a, local(2026, 3, 9))
        defer("fever-flu", staff_a, local(2026, 4, 1, 0, 30))  # April
        defer("fever-flu", staff_b, local(2026, 3, 9))  # the other bank's


def test_deferrals_match_the_rows(api, staff_a, staff_b, bank_a):
    build_deferrals(staff_a, staff_b)
    body = api(staff_a).get("/api/v1/reports/deferrals", MARCH).json()
    mine = [
        d
        for d in Deferral.objects.select_related("reason")
        if START <= d.created_at < END and d.recorded_by_id == staff_a.pk
    ]
    want = Counter((d.reason.code, "yes" if d.permanent else "no") for d in mine)
    assert {(r["reason_code"], r["permanent"]): r["deferrals"] for r in body["rows"]} == want
    assert want == {("tattoo-piercing", "no"): 2, ("hiv-reactive", "yes"): 1}
    assert body["totals"]["deferrals"] == 3
    assert_files_agree(api(staff_a), "/api/v1/reports/deferrals", MARCH)


def test_a_recorder_in_two_banks_is_counted_once(api, staff_a, staff_b, bank_a, bank_b, admin_user):
    from dblood.accounts.models import Membership

    Membership.objects.create(user=staff_a, site=bank_b)
    build_deferrals(staff_a, staff_b)
    assert api(staff_a).get("/api/v1/reports/deferrals", MARCH).json()["totals"]["deferrals"] == 4
    assert api(staff_b).get("/api/v1/reports/deferrals", MARCH).json()["totals"]["deferrals"] == 4
    assert api(admin_user).get("/api/v1/reports/deferrals", MARCH).json()["totals"]["deferrals"] == 4


def test_deferral_queries_do_not_grow(api, staff_a, staff_b, django_assert_num_queries):
    client = api(staff_a)
    build_deferrals(staff_a, staff_b)
    client.get("/api/v1/reports/deferrals", MARCH)
    with django_assert_num_queries(2):
        client.get("/api/v1/reports/deferrals", MARCH)
    build_deferrals(staff_a, staff_b, scale=3)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/reports/deferrals", MARCH).json()["totals"]["deferrals"] == 12


def file_request(bank, hospital, urgency, filed, issues=()):
    request = BloodRequest.objects.create(
        hospital=hospital,
        target_bank=bank,
        patient_abo="O",
        patient_rhd="+",
        component="PRC",
        units=max(len(issues), 1),
        urgency=urgency,
        needed_by=filed + timedelta(hours=2),
        status="issued" if issues else "submitted",
    )
    place(BloodRequest, request.pk, created_at=filed)
    for minutes in issues:
        unit = make_unit(site=bank, state="issued", issued_to=hospital)
        Allocation.objects.create(
            request=request, unit=unit, status="issued", issued_at=filed + timedelta(minutes=minutes)
        )
    return request


def build_requests(bank_a, bank_b, hospital, scale=1):
    for _ in range(scale):
        file_request(bank_a, hospital, "emergency", local(2026, 3, 3, 10), issues=[12, 40])  # first: 12
        file_request(bank_a, hospital, "emergency", local(2026, 3, 4, 10), issues=[30])
        file_request(bank_a, hospital, "emergency", local(2026, 3, 5, 10), issues=[7.5])
        file_request(bank_a, hospital, "emergency", local(2026, 3, 6, 10))  # nothing issued yet
        file_request(bank_a, hospital, "routine", local(2026, 3, 31, 23, 30), issues=[600])  # issued in April
        file_request(bank_a, hospital, "urgent", local(2026, 2, 28, 23, 0), issues=[5])  # filed in February
        file_request(bank_b, hospital, "routine", local(2026, 3, 7), issues=[1])  # the other bank's


def percentile(values, p):
    """Linear interpolation between the closest ranks: what percentile_cont computes."""
    ordered = sorted(values)
    rank = p * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def test_turnaround_matches_the_requests(api, staff_a, bank_a, bank_b, hospital):
    build_requests(bank_a, bank_b, hospital)
    body = api(staff_a).get("/api/v1/reports/turnaround", MARCH).json()
    minutes: dict[str, list[float]] = {}
    filed = Counter()
    for r in BloodRequest.objects.prefetch_related("allocations"):
        if not (START <= r.created_at < END and r.target_bank_id == bank_a.pk):
            continue
        filed[r.urgency] += 1
        issued = [a.issued_at for a in r.allocations.all() if a.issued_at]
        if issued:
            minutes.setdefault(r.urgency, []).append((min(issued) - r.created_at).total_seconds() / 60)
    rows = {r["urgency"]: r for r in body["rows"]}
    assert [r["urgency"] for r in body["rows"]] == ["emergency", "routine"]  # most urgent first
    for urgency, values in minutes.items():
        assert rows[urgency]["filed"] == filed[urgency]
        assert rows[urgency]["issued"] == len(values)
        assert rows[urgency]["median_minutes"] == round(percentile(values, 0.5), 1)
        assert rows[urgency]["p90_minutes"] == round(percentile(values, 0.9), 1)
    assert rows["emergency"]["filed"] == 4 and rows["emergency"]["median_minutes"] == 12.0
    assert rows["emergency"]["p90_minutes"] == round(12 + (30 - 12) * 0.8, 1)
    assert rows["routine"]["median_minutes"] == 600.0
    assert body["totals"] == {"filed": 5, "issued": 4}
    assert_files_agree(api(staff_a), "/api/v1/reports/turnaround", MARCH)


def test_turnaround_with_nothing_issued_has_no_minutes(api, staff_a, bank_a, hospital):
    file_request(bank_a, hospital, "urgent", local(2026, 3, 3, 10))
    (row,) = api(staff_a).get("/api/v1/reports/turnaround", MARCH).json()["rows"]
    assert row == {"urgency": "urgent", "filed": 1, "issued": 0, "median_minutes": None, "p90_minutes": None}


def test_turnaround_queries_do_not_grow(api, staff_a, bank_a, bank_b, hospital, django_assert_num_queries):
    client = api(staff_a)
    build_requests(bank_a, bank_b, hospital)
    client.get("/api/v1/reports/turnaround", MARCH)
    with django_assert_num_queries(2):
        client.get("/api/v1/reports/turnaround", MARCH)
    build_requests(bank_a, bank_b, hospital, scale=3)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/reports/turnaround", MARCH).json()["totals"]["filed"] == 20


def test_admin_sees_every_bank(api, admin_user, bank_a, bank_b, hospital):
    build_requests(bank_a, bank_b, hospital)
    body = api(admin_user).get("/api/v1/reports/turnaround", MARCH).json()
    assert body["totals"] == {"filed": 6, "issued": 5}


@pytest.mark.parametrize("name", ["deferrals", "turnaround"])
@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who, name):
    assert api(request.getfixturevalue(who)).get(f"/api/v1/reports/{name}.csv", MARCH).status_code == 403


@pytest.mark.parametrize("name", ["deferrals", "turnaround"])
def test_a_long_range_is_a_400(api, staff_a, name):
    answer = api(staff_a).get(f"/api/v1/reports/{name}", {"from": "2024-01-01", "to": "2026-01-01"})
    assert answer.status_code == 400 and "to" in answer.json()["fields"]

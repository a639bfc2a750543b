"""End-of-day count: scans of what is on a shelf against what dblood expects there."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.audit.models import AuditEvent
from dblood.coldchain.models import ReconciliationItem
from dblood.coldchain.services import reading_record
from dblood.core import isbt
from dblood.inventory.tests.factories import make_unit
from testing.labels import label_scans

from .conftest import place

pytestmark = pytest.mark.django_db


def count(api, user, location, scans):
    return api(user).post("/api/v1/reconciliations", {"location": location.pk, "scans": scans}, format="json")


def test_missing_and_unexpected_units_are_listed(api, staff_a, bank_a, fridge, other_fridge):
    on_shelf = [place(make_unit(site=bank_a), fridge) for _ in range(3)]
    lost = place(make_unit(site=bank_a, abo="B"), fridge)
    strayed = place(make_unit(site=bank_a, abo="A"), other_fridge)
    issued_elsewhere = make_unit(site=bank_a, state="issued")
    unknown = {"din": isbt.din_data("T999926999999", "00"), "product_code": isbt.product_data("E0002V00")}
    scans = [label_scans(unit) for unit in on_shelf] + [label_scans(strayed), unknown]
    response = count(api, staff_a, fridge, scans)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["expected"], body["counted"], body["matched"], body["unresolved"]) == (4, 5, 3, 3)
    items = {(item["kind"], item["unit"], item["din"]) for item in body["items"]}
    assert items == {
        ("missing", lost.pk, lost.donation.din),
        ("unexpected", strayed.pk, strayed.donation.din),
        ("unexpected", None, "T999926999999"),
    }
    assert issued_elsewhere.pk not in {item["unit"] for item in body["items"]}
    # Audited: the count and each difference.
    assert AuditEvent.objects.filter(model="coldchain.Reconciliation", actor=staff_a).count() == 1
    assert AuditEvent.objects.filter(model="coldchain.ReconciliationItem", actor=staff_a).count() == 3


def test_a_full_count_has_no_differences_and_bad_scans_are_400(api, staff_a, bank_a, fridge):
    units = [place(make_unit(site=bank_a), fridge) for _ in range(2)]
    assert count(api, staff_a, fridge, [label_scans(u) for u in units]).json()["items"] == []
    typed = count(api, staff_a, fridge, [{"din": units[0].donation.din, "product_code": units[0].product_code}])
    assert typed.status_code == 400 and "scans.0.din" in typed.json()["fields"]
    twice = count(api, staff_a, fridge, [label_scans(units[0]), label_scans(units[0])])
    assert twice.status_code == 400 and "scans.1.din" in twice.json()["fields"]


def test_each_difference_is_resolved_once_with_a_reason(api, staff_a, staff_b, bank_a, fridge):
    lost = place(make_unit(site=bank_a), fridge)
    record = count(api, staff_a, fridge, []).json()
    item = record["items"][0]
    assert item["unit"] == lost.pk
    url = f"/api/v1/reconciliations/{record['id']}/items/{item['id']}/resolve"
    assert api(staff_b).post(url, {"resolution": "x"}, format="json").status_code == 404
    blank = api(staff_a).post(url, {"resolution": "  "}, format="json")
    assert blank.status_code == 400 and "resolution" in blank.json()["fields"]
    done = api(staff_a).post(url, {"resolution": "Found on the top shelf of K2; moved back."}, format="json")
    assert done.status_code == 200 and done.json()["resolved_by"] == staff_a.pk
    again = api(staff_a).post(url, {"resolution": "again"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_resolved")
    kept = ReconciliationItem.objects.get(pk=item["id"])
    assert (
        kept.resolution.startswith("Found")
        and api(staff_a).get(f"/api/v1/reconciliations/{record['id']}").json()["unresolved"] == 0
    )


def test_list_endpoints_keep_their_query_count(
    api, staff_a, bank_a, fridge, other_fridge, django_assert_max_num_queries
):
    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here

    def fill(n):
        for i in range(n):
            units = [place(make_unit(site=bank_a), fridge) for _ in range(2)]
            reading_record(
                location=other_fridge,
                taken_at=timezone.now() - timedelta(minutes=10 * n + i),
                temperature_c=4,
                source="staff",
                by=staff_a,
            )
            count(api, staff_a, fridge, [label_scans(units[0])])
        when = timezone.now() - timedelta(hours=n)
        reading_record(location=fridge, taken_at=when, temperature_c=12, source="staff", by=staff_a)

    fill(1)
    limits = {}
    for url in ("/api/v1/storage-locations", "/api/v1/excursions", "/api/v1/reconciliations"):
        with django_assert_max_num_queries(6) as captured:
            assert client.get(url).status_code == 200
        limits[url] = len(captured)
    from dblood.coldchain.models import Excursion

    Excursion.objects.update(status="closed")
    fill(4)
    for url, queries in limits.items():
        with django_assert_max_num_queries(queries):
            assert client.get(url, {"status": "all"} if "excursions" in url else {}).status_code == 200

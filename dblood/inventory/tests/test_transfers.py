from decimal import Decimal

import pytest

from dblood.inventory.models import BloodUnit
from testing.labels import label_scans

from .factories import make_unit

pytestmark = pytest.mark.django_db


def test_send_then_receive(api, staff_a, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a)
    sent = api(staff_a).post("/api/v1/transfers", {"unit": unit.pk, "to_site": bank_b.pk})
    assert sent.status_code == 201, sent.content
    transfer = sent.json()
    assert transfer["status"] == "in_transit" and transfer["unit"]["state"] == "in_transit"
    # In transit: on nobody's shelf.
    assert api(staff_a).get("/api/v1/units").json()["count"] == 0
    assert api(staff_b).get("/api/v1/transfers").json()["count"] == 1
    # Only the receiving bank books it in.
    scans = label_scans(unit)  # the clerk at the receiving bank scans the bag's label
    assert (
        api(staff_a).post(f"/api/v1/transfers/{transfer['id']}/receive", {**scans, "temperature_c": "4.0"}).status_code
        == 403
    )
    received = api(staff_b).post(f"/api/v1/transfers/{transfer['id']}/receive", {**scans, "temperature_c": "4.0"})
    assert received.status_code == 200
    assert received.json()["status"] == "received"
    unit.refresh_from_db()
    assert (unit.site_id, unit.state) == (bank_b.pk, "available")
    assert [u["id"] for u in api(staff_b).get("/api/v1/units").json()["results"]] == [unit.pk]
    assert (
        api(staff_b).post(f"/api/v1/transfers/{transfer['id']}/receive", {**scans, "temperature_c": "4.0"}).status_code
        == 409
    )
    assert [e.to_state for e in unit.events.all()] == ["in_transit", "available"]


def test_only_available_units_of_my_bank_to_another_bank(api, staff_a, bank_a, bank_b, hospital):
    quarantined = make_unit(site=bank_a, state="quarantined")
    other = make_unit(site=bank_b)
    unit = make_unit(site=bank_a)
    client = api(staff_a)
    assert client.post("/api/v1/transfers", {"unit": quarantined.pk, "to_site": bank_b.pk}).status_code == 409
    assert client.post("/api/v1/transfers", {"unit": other.pk, "to_site": bank_a.pk}).status_code == 404
    bad = client.post("/api/v1/transfers", {"unit": unit.pk, "to_site": hospital.pk})
    assert bad.status_code == 400 and "to_site" in bad.json()["fields"]
    assert client.post("/api/v1/transfers", {"unit": unit.pk, "to_site": bank_a.pk}).status_code == 409
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"


def test_transfer_list_query_count_is_flat(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    from dblood.inventory.transfers import transfer_send

    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here
    transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/transfers").json()["count"] == 1
    for _ in range(9):
        transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/transfers").json()["count"] == 10


def test_transfer_list_filters_by_status(api, staff_a, staff_b, bank_a, bank_b, django_assert_num_queries):
    from dblood.inventory.transfers import transfer_receive, transfer_send

    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here
    received = transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    scans = label_scans(received.unit)
    transfer_receive(
        transfer=received,
        by=staff_b,
        din_scan=scans["din"],
        product_scan=scans["product_code"],
        temperature_c=Decimal("4"),
    )
    on_the_road = transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    with django_assert_num_queries(2):
        body = client.get("/api/v1/transfers", {"status": "in_transit"}).json()
    assert [t["id"] for t in body["results"]] == [on_the_road.pk]
    body = client.get("/api/v1/transfers", {"status": "received"}).json()
    assert [t["id"] for t in body["results"]] == [received.pk]
    assert client.get("/api/v1/transfers").json()["count"] == 2
    for _ in range(9):
        transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/transfers", {"status": "in_transit"}).json()["count"] == 10


def test_transfer_list_refuses_an_unknown_status(api, staff_a):
    response = api(staff_a).get("/api/v1/transfers", {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()["fields"]

"""Two-scan label verification (POST /units/{id}/label-verification): staff scan the DIN barcode and
the product barcode from the printed label; the api checks both against the unit and records every
attempt, a mismatch too (a 409 whose record stays on file)."""

import pytest

from dblood.audit.models import AuditEvent
from dblood.core import isbt
from dblood.inventory import components
from dblood.inventory.models import LabelVerification
from dblood.inventory.tests.factories import make_donation, make_unit
from dblood.inventory.verification import printed_scans

pytestmark = pytest.mark.django_db


def _printed(client, site, component="PRC", **extra):
    unit = make_unit(
        checked=False, site=site, component=component, product_code=components.product_code(component), **extra
    )
    response = client.get(f"/api/v1/units/{unit.pk}/label.zpl")
    assert response.status_code == 200, response.content
    return unit


def _scans(unit) -> dict:
    """What a scanner reads from the unit's only printed label: 001 with its check-bearing flags, and 003."""
    return printed_scans(unit.label_prints.get())


def test_matching_scans_verify_the_current_label_and_are_recorded(api, staff_a, bank_a):
    client = api(staff_a)
    unit = _printed(client, bank_a)
    response = client.post(f"/api/v1/units/{unit.pk}/label-verification", _scans(unit), format="json")
    assert response.status_code == 201, response.content
    record = LabelVerification.objects.get(unit=unit)
    assert record.matched and record.mismatched == []
    assert record.label_print == unit.label_prints.get()
    assert record.by == staff_a and record.by_email == staff_a.email
    assert response.json()["matched"] is True
    assert client.get(f"/api/v1/units/{unit.pk}").json()["label"]["verified"] is True
    assert AuditEvent.objects.filter(model="inventory.LabelVerification", object_id=str(record.pk)).exists()


def test_a_product_barcode_of_another_unit_is_a_409_naming_it_and_the_attempt_stays_recorded(api, staff_a, bank_a):
    client = api(staff_a)
    donation = make_donation(site=bank_a)
    red = _printed(client, bank_a, component="PRC", donation=donation, state="quarantined")
    plasma = _printed(client, bank_a, component="FFP", donation=donation, state="quarantined")
    scans = {"din": _scans(red)["din"], "product_code": _scans(plasma)["product_code"]}
    response = client.post(
        f"/api/v1/units/{red.pk}/label-verification", scans, format="json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "label_mismatch" and body["mismatched"] == ["product_code"]
    assert "barcode produk" in body["detail"]
    record = LabelVerification.objects.get(unit=red)
    assert not record.matched and record.mismatched == ["product_code"]
    assert client.get(f"/api/v1/units/{red.pk}").json()["label"]["verified"] is False
    assert AuditEvent.objects.filter(model="inventory.LabelVerification", object_id=str(record.pk)).exists()


def test_a_din_of_another_bag_is_a_409_naming_the_din(api, staff_a, bank_a):
    client = api(staff_a)
    unit = _printed(client, bank_a)
    other = _printed(client, bank_a)
    scans = {"din": _scans(other)["din"], "product_code": _scans(unit)["product_code"]}
    response = client.post(f"/api/v1/units/{unit.pk}/label-verification", scans, format="json")
    assert response.status_code == 409
    assert response.json()["mismatched"] == ["din"]
    assert "DIN barcode" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("din", "=G1234"), ("din", "T99992600000"), ("product_code", "=<E00"), ("product_code", "E0001V00")],
)
def test_an_unreadable_or_typed_scan_is_a_400_naming_its_field_and_nothing_is_recorded(
    api, staff_a, bank_a, field, value
):
    client = api(staff_a)
    unit = _printed(client, bank_a)
    scans = {**_scans(unit), field: value}
    response = client.post(f"/api/v1/units/{unit.pk}/label-verification", scans, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not LabelVerification.objects.exists()


def test_a_label_never_printed_or_no_longer_current_cannot_be_verified(api, staff_a, bank_a):
    client = api(staff_a)
    unit = make_unit(checked=False, site=bank_a, product_code=components.product_code("PRC"), state="quarantined")
    scans = {"din": isbt.din_data(unit.donation.din, "00"), "product_code": isbt.product_data(unit.product_code)}
    response = client.post(f"/api/v1/units/{unit.pk}/label-verification", scans, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_label"
    client.get(f"/api/v1/units/{unit.pk}/label.zpl")
    old = _scans(unit)
    unit.abo = "B"  # the lab's typing replaced the declared group: the printed label is out of date
    unit.save(update_fields=["abo"])
    response = client.post(f"/api/v1/units/{unit.pk}/label-verification", old, format="json")
    assert response.status_code == 409 and response.json()["code"] == "label_not_current"
    assert client.get(f"/api/v1/units/{unit.pk}").json()["label"]["verified"] is False
    assert not LabelVerification.objects.exists()


def test_staff_of_another_bank_cannot_verify(api, staff_a, staff_b, bank_a):
    unit = _printed(api(staff_a), bank_a)
    response = api(staff_b).post(f"/api/v1/units/{unit.pk}/label-verification", _scans(unit), format="json")
    assert response.status_code == 404
    assert not LabelVerification.objects.exists()

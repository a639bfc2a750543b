"""Every api field that names a unit takes its id or its label scanned (dblood.core.isbt.parse_scan)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.core.isbt import check_character, din_data, product_data
from dblood.requests.tests.factories import make_blood_request

from .factories import make_donation, make_unit

pytestmark = pytest.mark.django_db

DIN = "T999926000901"


@pytest.fixture
def two_units(bank_a):
    donation = make_donation(site=bank_a, din=DIN)
    red = make_unit(site=bank_a, donation=donation, component="PRC", product_code="E0002V00")
    plasma = make_unit(site=bank_a, donation=donation, component="FFP", product_code="E0004V00")
    return red, plasma


def label_scan(unit) -> str:
    return din_data(unit.donation.din) + product_data(unit.product_code)


def test_a_transfer_by_scanning_the_label(api, staff_a, bank_b, two_units):
    red, _plasma = two_units
    sent = api(staff_a).post("/api/v1/transfers", {"unit": label_scan(red), "to_site": bank_b.pk}, format="json")
    assert sent.status_code == 201, sent.content
    assert sent.json()["unit"]["id"] == red.pk


def test_the_dins_check_character_alone_finds_a_single_unit(api, staff_a, bank_a, bank_b):
    only = make_unit(site=bank_a, donation=make_donation(site=bank_a, din="T999926000902"), product_code="E0002V00")
    typed = "T999926000902" + check_character("T999926000902")
    sent = api(staff_a).post("/api/v1/transfers", {"unit": typed, "to_site": bank_b.pk}, format="json")
    assert sent.status_code == 201 and sent.json()["unit"]["id"] == only.pk
    by_id_as_text = api(staff_a).post("/api/v1/transfers", {"unit": str(only.pk), "to_site": bank_b.pk})
    assert by_id_as_text.status_code == 409  # found by its id, already on its way


@pytest.mark.parametrize(
    ("scan", "english", "indonesian"),
    [
        (DIN + "A", "Wrong check character", "Karakter cek salah"),
        ("=" + DIN + "00=<E0002V00&>0263661759", "Impossible expiry date", "Tanggal kedaluwarsa mustahil"),
        ("=" + DIN + "00=]E0002V00", "Unknown data identifier", "tidak dikenal"),
        ("=" + DIN + "00", "several units", "beberapa unit"),
        ("=T99992600099900", "No unit carries", "Tidak ada unit"),
        (True, "scanned label", "label unit yang dipindai"),
    ],
)
def test_a_bad_scan_is_a_400_naming_the_field(api, staff_a, bank_b, two_units, scan, english, indonesian):
    for language, says in (("en", english), ("id", indonesian)):
        response = api(staff_a).post(
            "/api/v1/transfers", {"unit": scan, "to_site": bank_b.pk}, format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == ["unit"]
        assert says in response.json()["fields"]["unit"][0]


def test_reserving_by_scans_names_the_bad_one(api, staff_a, hospital, bank_a, hospital_user, two_units):
    red, _plasma = two_units
    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user)
    url = f"/api/v1/requests/{blood_request.pk}/reserve"
    bad = api(staff_a).post(url, {"units": [label_scan(red), DIN + "A"]}, format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["units.1"]
    twice = api(staff_a).post(url, {"units": [label_scan(red), red.pk]}, format="json")
    assert twice.status_code == 400 and "twice" in twice.json()["fields"]["units"][0]
    ok = api(staff_a).post(url, {"units": [label_scan(red)]}, format="json")
    assert ok.status_code == 200, ok.content
    assert [a["unit"] for a in ok.json()["allocations"]] == [red.pk]


def test_a_return_by_scanning_the_label(api, hospital_user, hospital, bank_a):
    issued = make_unit(site=bank_a, state="issued", issued_to=hospital, product_code="E0002V00")
    body = {"unit": label_scan(issued) + "&>0263411759", "temperature_c": "4.0", "validated_box": True}
    body["left_storage_at"] = (timezone.now() - timedelta(minutes=10)).isoformat()
    response = api(hospital_user).post("/api/v1/returns", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == issued.pk

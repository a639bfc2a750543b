"""A storage location's device posts its readings with its own token: idempotent per reading, and
refused without a valid token (401) or with another location's (403)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from dblood.audit.models import AuditEvent
from dblood.coldchain.models import Excursion, StorageLocation, TemperatureReading
from dblood.coldchain.services import device_token_issue, reading_record
from testing.races import race

from .conftest import make_location, place

pytestmark = pytest.mark.django_db


def device(token=None) -> APIClient:
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def post(client, location, temperature="4.0", taken_at=None):
    taken_at = taken_at or timezone.now().replace(microsecond=0)
    body = {"location": location.pk, "taken_at": taken_at.isoformat(), "temperature_c": temperature}
    return client.post("/api/v1/device-readings", body, format="json")


def test_staff_issue_a_token_kept_only_as_its_hash(api, staff_a, staff_b, fridge):
    assert api(staff_b).post(f"/api/v1/storage-locations/{fridge.pk}/device-token").status_code == 404
    response = api(staff_a).post(f"/api/v1/storage-locations/{fridge.pk}/device-token")
    assert response.status_code == 201
    token = response.json()["token"]
    stored = StorageLocation.objects.get(pk=fridge.pk).device_token_hash
    assert len(token) >= 40 and token not in stored and len(stored) == 64
    assert api(staff_a).get(f"/api/v1/storage-locations/{fridge.pk}").json()["has_device"] is True
    assert post(device(token), fridge).status_code == 201
    # A new token replaces the old one.
    newer = api(staff_a).post(f"/api/v1/storage-locations/{fridge.pk}/device-token").json()["token"]
    assert post(device(token), fridge, taken_at=timezone.now() - timedelta(minutes=1)).status_code == 401
    assert post(device(newer), fridge, taken_at=timezone.now() - timedelta(minutes=2)).status_code == 201


def test_the_same_reading_posted_twice_is_one_reading(fridge):
    client = device(device_token_issue(location=fridge))
    taken_at = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    first = post(client, fridge, "4.2", taken_at)
    second = post(client, fridge, "4.2", taken_at)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and first.json()["source"] == "device"
    assert TemperatureReading.objects.filter(location=fridge).count() == 1
    differs = post(client, fridge, "7.5", taken_at)
    assert (differs.status_code, differs.json()["code"]) == (409, "reading_differs")
    assert TemperatureReading.objects.filter(location=fridge).count() == 1


def test_a_device_reading_is_audited_with_the_device_as_actor(fridge, bank_a):
    client = device(device_token_issue(location=fridge))
    unit = place(__import__("dblood.inventory.tests.factories", fromlist=["make_unit"]).make_unit(site=bank_a), fridge)
    assert post(client, fridge, "11.0").status_code == 201
    label = f"device:{bank_a.code} K1"
    reading = TemperatureReading.objects.get()
    logged = AuditEvent.objects.get(model="coldchain.TemperatureReading", object_id=str(reading.pk))
    assert (logged.actor_id, logged.actor_email) == (None, label)
    # The excursion it opened and the unit it quarantined carry the device too.
    assert AuditEvent.objects.filter(model="coldchain.Excursion", actor_email=label).exists()
    assert AuditEvent.objects.filter(model="inventory.BloodUnit", object_id=str(unit.pk), actor_email=label).exists()


def test_no_token_or_a_bad_one_is_401_and_another_locations_is_403(api, staff_a, fridge, other_fridge):
    assert post(device(), fridge).status_code == 401
    assert post(device("not-a-token"), fridge).status_code == 401
    missing_scheme = APIClient()
    missing_scheme.credentials(HTTP_AUTHORIZATION="Device")
    assert post(missing_scheme, fridge).status_code == 401
    signed_in = api(staff_a)  # a person's session or api token is not a device
    assert post(signed_in, fridge).status_code == 401
    other = device(device_token_issue(location=other_fridge))
    refused = post(other, fridge)
    assert refused.status_code == 403 and "fields" not in refused.json()
    StorageLocation.objects.filter(pk=fridge.pk).update(is_active=False)
    retired = device(device_token_issue(location=fridge))
    assert post(retired, fridge).status_code == 401
    assert not TemperatureReading.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_readings_out_of_range_at_once_open_one_excursion(bank_a):
    from dblood.inventory.tests.factories import make_unit

    fridge = make_location(bank_a, "K9")
    units = [place(make_unit(site=bank_a), fridge) for _ in range(3)]
    base = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    calls = [
        (
            lambda minute=minute: reading_record(
                location=fridge,
                taken_at=base + timedelta(minutes=minute),
                temperature_c=9 + minute % 3,
                source="device",
            )
        )
        for minute in range(8)
    ]
    assert race(calls) == ["done"] * 8
    excursion = Excursion.objects.get(location=fridge)
    assert excursion.readings.count() == 8
    assert sorted(excursion.held.values_list("unit_id", flat=True)) == sorted(unit.pk for unit in units)
    # The same reading from many retries at once: one row.
    same = [lambda: reading_record(location=fridge, taken_at=base, temperature_c=9, source="device")] * 6
    assert race(same) == ["done"] * 6
    assert TemperatureReading.objects.filter(location=fridge, taken_at=base).count() == 1


def test_a_device_flooding_readings_is_throttled_per_address(fridge, monkeypatch):
    """DEVICE_READING_THROTTLE_RATE: beyond it a 429 in the error shape, and nothing more is recorded."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {**SimpleRateThrottle.THROTTLE_RATES, "device_reading": "3/min"}
    )
    client = device(device_token_issue(location=fridge))
    start = timezone.now().replace(microsecond=0)
    statuses = [post(client, fridge, taken_at=start - timedelta(minutes=n)).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    assert TemperatureReading.objects.filter(location=fridge).count() == 3

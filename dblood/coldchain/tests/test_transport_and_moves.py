"""Transfers record their temperatures and an out-of-range arrival holds the unit; units have a
storage location and each move is recorded."""

from decimal import Decimal

import pytest

from dblood.coldchain.models import Excursion, UnitMove
from dblood.inventory.models import BloodUnit, Transfer
from dblood.inventory.tests.factories import make_unit
from dblood.inventory.transfers import transfer_send
from dblood.notifications.models import Notification
from testing.labels import label_scans

from .conftest import make_location, place

pytestmark = pytest.mark.django_db


def receive(api, user, transfer, temperature):
    body = {**label_scans(transfer.unit), "temperature_c": temperature}
    return api(user).post(f"/api/v1/transfers/{transfer.pk}/receive", body, format="json")


def test_temperatures_are_recorded_and_in_range_arrival_is_stock(api, staff_a, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a)
    sent = api(staff_a).post("/api/v1/transfers", {"unit": unit.pk, "to_site": bank_b.pk, "temperature_c": "4.0"})
    assert sent.status_code == 201, sent.content
    assert sent.json()["sent_temperature_c"] == "4.0"
    received = receive(api, staff_b, Transfer.objects.get(pk=sent.json()["id"]), "6.5")
    assert received.status_code == 200, received.content
    assert received.json()["received_temperature_c"] == "6.5"
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"
    assert not Excursion.objects.exists()


def test_a_unit_measured_out_of_range_at_dispatch_does_not_leave(api, staff_a, bank_a, bank_b):
    unit = make_unit(site=bank_a, component="TC", days=3)
    sent = api(staff_a).post("/api/v1/transfers", {"unit": unit.pk, "to_site": bank_b.pk, "temperature_c": "4.0"})
    assert (sent.status_code, sent.json()["code"]) == (409, "transport_temperature_out_of_range")
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"


def test_an_out_of_range_arrival_quarantines_the_unit_until_a_person_releases_it(api, staff_a, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a)
    place(unit, make_location(bank_a, "K1"))
    transfer = transfer_send(unit=unit, to_site=bank_b, by=staff_a)
    assert BloodUnit.objects.get(pk=unit.pk).storage_location_id is None  # off the shelf on the road
    missing = api(staff_b).post(f"/api/v1/transfers/{transfer.pk}/receive", label_scans(unit), format="json")
    assert missing.status_code == 400 and "temperature_c" in missing.json()["fields"]  # never assumed in range
    received = receive(api, staff_b, transfer, "14.0")
    assert received.status_code == 200, received.content
    unit.refresh_from_db()
    assert (unit.state, unit.site_id) == ("quarantined", bank_b.pk)
    excursion = Excursion.objects.get()
    assert (excursion.kind, excursion.site_id, excursion.transfer_id) == ("transport", bank_b.pk, transfer.pk)
    assert excursion.temperature_c == Decimal("14.0")
    assert list(excursion.held.values_list("unit_id", "state_at_hold")) == [(unit.pk, "in_transit")]
    # The receiving bank's staff are told which bag; the sending bank is not.
    told = Notification.objects.get(kind=Notification.Kind.EXCURSION_TRANSPORT)
    assert told.user == staff_b and unit.donation.din in told.title
    # Bank A cannot decide for bank B's excursion.
    assert api(staff_a).get(f"/api/v1/excursions/{excursion.pk}").status_code == 404
    body = {"reason": "Logger shows 14 °C for 10 minutes only; within validated limits.", "units": []}
    body["units"] = [{"unit": unit.pk, "decision": "release", **label_scans(unit)}]
    closed = api(staff_b).post(f"/api/v1/excursions/{excursion.pk}/close", body, format="json")
    assert closed.status_code == 200, closed.content
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"


def test_frozen_plasma_arriving_thawed_is_held(api, staff_a, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a, component="FFP", days=200)
    transfer = transfer_send(unit=unit, to_site=bank_b, by=staff_a)
    assert receive(api, staff_b, transfer, "-25.0").status_code == 200  # frozen: in range
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"
    other = make_unit(site=bank_a, component="FFP", days=200)
    second = transfer_send(unit=other, to_site=bank_b, by=staff_a)
    assert receive(api, staff_b, second, "-5.0").status_code == 200
    assert BloodUnit.objects.get(pk=other.pk).state == "quarantined"


def test_a_move_is_recorded_with_from_to_who_and_when(api, staff_a, staff_b, bank_a, fridge, other_fridge, freezer):
    unit = make_unit(site=bank_a)
    client = api(staff_a)
    first = client.post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": fridge.pk}, format="json")
    assert first.status_code == 201, first.content
    second = client.post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": other_fridge.pk}, format="json")
    assert second.json()["from_location"] == fridge.pk and second.json()["to_location"] == other_fridge.pk
    moves = list(UnitMove.objects.filter(unit=unit).values_list("from_location", "to_location", "by"))
    assert moves == [(None, fridge.pk, staff_a.pk), (fridge.pk, other_fridge.pk, staff_a.pk)]
    assert client.get(f"/api/v1/units/{unit.pk}").json()["storage_location"] == other_fridge.pk
    wrong_place = client.post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": freezer.pk}, format="json")
    assert (wrong_place.status_code, wrong_place.json()["code"]) == (409, "location_unsuitable")
    again = client.post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": other_fridge.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_there")
    # Another bank's staff cannot move it, nor name this bank's fridge.
    foreign = api(staff_b).post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": fridge.pk}, format="json")
    assert foreign.status_code == 404
    assert UnitMove.objects.filter(unit=unit).count() == 2


def test_no_unit_goes_into_a_fridge_with_an_open_excursion(api, staff_a, bank_a, fridge):
    from django.utils import timezone

    from dblood.coldchain.services import reading_record

    reading_record(location=fridge, taken_at=timezone.now(), temperature_c=Decimal("9"), source="staff", by=staff_a)
    unit = make_unit(site=bank_a)
    refused = api(staff_a).post("/api/v1/unit-moves", {"unit": unit.pk, "to_location": fridge.pk}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "location_excursion")


def test_a_unit_reserved_for_a_request_arriving_out_of_range_loses_its_reservation_only_when_booked_in(
    api, staff_a, staff_b, bank_a, bank_b, hospital, hospital_user
):
    from dblood.inventory.transfers import transfer_dispatch
    from dblood.requests.models import Allocation
    from dblood.requests.services import allocation_reserve
    from dblood.requests.tests.factories import make_blood_request

    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)
    unit = make_unit(site=bank_b, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    transfer = Transfer.objects.get(unit=unit)
    transfer_dispatch(transfer=transfer, by=staff_b)
    other = make_unit(site=bank_b, component="FFP", days=200)
    wrong = {**label_scans(unit), "product_code": label_scans(other)["product_code"], "temperature_c": "15.0"}
    refused = api(staff_a).post(f"/api/v1/transfers/{transfer.pk}/receive", wrong, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "label_mismatch")
    # A refused receipt changes nothing: the reservation stands, the unit is on its way.
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RESERVED
    assert BloodUnit.objects.get(pk=unit.pk).state == "in_transit" and not Excursion.objects.exists()
    booked = receive(api, staff_a, Transfer.objects.get(pk=transfer.pk), "15.0")
    assert booked.status_code == 200, booked.content
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RELEASED
    assert BloodUnit.objects.get(pk=unit.pk).state == "quarantined"
    assert Excursion.objects.get().held.get().unit_id == unit.pk

"""Where a unit is: a unit on another bank's shelf reaches a patient only through a transfer to the
issuing bank (requested by the reservation, dispatched by the holding bank, booked in by the issuing
bank), and a transfer that will not arrive (discard, expiry, reservation ended) is closed."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.donations.lab import screening_record
from dblood.inventory.models import BloodUnit, Transfer
from dblood.inventory.services import units_expire_due
from dblood.inventory.tests.factories import make_donation, make_donor
from dblood.inventory.tests.factories import make_unit as make_unit_of
from dblood.inventory.transfers import transfer_dispatch, transfer_send
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation, BloodRequest
from dblood.requests.services import allocation_reserve
from dblood.requests.tests.factories import make_blood_request
from dblood.requests.upkeep import units_expire_and_release
from testing.labels import label_scans

pytestmark = pytest.mark.django_db

S = BloodUnit.State


def _post(client, path, body=None):
    return client.post(f"/api/v1/{path}", body or {}, format="json")


def _reserve_remote(make_request, staff_a, bank_b, **fields):
    blood_request = make_request(units=1, **fields)
    unit = make_unit(bank_b, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    return blood_request, unit, Transfer.objects.get(unit=unit)


def test_the_proposal_says_where_each_unit_is_and_which_need_a_transfer(api, make_request, staff_a, bank_a, bank_b):
    blood_request = make_request(units=2)
    here = make_unit(bank_a, abo="A", rhd="+")
    there = make_unit(bank_b, abo="A", rhd="+")
    response = api(staff_a).get(f"/api/v1/requests/{blood_request.pk}/proposal")
    assert response.status_code == 200, response.content
    where = {unit["id"]: (unit["site"]["id"], unit["transfer_needed"]) for unit in response.json()}
    assert where == {here.pk: (bank_a.pk, False), there.pk: (bank_b.pk, True)}


def test_a_unit_at_another_bank_is_reserved_there_and_a_transfer_requested(api, make_request, staff_a, bank_a, bank_b):
    blood_request, unit, transfer = _reserve_remote(make_request, staff_a, bank_b)
    unit.refresh_from_db()
    assert (unit.state, unit.site_id) == (S.RESERVED, bank_b.pk)
    assert (transfer.status, transfer.from_site_id, transfer.to_site_id) == ("requested", bank_b.pk, bank_a.pk)
    assert transfer.reserved and transfer.requested_by == staff_a and transfer.sent_at is None
    allocation = Allocation.objects.get(unit=unit)
    assert allocation.transfer_id == transfer.pk
    body = api(staff_a).get(f"/api/v1/requests/{blood_request.pk}").json()
    assert [(a["site"], a["unit_state"], a["transfer_status"]) for a in body["allocations"]] == [
        (bank_b.pk, "reserved", "requested")
    ]


def test_the_whole_road_request_dispatch_receive_then_issue(api, make_request, staff_a, staff_b, bank_a, bank_b):
    blood_request, unit, transfer = _reserve_remote(make_request, staff_a, bank_b)
    issue = f"requests/{blood_request.pk}/issue"
    refused = _post(api(staff_a), issue)
    assert (refused.status_code, refused.json()["code"]) == (409, "unit_not_here")

    # The holding bank sees what is asked of it, and only it may dispatch.
    listed = api(staff_b).get("/api/v1/transfers", {"status": "requested"}).json()["results"]
    assert [t["id"] for t in listed] == [transfer.pk]
    assert _post(api(staff_a), f"transfers/{transfer.pk}/dispatch").status_code == 403
    sent = _post(api(staff_b), f"transfers/{transfer.pk}/dispatch")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "in_transit"
    again = _post(api(staff_b), f"transfers/{transfer.pk}/dispatch")
    assert (again.status_code, again.json()["code"]) == (409, "not_requested")
    unit.refresh_from_db()
    assert unit.state == S.IN_TRANSIT

    on_the_road = _post(api(staff_a), issue)
    assert (on_the_road.status_code, on_the_road.json()["code"]) == (409, "unit_not_here")

    received = _post(
        api(staff_a), f"transfers/{transfer.pk}/receive", {**label_scans(transfer.unit), "temperature_c": "4.0"}
    )
    assert received.status_code == 200, received.content
    unit.refresh_from_db()
    assert (unit.state, unit.site_id) == (S.RESERVED, bank_a.pk)  # still held for the request
    issued = _post(api(staff_a), issue)
    assert issued.status_code == 200, issued.content
    unit.refresh_from_db()
    assert unit.state == S.ISSUED
    # The issuing bank can read the unit it issued.
    assert api(staff_a).get(f"/api/v1/units/{unit.pk}").status_code == 200


def test_the_holding_bank_cannot_hand_a_unit_reserved_for_another_bank_to_its_own_request(
    make_request, staff_b, bank_b, hospital, hospital_user
):
    first = make_blood_request(hospital=hospital, target_bank=bank_b, created_by=hospital_user, units=1)
    other = make_blood_request(hospital=hospital, target_bank=bank_b, created_by=hospital_user, units=1)
    unit = make_unit(bank_b, abo="A", rhd="+")
    allocation_reserve(blood_request=first, unit_ids=[unit.pk], by=staff_b)
    with pytest.raises(Conflict):
        allocation_reserve(blood_request=other, unit_ids=[unit.pk], by=staff_b)


def test_cancelling_before_dispatch_closes_the_transfer_and_leaves_the_unit_on_its_shelf(
    api, make_request, staff_a, bank_b
):
    blood_request, unit, transfer = _reserve_remote(make_request, staff_a, bank_b)
    cancelled = _post(api(staff_a), f"requests/{blood_request.pk}/cancel", {"reason": "Patient discharged"})
    assert cancelled.status_code == 200, cancelled.content
    unit.refresh_from_db()
    transfer.refresh_from_db()
    assert (unit.state, unit.site_id) == (S.AVAILABLE, bank_b.pk)
    assert (transfer.status, transfer.reserved) == ("closed", False)
    assert transfer.closed_at is not None


def test_cancelling_after_dispatch_lets_the_unit_arrive_as_ordinary_stock(
    api, make_request, staff_a, staff_b, bank_a, bank_b
):
    blood_request, unit, transfer = _reserve_remote(make_request, staff_a, bank_b)
    assert _post(api(staff_b), f"transfers/{transfer.pk}/dispatch").status_code == 200
    cancelled = _post(api(staff_a), f"requests/{blood_request.pk}/cancel", {"reason": "Patient discharged"})
    assert cancelled.status_code == 200, cancelled.content
    unit.refresh_from_db()
    assert unit.state == S.IN_TRANSIT  # it is on the road: cancelling does not teleport it home
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RELEASED
    assert (
        _post(
            api(staff_a), f"transfers/{transfer.pk}/receive", {**label_scans(transfer.unit), "temperature_c": "4.0"}
        ).status_code
        == 200
    )
    unit.refresh_from_db()
    assert (unit.state, unit.site_id) == (S.AVAILABLE, bank_a.pk)


def test_automatic_allocation_requests_the_transfer_of_a_unit_found_elsewhere(api, make_request, staff_a, bank_b):
    blood_request = make_request(units=1)
    unit = make_unit(bank_b, abo="A", rhd="+")
    response = _post(api(staff_a), f"requests/{blood_request.pk}/allocate")
    assert response.status_code == 200, response.content
    assert response.json()["allocations"][0]["transfer_status"] == "requested"
    assert Transfer.objects.get(unit=unit).status == "requested"


def test_discarding_a_unit_in_transit_closes_its_transfer(api, staff_a, bank_a, bank_b):
    unit = make_unit(bank_a, abo="O", rhd="+")
    transfer = transfer_send(unit=unit, to_site=bank_b, by=staff_a)
    response = _post(api(staff_a), f"units/{unit.pk}/discard", {"reason": "Bag broke in the cool box"})
    assert response.status_code == 200, response.content
    transfer.refresh_from_db()
    assert (transfer.status, transfer.closed_reason) == ("closed", "Unit discarded: Bag broke in the cool box")
    # Nothing is left to book in.
    late = _post(
        api(staff_a), f"transfers/{transfer.pk}/receive", {**label_scans(transfer.unit), "temperature_c": "4.0"}
    )
    assert late.status_code in (403, 409)


def test_a_unit_that_expires_on_the_road_closes_its_transfer_and_the_reservation_ends(
    make_request, staff_a, staff_b, bank_b
):
    blood_request, unit, transfer = _reserve_remote(make_request, staff_a, bank_b)
    transfer_dispatch(transfer=transfer, by=staff_b)
    with time_machine.travel(timedelta(days=11)):
        assert units_expire_and_release() == 1
    transfer.refresh_from_db()
    unit.refresh_from_db()
    assert unit.state == S.EXPIRED
    assert transfer.status == "closed" and transfer.closed_reason.startswith("Unit expired")
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RELEASED
    blood_request.refresh_from_db()
    assert blood_request.status == BloodRequest.Status.SUBMITTED


def test_an_in_transit_expiry_by_the_plain_sweep_closes_the_transfer(staff_a, bank_a, bank_b):
    unit = make_unit(bank_a, abo="O", rhd="+", days_left=1)
    transfer = transfer_send(unit=unit, to_site=bank_b, by=staff_a)
    with time_machine.travel(timedelta(days=2)):
        assert units_expire_due() == 1
    transfer.refresh_from_db()
    assert transfer.status == "closed"
    assert not Transfer.objects.filter(unit=unit, status__in=Transfer.OPEN).exists()


def test_a_lookback_closes_a_requested_transfer_and_quarantines_the_unit_where_it_is(
    make_request, staff_a, staff_b, bank_a, bank_b
):
    person = make_donor(abo="A", rhd="+")
    earlier = make_donation(donor=person, site=bank_b, collected_at=timezone.now() - timedelta(days=60))
    unit = make_unit_of(site=bank_b, donation=earlier, component="PRC", abo="A", rhd="+")
    blood_request = make_request(units=1)
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    transfer = Transfer.objects.get(unit=unit)

    index = make_donation(donor=person, site=bank_b, collected_at=timezone.now() - timedelta(days=1))
    screening_record(donation=index, test="hcv", reactive=True, by=staff_b)
    screening_record(donation=index, test="hcv", reactive=True, by=staff_b)

    unit.refresh_from_db()
    transfer.refresh_from_db()
    assert (unit.state, unit.site_id) == (S.QUARANTINED, bank_b.pk)
    assert transfer.status == "closed"
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RELEASED

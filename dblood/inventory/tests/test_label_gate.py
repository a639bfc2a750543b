"""The gate into stock (inventory.verification): a unit enters stock, from quarantine on release or from
the road on receipt of a transfer, only after its printed label's DIN and product barcodes were scanned
and matched; and it leaves for another bank only with a current printed label."""

from datetime import timedelta

import pytest

from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit, LabelVerification, Transfer
from dblood.inventory.services import unit_transition
from dblood.inventory.transfers import transfer_send
from dblood.recalls.models import Recall
from testing.labels import api_label_check, label_check, label_scans

from .factories import make_donation, make_unit, screen_and_release

pytestmark = pytest.mark.django_db


def _awaiting(site, **extra):
    """A unit of a donation the lab has released, still in quarantine: awaiting its label check."""
    return make_unit(site=site, state="quarantined", donation=screen_and_release(make_donation(site=site)), **extra)


def test_a_released_unit_stays_in_quarantine_until_its_label_is_checked(api, staff_a, bank_a):
    unit = _awaiting(bank_a)
    with pytest.raises(Conflict) as refused:  # whichever path asks, the rule holds
        unit_transition(unit=unit, to="available", by=staff_a)
    assert refused.value.get_codes() == "label_not_verified" and refused.value.extra == {"units": [unit.pk]}
    client = api(staff_a)
    detail = client.get(f"/api/v1/units/{unit.pk}").json()
    assert detail["state"] == "quarantined" and detail["label"]["prints"] == 0
    response = api_label_check(client, unit.pk)
    assert response.status_code == 201, response.content
    unit.refresh_from_db()
    assert unit.state == "available"
    assert unit.events.get().reason == "Released: label checked."
    # The label it was checked against is the final one, and stays current on the shelf.
    assert unit.label_prints.get().content["quarantined"] is False
    assert client.get(f"/api/v1/units/{unit.pk}").json()["label"] | {"last_printed_at": None} == {
        "prints": 1,
        "last_printed_at": None,
        "last_kind": "first",
        "current": True,
        "verified": True,
    }


def test_a_label_checked_while_in_testing_is_a_quarantine_label_and_is_printed_again_after_release(
    api, staff_a, bank_a
):
    donation = make_donation(site=bank_a)
    unit = make_unit(site=bank_a, state="quarantined", donation=donation)
    client = api(staff_a)
    assert api_label_check(client, unit.pk).status_code == 201  # matched, but the lab has not released it
    unit.refresh_from_db()
    assert unit.state == "quarantined" and unit.label_prints.get().content["quarantined"] is True
    screen_and_release(donation)
    old = label_scans(unit)
    stale = client.post(f"/api/v1/units/{unit.pk}/label-verification", old)
    assert (stale.status_code, stale.json()["code"]) == (409, "label_not_current")  # the QUARANTINE label
    assert api_label_check(client, unit.pk).status_code == 201
    unit.refresh_from_db()
    assert unit.state == "available" and unit.label_prints.last().kind == "relabel"


def test_a_mismatched_scan_keeps_the_unit_in_quarantine_and_the_attempt_on_file(api, staff_a, bank_a):
    donation = screen_and_release(make_donation(site=bank_a))
    red = make_unit(site=bank_a, state="quarantined", donation=donation, component="PRC")
    plasma = make_unit(site=bank_a, state="quarantined", donation=donation, component="FFP")
    client = api(staff_a)
    for unit in (red, plasma):
        assert client.get(f"/api/v1/units/{unit.pk}/label.zpl").status_code == 200
    swapped = {"din": label_scans(red)["din"], "product_code": label_scans(plasma)["product_code"]}
    response = client.post(f"/api/v1/units/{red.pk}/label-verification", swapped)
    assert (response.status_code, response.json()["code"]) == (409, "label_mismatch")
    red.refresh_from_db()
    assert red.state == "quarantined"
    assert LabelVerification.objects.get(unit=red).matched is False


def test_a_matched_check_does_not_release_a_unit_a_recall_holds(api, staff_a, bank_a):
    unit = _awaiting(bank_a)
    reactive = make_donation(site=bank_a, donor=unit.donation.donor)  # the donor's later, reactive donation
    Recall.objects.create(
        donation=reactive, site=bank_a, window_start=unit.donation.collected_at - timedelta(days=1), opened_by=staff_a
    )
    client = api(staff_a)
    assert api_label_check(client, unit.pk).status_code == 201
    unit.refresh_from_db()
    assert unit.state == "quarantined"
    assert unit.label_prints.get().content["quarantined"] is True  # a held bag says so on its face


def test_a_unit_leaves_for_another_bank_only_with_a_current_label(bank_a, bank_b, staff_a):
    bare = make_unit(site=bank_a, checked=False)  # in stock before labels were printed here
    with pytest.raises(Conflict) as refused:
        transfer_send(unit=bare, to_site=bank_b, by=staff_a)
    assert refused.value.get_codes() == "label_not_printed"
    assert BloodUnit.objects.get(pk=bare.pk).state == "available" and not Transfer.objects.exists()
    label_check(bare, by=staff_a)
    assert transfer_send(unit=bare, to_site=bank_b, by=staff_a).status == "in_transit"


def test_a_transfer_is_booked_in_only_on_two_matching_scans_of_its_label(api, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a)
    other = make_unit(site=bank_a, component="FFP")
    transfer = transfer_send(unit=unit, to_site=bank_b)
    client = api(staff_b)
    url = f"/api/v1/transfers/{transfer.pk}/receive"
    missing = client.post(url, {})
    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"din", "product_code", "temperature_c"}
    typed = client.post(url, {"din": unit.donation.din, "product_code": unit.product_code, "temperature_c": "4.0"})
    assert typed.status_code == 400 and "din" in typed.json()["fields"]  # read off the bag, not scanned
    wrong = client.post(
        url, {**label_scans(unit), "product_code": label_scans(other)["product_code"], "temperature_c": "4.0"}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "label_mismatch")
    assert wrong.json()["mismatched"] == ["product_code"]
    assert Transfer.objects.get(pk=transfer.pk).status == "in_transit"
    assert BloodUnit.objects.get(pk=unit.pk).state == "in_transit"
    assert LabelVerification.objects.filter(unit=unit, matched=False).count() == 1  # the failed check is kept
    right = client.post(url, {**label_scans(unit), "temperature_c": "4.0"})
    assert right.status_code == 200, right.content
    unit.refresh_from_db()
    assert (unit.state, unit.site_id) == ("available", bank_b.pk)


def test_the_lab_worklist_shows_units_awaiting_their_label_check(api, staff_a, bank_a):
    unit = _awaiting(bank_a)
    client = api(staff_a)
    [item] = [i for i in client.get("/api/v1/donations/worklist").json() if i["id"] == unit.donation_id]
    assert item["steps"] == ["label_check"]
    assert api_label_check(client, unit.pk).status_code == 201
    assert unit.donation_id not in [i["id"] for i in client.get("/api/v1/donations/worklist").json()]


def test_the_receiving_bank_finds_an_incoming_transfer_by_scanning_the_bag(api, staff_b, bank_a, bank_b):
    unit = make_unit(site=bank_a)
    plasma = make_unit(site=bank_a, component="FFP", donation=unit.donation)
    transfers = [transfer_send(unit=u, to_site=bank_b) for u in (unit, plasma)]
    client = api(staff_b)
    scans = label_scans(unit)
    by_din = client.get("/api/v1/transfers", {"din": scans["din"]}).json()
    assert sorted(t["id"] for t in by_din["results"]) == sorted(t.pk for t in transfers)  # one DIN, two bags
    both = client.get("/api/v1/transfers", {"din": scans["din"] + scans["product_code"]}).json()
    assert [t["id"] for t in both["results"]] == [transfers[0].pk]
    wrong_flag = "1" if scans["din"][-1] != "1" else "2"  # flags that do not carry the DIN's check value
    bad = client.get("/api/v1/transfers", {"din": scans["din"][:-1] + wrong_flag})
    assert bad.status_code == 400 and "din" in bad.json()["fields"]

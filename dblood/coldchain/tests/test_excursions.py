"""A reading out of range opens an excursion that holds exactly the units kept there; a person closes
it, each unit released (back through the label gate) or discarded, recorded with who and why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.audit.models import AuditEvent
from dblood.coldchain.models import Excursion, ExcursionUnit, TemperatureReading
from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit, LabelVerification
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_donation, make_unit, screen_and_release
from dblood.notifications.models import Notification
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve
from dblood.requests.tests.factories import make_blood_request
from testing.labels import label_check, label_scans

from .conftest import place

pytestmark = pytest.mark.django_db


def now_iso(minutes_ago=0):
    return (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def read(api, user, location, temperature, minutes_ago=0, **headers):
    return api(user).post(
        f"/api/v1/storage-locations/{location.pk}/readings",
        {"taken_at": now_iso(minutes_ago), "temperature_c": temperature},
        format="json",
        **headers,
    )


@pytest.fixture
def stocked(fridge, other_fridge, bank_a, staff_a, hospital, hospital_user):
    """In fridge K1: an available unit, a reserved one, one in testing; in K2 and unplaced: one each."""
    available = place(make_unit(site=bank_a), fridge)
    reserved = place(make_unit(site=bank_a, abo="A"), fridge)
    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)
    allocation_reserve(blood_request=blood_request, unit_ids=[reserved.pk], by=staff_a)
    in_testing = place(make_unit(site=bank_a, state="quarantined"), fridge)
    elsewhere = place(make_unit(site=bank_a), other_fridge)
    unplaced = make_unit(site=bank_a)
    return {
        "available": available,
        "reserved": reserved,
        "in_testing": in_testing,
        "elsewhere": elsewhere,
        "unplaced": unplaced,
    }


def states(units):
    return {name: BloodUnit.objects.get(pk=unit.pk).state for name, unit in units.items()}


def test_an_in_range_reading_opens_nothing(api, staff_a, fridge, stocked):
    response = read(api, staff_a, fridge, "4.5")
    assert response.status_code == 201, response.content
    assert response.json()["in_range"] is True and response.json()["excursion"] is None
    assert not Excursion.objects.exists()
    assert set(states(stocked).values()) == {"available", "reserved", "quarantined"}


def test_an_out_of_range_reading_holds_exactly_the_units_kept_there(api, staff_a, fridge, stocked):
    response = read(api, staff_a, fridge, "9.0")
    assert response.status_code == 201, response.content
    excursion = Excursion.objects.get()
    assert response.json()["excursion"] == excursion.pk and response.json()["in_range"] is False
    assert (excursion.kind, excursion.status, excursion.location_id) == ("storage", "open", fridge.pk)
    held = {row.unit_id: row.state_at_hold for row in excursion.held.all()}
    assert held == {
        stocked["available"].pk: "available",
        stocked["reserved"].pk: "reserved",
        stocked["in_testing"].pk: "quarantined",
    }
    assert states(stocked) == {
        "available": "quarantined",
        "reserved": "quarantined",
        "in_testing": "quarantined",
        "elsewhere": "available",
        "unplaced": "available",
    }
    # The reservation ended: the request is told its unit is gone.
    assert Allocation.objects.get(unit=stocked["reserved"]).status == Allocation.Status.RELEASED
    # A second reading out of range joins the same excursion.
    listed = api(staff_a).get("/api/v1/excursions", {"status": "open", "page_size": 100})
    assert [row["id"] for row in listed.json()["results"]] == [excursion.pk]
    again = read(api, staff_a, fridge, "10.0", minutes_ago=1)
    assert again.json()["excursion"] == excursion.pk and Excursion.objects.count() == 1
    # Audited: the readings, the excursion and each hold, with who.
    models = set(AuditEvent.objects.filter(actor=staff_a).values_list("model", flat=True))
    assert {"coldchain.TemperatureReading", "coldchain.Excursion", "coldchain.ExcursionUnit"} <= models


def test_a_held_unit_enters_stock_by_no_other_path(api, staff_a, fridge, stocked):
    read(api, staff_a, fridge, "9.0")
    unit = BloodUnit.objects.get(pk=stocked["available"].pk)
    with pytest.raises(Conflict) as refused:
        unit_transition(unit=unit, to="available", by=staff_a)
    assert refused.value.get_codes() == "unit_excursion_held"
    # A matched label check is recorded, but does not release a unit the excursion holds.
    check = api(staff_a).post(f"/api/v1/units/{unit.pk}/label-verification", label_scans(unit), format="json")
    assert check.status_code == 201, check.content
    assert BloodUnit.objects.get(pk=unit.pk).state == "quarantined"


def close(api, user, excursion, units, reason="Door left open 20 min; inspected."):
    return api(user).post(f"/api/v1/excursions/{excursion.pk}/close", {"reason": reason, "units": units}, format="json")


def test_closing_releases_through_the_label_gate_and_discards_with_the_reason(api, staff_a, fridge, stocked):
    read(api, staff_a, fridge, "9.0")
    excursion = Excursion.objects.get()
    available, reserved, in_testing = stocked["available"], stocked["reserved"], stocked["in_testing"]
    missing = close(api, staff_a, excursion, [{"unit": available.pk, "decision": "release", **label_scans(available)}])
    assert missing.status_code == 400 and "units" in missing.json()["fields"]
    unscanned = close(
        api,
        staff_a,
        excursion,
        [
            {"unit": available.pk, "decision": "release"},
            {"unit": reserved.pk, "decision": "discard"},
            {"unit": in_testing.pk, "decision": "release"},
        ],
    )
    assert unscanned.status_code == 400 and "units.0.din" in unscanned.json()["fields"]
    wrong = close(
        api,
        staff_a,
        excursion,
        [
            {"unit": available.pk, "decision": "release", **label_scans(reserved)},
            {"unit": reserved.pk, "decision": "discard"},
            {"unit": in_testing.pk, "decision": "release"},
        ],
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "label_mismatch")
    assert LabelVerification.objects.filter(unit=available, matched=False).count() == 1  # kept as evidence
    assert Excursion.objects.get().status == "open" and BloodUnit.objects.get(pk=reserved.pk).state == "quarantined"
    done = close(
        api,
        staff_a,
        excursion,
        [
            {"unit": available.pk, "decision": "release", **label_scans(available)},
            {"unit": reserved.pk, "decision": "discard"},
            {"unit": in_testing.pk, "decision": "release"},
        ],
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "closed" and body["closed_by"] == staff_a.pk
    assert {row["unit"]: row["decision"] for row in body["held"]} == {
        available.pk: "released",
        reserved.pk: "discarded",
        in_testing.pk: "released",
    }
    assert BloodUnit.objects.get(pk=available.pk).state == "available"
    gone = BloodUnit.objects.get(pk=reserved.pk)
    assert gone.state == "discarded" and "Door left open" in gone.discard_reason
    # The unit in testing only loses the hold: the lab's release still decides.
    assert BloodUnit.objects.get(pk=in_testing.pk).state == "quarantined"
    assert not ExcursionUnit.objects.filter(decision="pending").exists()
    again = close(api, staff_a, excursion, [])
    assert (again.status_code, again.json()["code"]) == (409, "excursion_closed")


def test_an_expired_unit_is_not_released(api, staff_a, fridge, bank_a):
    unit = place(make_unit(site=bank_a), fridge)
    read(api, staff_a, fridge, "12.0")
    BloodUnit.objects.filter(pk=unit.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = close(
        api, staff_a, Excursion.objects.get(), [{"unit": unit.pk, "decision": "release", **label_scans(unit)}]
    )
    assert (response.status_code, response.json()["code"]) == (409, "unit_expired")


def test_a_recalled_unit_is_not_released_by_an_excursion(api, staff_a, fridge, bank_a):
    from dblood.recalls.services import lookback_trace

    donation = screen_and_release(make_donation(site=bank_a))
    unit = place(make_unit(site=bank_a, donation=donation), fridge)
    read(api, staff_a, fridge, "12.0")
    lookback_trace(donation=donation, include_donation=True)
    response = close(
        api, staff_a, Excursion.objects.get(), [{"unit": unit.pk, "decision": "release", **label_scans(unit)}]
    )
    assert response.status_code == 409
    assert BloodUnit.objects.get(pk=unit.pk).state == "quarantined"


def test_errors_speak_the_callers_language(api, staff_a, fridge):
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    body = {"taken_at": future, "temperature_c": "4.0"}
    url = f"/api/v1/storage-locations/{fridge.pk}/readings"
    english = api(staff_a).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    indonesian = api(staff_a).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert english.status_code == indonesian.status_code == 400
    assert english.json()["fields"]["taken_at"] == ["A reading cannot be taken in the future."]
    assert indonesian.json()["fields"]["taken_at"] != english.json()["fields"]["taken_at"]
    assert not TemperatureReading.objects.exists()


def test_staff_of_another_bank_see_nothing(api, staff_b, fridge):
    assert api(staff_b).get(f"/api/v1/storage-locations/{fridge.pk}").status_code == 404
    assert read(api, staff_b, fridge, "4.0").status_code == 404
    assert api(staff_b).get("/api/v1/storage-locations").json() == []


def test_the_label_check_helper_still_releases_unheld_units(staff_a, bank_a, fridge):
    unit = make_unit(site=bank_a, state="quarantined", donation=screen_and_release(make_donation(site=bank_a)))
    place(unit, fridge)
    label_check(unit, by=staff_a)
    assert BloodUnit.objects.get(pk=unit.pk).state == "available"


def test_the_banks_staff_are_told_once_of_an_excursion(api, staff_a, staff_b, fridge, stocked):
    """Every staff member of the fridge's bank hears of it, once however many readings follow; another
    bank's staff do not. The message names the place and how many units are held, in the reader's language."""
    staff_a.language = "id"
    staff_a.save(update_fields=["language"])
    assert read(api, staff_a, fridge, "9.5", minutes_ago=10).status_code == 201
    assert read(api, staff_a, fridge, "11.0", minutes_ago=5).status_code == 201
    told = Notification.objects.filter(kind=Notification.Kind.EXCURSION_STORAGE)
    assert [n.user for n in told] == [staff_a]
    assert fridge.name in told[0].title and "Penyimpangan suhu" in told[0].title
    assert "3 kantong" in told[0].body  # the available, the reserved and the one in testing

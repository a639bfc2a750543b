"""Processing rules (component-type table, docs/domain.md defaults), through the api on PostgreSQL:
each component only within its maximum time from collection, cryoprecipitate consumes the bag's
plasma, and an unsafe unit's destruction is recorded with reason, who and when."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dblood.donations.tests.test_lab import separate
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_donation

pytestmark = pytest.mark.django_db


def collected(bank, hours_ago: float):
    return make_donation(site=bank, collected_at=timezone.now() - timedelta(hours=hours_ago))


def unsafe_unit(client, bank):
    """A separated unit that a final reactive result made unsafe."""
    donation = collected(bank, 1)
    separate(client, donation, "PRC")
    unit = donation.units.get()
    BloodUnit.objects.filter(pk=unit.pk).update(state=BloodUnit.State.UNSAFE)
    return unit


def test_platelets_and_plasma_from_a_three_day_old_bag_are_refused_and_nothing_is_made(api, staff_a, bank_a):
    donation = collected(bank_a, 72)
    for codes, late in [(("PRC", "TC"), "PRC"), (("TC",), "TC"), (("FFP",), "FFP")]:
        response = separate(api(staff_a), donation, *codes)
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "processing_window_passed"
        assert body["field"] == "components" and body["component"] == late
    assert not donation.units.exists()


def test_ffp_is_made_within_8_hours_and_platelets_within_24(api, staff_a, bank_a):
    late_for_plasma = collected(bank_a, 9)
    refused = separate(api(staff_a), late_for_plasma, "PRC", "FFP", "TC")
    assert refused.status_code == 409 and refused.json()["component"] == "FFP"
    assert not late_for_plasma.units.exists()
    assert separate(api(staff_a), late_for_plasma, "PRC", "TC").status_code == 201
    assert separate(api(staff_a), collected(bank_a, 7.5), "PRC", "FFP", "TC").status_code == 201


def test_the_window_is_counted_at_the_moment_of_separation(api, staff_a, bank_a):
    donation = collected(bank_a, 0)
    with time_machine.travel(timezone.now() + timedelta(hours=8, minutes=1)):
        refused = separate(api(staff_a), donation, "FFP")
    assert refused.status_code == 409 and refused.json()["max_hours_to_processing"] == 8


def test_one_bag_yields_ffp_or_cryo_and_cryo_poor_plasma_never_both(api, staff_a, bank_a):
    for codes in [("PRC", "FFP", "AHF"), ("FFP", "CPP"), ("FFP", "AHF", "CPP")]:
        donation = collected(bank_a, 1)
        response = separate(api(staff_a), donation, *codes)
        assert response.status_code == 400, response.content
        assert "FFP" in response.json()["fields"]["components"][0]
        assert not donation.units.exists()
    donation = collected(bank_a, 1)
    assert separate(api(staff_a), donation, "PRC", "AHF", "CPP").status_code == 201
    assert set(donation.units.values_list("component", flat=True)) == {"PRC", "AHF", "CPP"}


def test_an_unsafe_unit_is_destroyed_with_reason_who_and_when(api, staff_a, bank_a):
    client = api(staff_a)
    unit = unsafe_unit(client, bank_a)
    assert client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": ""}, format="json").status_code == 400
    moment = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    with time_machine.travel(moment, tick=False):
        response = client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": "Incinerated"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "discarded"
    last = body["events"][-1]
    assert (last["from_state"], last["to_state"], last["reason"], last["by"]) == (
        "unsafe",
        "discarded",
        "Incinerated",
        staff_a.pk,
    )
    event = unit.events.get(to_state="discarded")
    assert event.at == moment and event.by == staff_a
    unit.refresh_from_db()
    assert unit.discard_reason == "Incinerated" and unit.state_changed_at == moment


def test_a_destroyed_unsafe_unit_never_comes_back(api, staff_a, bank_a):
    client = api(staff_a)
    unit = unsafe_unit(client, bank_a)
    assert client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": "Incinerated"}, format="json").status_code == 200
    again = client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": "Twice"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"


def test_the_refusals_speak_indonesian_too(api, staff_a, bank_a):
    client = api(staff_a)
    both = client.post(
        f"/api/v1/donations/{collected(bank_a, 1).pk}/components",
        {"components": [{"component": "FFP"}, {"component": "AHF"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert "tidak keduanya" in both.json()["fields"]["components"][0]
    late = client.post(
        f"/api/v1/donations/{collected(bank_a, 30).pk}/components",
        {"components": [{"component": "TC"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert late.status_code == 409 and "harus dibuat dalam 24 jam" in late.json()["detail"]

"""A final reactive screen: units unsafe, donor deferred and privately asked to get in touch."""

import pytest

from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import unit_transition
from dblood.inventory.tests.factories import make_donation, make_donor
from dblood.notifications.models import Notification

from .test_lab import separate

pytestmark = pytest.mark.django_db


@pytest.fixture
def donation(bank_a):
    return make_donation(site=bank_a, donor=make_donor(abo="A", rhd="+"))


def test_reactive_repeat_makes_every_unit_unsafe_defers_and_notifies_privately(api, staff_a, donation):
    client = api(staff_a)
    separate(client, donation, "PRC", "FFP")
    client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"})
    for test in ["hbv", "hcv", "syphilis"]:
        client.post(f"/api/v1/donations/{donation.pk}/screening", {"test": test, "reactive": False})
    url = f"/api/v1/donations/{donation.pk}/screening"
    assert client.post(url, {"test": "hiv", "reactive": True}).json()["screening"]["hiv"] == "repeat_pending"
    assert client.post(url, {"test": "hiv", "reactive": False}).json()["units"][0]["state"] == "quarantined"
    body = client.post(url, {"test": "hiv", "reactive": True}).json()
    assert body["status"] == "rejected"
    assert {u["state"] for u in body["units"]} == {"unsafe"}
    assert client.post(url, {"test": "hiv", "reactive": False}).status_code == 409  # final
    deferral = donation.donor.deferrals.get()
    assert deferral.permanent and deferral.reason.code == "tti-reactive"
    message = Notification.objects.get(user=donation.donor.user)
    assert message.kind == "screening_follow_up"
    text = (message.title + message.body).lower()
    assert "udd a" in text and not any(t in text for t in ["hiv", "hepatitis", "syphilis", "reactive"])
    # UNSAFE never becomes available again.
    unit = BloodUnit.objects.filter(donation=donation).first()
    with pytest.raises(Conflict):
        unit_transition(unit=unit, to="available")


def test_units_separated_after_a_reactive_result_are_unsafe_at_once(api, staff_a, donation):
    client = api(staff_a)
    url = f"/api/v1/donations/{donation.pk}/screening"
    for reactive in (True, True):
        client.post(url, {"test": "hcv", "reactive": reactive})
    body = separate(client, donation, "PRC").json()
    assert body["status"] == "rejected" and body["units"][0]["state"] == "unsafe"

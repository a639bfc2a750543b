"""Alerts that reach the right staff: a new request its blood bank, a unit reserved at another bank
that bank (to send it), a unit on the road its receiving bank. In the reader's language."""

import pytest

from dblood.inventory.models import Transfer
from dblood.inventory.transfers import transfer_dispatch, transfer_send
from dblood.notifications.models import Notification
from dblood.notifications.tests.factories import make_unit
from dblood.requests.services import allocation_reserve
from dblood.requests.tests.factories import make_blood_request
from dblood.requests.tests.test_requests_api import _payload

pytestmark = pytest.mark.django_db
K = Notification.Kind


def _kinds(user):
    return [n.kind for n in Notification.objects.filter(user=user).order_by("id")]


def test_a_new_request_reaches_its_blood_banks_staff_only(
    api, hospital_user, bank_a, staff_a, staff_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(hospital_user).post("/api/v1/requests", _payload(bank_a, urgency="emergency"), format="json")
    assert response.status_code == 201, response.content
    [alert] = Notification.objects.filter(user=staff_a, kind=K.REQUEST_NEW)
    assert alert.data == {"request": response.json()["id"], "urgency": "emergency"}
    assert "EMERGENCY" in alert.title or "DARURAT" in alert.title
    assert _kinds(staff_b) == [] and _kinds(hospital_user) == []


def test_the_alert_speaks_the_readers_language(api, hospital_user, bank_a, staff_a, django_capture_on_commit_callbacks):
    staff_a.language = "id"
    staff_a.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        api(hospital_user).post("/api/v1/requests", _payload(bank_a, urgency="urgent"), format="json")
    [alert] = Notification.objects.filter(user=staff_a, kind=K.REQUEST_NEW)
    assert alert.title.startswith("Permintaan mendesak baru:") and "dibutuhkan sebelum" in alert.body


def test_a_unit_reserved_elsewhere_asks_its_bank_to_send_it_and_the_dispatch_tells_the_receiver(
    hospital, hospital_user, bank_a, bank_b, staff_a, staff_b, django_capture_on_commit_callbacks
):
    blood_request = make_blood_request(hospital=hospital, target_bank=bank_a, created_by=hospital_user, units=1)
    unit = make_unit(bank_b, abo="A", rhd="+")
    with django_capture_on_commit_callbacks(execute=True):
        allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    [asked] = Notification.objects.filter(user=staff_b, kind=K.TRANSFER_REQUESTED)
    assert unit.donation.din in asked.title and bank_a.name in asked.title
    with django_capture_on_commit_callbacks(execute=True):
        transfer_dispatch(transfer=Transfer.objects.get(unit=unit), by=staff_b)
    [coming] = Notification.objects.filter(user=staff_a, kind=K.TRANSFER_DISPATCHED)
    assert unit.donation.din in coming.title and bank_b.name in coming.title
    assert K.TRANSFER_DISPATCHED not in _kinds(staff_b)


def test_a_unit_sent_directly_tells_the_receiving_bank(
    bank_a, bank_b, staff_a, staff_b, django_capture_on_commit_callbacks
):
    unit = make_unit(bank_a, abo="O", rhd="+")
    with django_capture_on_commit_callbacks(execute=True):
        transfer_send(unit=unit, to_site=bank_b, by=staff_a)
    assert _kinds(staff_b) == [K.TRANSFER_DISPATCHED] and _kinds(staff_a) == []

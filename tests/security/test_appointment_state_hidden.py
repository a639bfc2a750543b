"""Another blood bank's staff learn nothing of an appointment's state from the api's answers.

Recording a collection from an appointment checked the appointment's state (409 "The appointment
is booked...") before checking that the caller works at the bank that organises its drive, so
staff of bank B could tell a booked, cancelled or completed appointment of bank A from a checked-in
one (403) by posting its id. The permission check now comes first: the same 403 whatever the state.
"""

import pytest

from dblood.donors.tests.factories import make_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive

pytestmark = pytest.mark.django_db

VITALS = {"outcome": "completed", "volume_ml": 450, "hemoglobin_g_dl": "14.2"}
STATES = ["booked", "checked_in", "cancelled", "no_show", "completed"]


@pytest.fixture
def appointment_at_bank_a(donor, bank_a):
    drive = make_drive(bank_a, days_ahead=0)
    profile = make_donor(donor, abo="O", rhd="+")
    return Appointment.objects.create(
        donor=profile, slot=drive.slots.first(), date=drive.date, donation_type="whole_blood"
    )


@pytest.mark.parametrize("state", STATES)
def test_another_banks_staff_get_the_same_403_whatever_the_appointments_state(
    api, staff_b, appointment_at_bank_a, state
):
    Appointment.objects.filter(pk=appointment_at_bank_a.pk).update(status=state)
    response = api(staff_b).post("/api/v1/donations", {"appointment": appointment_at_bank_a.pk, **VITALS})
    assert response.status_code == 403, response.content
    body = response.json()
    assert (body["code"], body["detail"]) == ("permission_denied", "You do not work at this blood bank.")
    assert "status" not in body.get("fields", {}) and state.replace("_", " ") not in body["detail"]
    appointment_at_bank_a.refresh_from_db()
    assert appointment_at_bank_a.status == state


def test_the_organising_banks_staff_still_hear_the_state(api, staff_a, appointment_at_bank_a):
    response = api(staff_a).post("/api/v1/donations", {"appointment": appointment_at_bank_a.pk, **VITALS})
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "appointment_not_checked_in"

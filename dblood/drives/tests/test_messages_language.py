"""A refusal reads in the language the client asks for (Accept-Language), English by default."""

import pytest

from dblood.donors.tests.factories import make_donor
from dblood.drives.tests.factories import make_drive
from dblood.drives.tests.test_appointments_api import book, first_slot, on_drive_day


def _in(language, client):
    """The client, sending `Accept-Language: language` (or no such header) with each request."""
    if language:
        client.credentials(**client._credentials, HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.mark.parametrize(
    "language, detail",
    [
        ("id", "Sesi ini sudah penuh; pilih waktu lain."),
        ("en", "This slot is full; choose another time."),
        (None, "This slot is full; choose another time."),
    ],
)
def test_a_full_slot_is_refused_in_the_readers_language(api, donor, other_donor, bank_a, language, detail):
    drive = make_drive(bank_a, capacity=1)
    make_donor(donor)
    make_donor(other_donor)
    assert book(api, donor, first_slot(drive)).status_code == 201
    response = _in(language, api(other_donor)).post(
        "/api/v1/appointments", {"slot": first_slot(drive).id, "donation_type": "whole_blood"}
    )
    assert response.status_code == 409 and response.json()["code"] == "slot_full"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    "language, detail",
    [
        ("id", "Anda sudah punya janji donor pada hari ini."),
        (None, "You already have an appointment on this day."),
    ],
)
def test_a_second_booking_on_the_same_day_is_refused_in_the_readers_language(api, donor, bank_a, language, detail):
    drive = make_drive(bank_a, capacity=2)
    make_donor(donor)
    first, second = drive.slots.order_by("starts_at")[:2]
    assert book(api, donor, first).status_code == 201
    response = _in(language, api(donor)).post(
        "/api/v1/appointments", {"slot": second.id, "donation_type": "whole_blood"}
    )
    assert response.status_code == 409 and response.json()["code"] == "already_booked"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    "language, detail",
    [
        ("id", "Tidak ada pendonor dengan nomor donor dan tanggal lahir ini."),
        (None, "No donor matches this donor number and birth date."),
    ],
)
def test_a_walk_in_with_a_wrong_birth_date_is_refused_in_the_readers_language(
    api, staff_a, donor, bank_a, language, detail
):
    d = make_donor(donor)
    drive = make_drive(bank_a, days_ahead=3)
    with on_drive_day(drive, 8, 40):
        response = _in(language, api(staff_a)).post(
            f"/api/v1/drives/{drive.id}/walk-ins",
            {"donation_type": "whole_blood", "donor_number": d.donor_number, "birth_date": "1995-01-16"},
        )
    assert response.status_code == 400
    assert response.json()["fields"]["donor_number"] == [detail]


@pytest.mark.parametrize(
    "language, detail",
    [
        ("id", "Janji donor ini berstatus dibatalkan; tidak dapat diubah."),
        (None, "This appointment is cancelled; it cannot change."),
    ],
)
def test_a_state_inside_a_sentence_is_translated_too(api, donor, bank_a, language, detail):
    drive = make_drive(bank_a, capacity=2)
    make_donor(donor)
    appointment = book(api, donor, first_slot(drive)).json()
    assert api(donor).post(f"/api/v1/appointments/{appointment['id']}/cancel").status_code == 200
    response = _in(language, api(donor)).post(f"/api/v1/appointments/{appointment['id']}/cancel")
    assert response.status_code == 409
    assert response.json()["detail"] == detail


def test_an_unknown_language_falls_back_to_english(api, donor, other_donor, bank_a):
    drive = make_drive(bank_a, capacity=1)
    make_donor(donor)
    make_donor(other_donor)
    assert book(api, donor, first_slot(drive)).status_code == 201
    response = _in("fr-FR,fr;q=0.9", api(other_donor)).post(
        "/api/v1/appointments", {"slot": first_slot(drive).id, "donation_type": "whole_blood"}
    )
    assert response.json()["detail"] == "This slot is full; choose another time."

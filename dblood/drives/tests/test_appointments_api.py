from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from dblood.core.dates import shift_months
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import give_donation, make_donor
from dblood.drives.models import Appointment, Drive, Slot
from dblood.drives.questionnaire import questionnaire_current
from dblood.drives.tests.factories import make_drive


@pytest.fixture
def d(donor):
    return make_donor(donor)


@pytest.fixture
def drive(bank_a):
    return make_drive(bank_a, capacity=2)


def book(api, user, slot, **extra):
    return api(user).post("/api/v1/appointments", {"slot": slot.id, "donation_type": "whole_blood", **extra})


def on_drive_day(drive, hour: int, minute: int = 0):
    """Travel to a local time on the drive's day (relative travel: the process zone is Asia/Jakarta)."""
    target = timezone.make_aware(datetime.combine(drive.date, time(hour, minute)))
    return time_machine.travel(target - timezone.now())


def first_slot(drive) -> Slot:
    return drive.slots.order_by("starts_at").first()


def test_book_a_slot(api, donor, d, drive):
    response = book(api, donor, first_slot(drive))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "booked" and body["donation_type"] == "whole_blood" and body["drive"] == drive.id
    slot = first_slot(drive)
    assert slot.booked == 1


def test_full_slot_is_a_409(api, donor, other_donor, d, drive):
    from testing.personas import make_user

    slot = first_slot(drive)
    make_donor(other_donor)
    assert book(api, donor, slot).status_code == 201
    assert book(api, other_donor, slot).status_code == 201
    third = make_user("third@example.org")
    make_donor(third)
    response = book(api, third, slot)
    assert response.status_code == 409
    assert "full" in response.json()["detail"] and response.json()["code"] == "slot_full"
    slot.refresh_from_db()
    assert slot.booked == 2


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"slot": 999999, "donation_type": "whole_blood"}, "slot"),
        ({"slot": "first"}, "slot"),
        ({}, "slot"),
        ({"slot": 1, "donation_type": "coffee"}, "donation_type"),
        ({"slot": 1, "note": "hi"}, "note"),
        ({"slot": 1}, "donation_type"),
        ({"slot": 1, "donation_type": ""}, "donation_type"),
    ],
)
def test_bad_booking_input_names_the_field(api, donor, d, payload, field):
    response = api(donor).post("/api/v1/appointments", payload)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_slot_in_the_past_is_a_400(api, donor, d, bank_a):
    drive = make_drive(bank_a, days_ahead=1)
    with time_machine.travel(timedelta(days=2)):
        response = book(api, donor, first_slot(drive))
    assert response.status_code == 400 and "slot" in response.json()["fields"]


def test_type_not_taken_by_the_drive_is_a_400(api, donor, d, bank_a):
    drive = make_drive(bank_a, donation_types=["whole_blood"])
    response = book(api, donor, first_slot(drive), donation_type="apheresis_plasma")
    assert response.status_code == 400 and "donation_type" in response.json()["fields"]


def test_not_eligible_is_a_409_listing_the_reasons(api, donor, d, bank_a, drive):
    give_donation(d, bank_a, drive.date - timedelta(days=59))
    deferral_record(donor=d, reason_code="tattoo-piercing", starts_on=drive.date - timedelta(days=10))
    response = book(api, donor, first_slot(drive))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "not_eligible" and len(body["reasons"]) == 2
    assert body["next_eligible_on"] == shift_months(drive.date - timedelta(days=10), 6).isoformat()
    assert Slot.objects.get(pk=first_slot(drive).pk).booked == 0
    assert not Appointment.objects.exists()


def test_day_60_after_whole_blood_books(api, donor, d, bank_a, drive):
    give_donation(d, bank_a, drive.date - timedelta(days=60))
    assert book(api, donor, first_slot(drive)).status_code == 201


def test_one_active_appointment_a_day(api, donor, d, drive):
    slots = list(drive.slots.order_by("starts_at"))
    assert book(api, donor, slots[0]).status_code == 201
    response = book(api, donor, slots[1])
    assert response.status_code == 409 and response.json()["code"] == "already_booked"


def test_second_whole_blood_appointment_within_the_interval_is_refused(api, donor, d, bank_a, drive):
    later = make_drive(bank_a, days_ahead=30)
    assert book(api, donor, first_slot(drive)).status_code == 201
    response = book(api, donor, first_slot(later))
    assert response.status_code == 409 and "60 days" in response.json()["reasons"][0]


def test_cancel_before_the_cutoff_and_not_after(api, donor, d, drive):
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    response = api(donor).post(f"/api/v1/appointments/{appointment_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert first_slot(drive).booked == 0
    assert api(donor).post(f"/api/v1/appointments/{appointment_id}/cancel").status_code == 409

    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    start = first_slot(drive).starts_at
    with time_machine.travel(start - timedelta(hours=2, minutes=1)):
        client = api(donor)
    with time_machine.travel(start - timedelta(hours=1, minutes=59)):
        response = client.post(f"/api/v1/appointments/{appointment_id}/cancel")
        assert response.status_code == 409 and response.json()["code"] == "too_late"
    with override_settings(APPOINTMENT_CHANGE_CUTOFF_HOURS=1), time_machine.travel(start - timedelta(minutes=61)):
        assert client.post(f"/api/v1/appointments/{appointment_id}/cancel").status_code == 200


def test_reschedule_moves_the_place(api, donor, d, drive, bank_a):
    slots = list(drive.slots.order_by("starts_at"))
    appointment_id = book(api, donor, slots[0]).json()["id"]
    response = api(donor).post(f"/api/v1/appointments/{appointment_id}/reschedule", {"slot": slots[1].id})
    assert response.status_code == 200, response.json()
    new_id = response.json()["id"]
    assert new_id != appointment_id and response.json()["slot"] == slots[1].id
    old = Appointment.objects.get(pk=appointment_id)
    assert old.status == "cancelled" and old.rescheduled_to_id == new_id
    assert [s.booked for s in drive.slots.order_by("starts_at")][:2] == [0, 1]
    # A failed move changes nothing.
    Slot.objects.filter(pk=slots[2].pk).update(booked=2)
    response = api(donor).post(f"/api/v1/appointments/{new_id}/reschedule", {"slot": slots[2].id})
    assert response.status_code == 409
    assert Appointment.objects.get(pk=new_id).status == "booked"
    assert api(donor).post(f"/api/v1/appointments/{new_id}/reschedule", {"slot": 999999}).status_code == 400


def test_another_donors_appointment_is_404(api, donor, other_donor, d, drive):
    make_donor(other_donor)
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    assert api(other_donor).get(f"/api/v1/appointments/{appointment_id}").status_code == 404
    assert api(other_donor).post(f"/api/v1/appointments/{appointment_id}/cancel").status_code == 404
    assert api(other_donor).get(f"/api/v1/appointments/{appointment_id}/ics").status_code == 404
    assert api(other_donor).get("/api/v1/appointments").json()["count"] == 0


def test_ics_download(api, donor, d, drive):
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    response = api(donor).get(f"/api/v1/appointments/{appointment_id}/ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and "BEGIN:VEVENT" in text
    assert f"UID:appointment-{appointment_id}@dblood" in text
    start = first_slot(drive).starts_at.astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_the_ics_is_in_the_donors_language_and_links_to_their_appointments(api, donor, d, drive, settings):
    """The calendar text follows the donor's language, and its link opens the web's list of the
    donor's appointments (a page that exists: /me/appointments/), not a path the web does not have."""
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]

    def unfolded():
        return api(donor).get(f"/api/v1/appointments/{appointment_id}/ics").content.decode().replace("\r\n ", "")

    donor.language = "id"
    donor.save(update_fields=["language"])
    text = unfolded()
    assert f"SUMMARY:Donor darah: {drive.name}" in text and "bawa kartu identitas" in text
    assert f"{settings.WEB_BASE_URL}/me/appointments/" in text and "Blood donation" not in text
    donor.language = "en"
    donor.save(update_fields=["language"])
    assert f"SUMMARY:Blood donation: {drive.name}" in unfolded()


def test_questionnaire_answers_flagged_and_shown_at_check_in(api, donor, d, staff_a, staff_b, drive):
    questionnaire = api(donor).get("/api/v1/questionnaire").json()
    codes = [q["code"] for q in questionnaire["questions"]]
    answers = {code: False for code in codes}
    answers["feeling_well"] = True
    answers["tattoo_6_months"] = True
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    url = f"/api/v1/appointments/{appointment_id}/questionnaire"
    bad = api(donor).post(url, {"version": questionnaire["version"], "answers": {"feeling_well": True}})
    assert bad.status_code == 400 and "answers.tattoo_6_months" in bad.json()["fields"]
    bad = api(donor).post(url, {"version": 99, "answers": answers})
    assert bad.status_code == 400 and "version" in bad.json()["fields"]
    response = api(donor).post(url, {"version": questionnaire["version"], "answers": answers})
    assert response.status_code == 200
    flags = response.json()["flags"]
    assert [f["reason_code"] for f in flags] == ["tattoo-piercing"]

    assert api(staff_b).post(f"/api/v1/appointments/{appointment_id}/check-in").status_code == 404
    assert api(donor).post(f"/api/v1/appointments/{appointment_id}/check-in").status_code == 403
    client = api(staff_a)
    with on_drive_day(drive, 7, 45):
        response = client.post(f"/api/v1/appointments/{appointment_id}/check-in")
        assert response.status_code == 200
        assert response.json()["status"] == "checked_in" and response.json()["flags"][0]["reason"]
        assert response.json()["eligible_today"] is True and response.json()["reasons_today"] == []
        assert client.post(f"/api/v1/appointments/{appointment_id}/check-in").status_code == 409
    desk = api(staff_a).get(f"/api/v1/drives/{drive.id}/appointments").json()
    assert desk["results"][0]["answers"]["tattoo_6_months"] is True
    # The desk reads each flag as a sentence in its own language: the question as the donor read it,
    # the answer, and the deferral reason it implies.
    flag = desk["results"][0]["flags"][0]
    assert flag["sentence"] == (
        "Answered yes to \u201cHave you had a tattoo or piercing in the past 6 months?\u201d: Tattoo or piercing."
    )
    indonesian = api(staff_a).get(f"/api/v1/drives/{drive.id}/appointments", HTTP_ACCEPT_LANGUAGE="id").json()
    assert indonesian["results"][0]["flags"][0]["sentence"] == (
        "Menjawab ya untuk \u201cApakah Anda ditato atau ditindik dalam 6 bulan terakhir?\u201d: Tato atau tindik."
    )


def test_check_in_only_on_the_day_and_shows_eligibility_today(api, donor, d, staff_a, drive):
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    client = api(staff_a)
    assert client.post(f"/api/v1/appointments/{appointment_id}/check-in").status_code == 409
    give_donation(d, drive.organiser, drive.date - timedelta(days=3))  # gave elsewhere since booking
    with on_drive_day(drive, 7, 50):
        body = client.post(f"/api/v1/appointments/{appointment_id}/check-in").json()
    assert body["eligible_today"] is False and "60 days" in body["reasons_today"][0]


def test_no_show_after_the_slot_started(api, donor, d, staff_a, drive):
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    client = api(staff_a)
    assert client.post(f"/api/v1/appointments/{appointment_id}/no-show").status_code == 409
    with time_machine.travel(first_slot(drive).starts_at + timedelta(minutes=20)):
        response = client.post(f"/api/v1/appointments/{appointment_id}/no-show")
    assert response.status_code == 200 and response.json()["status"] == "no_show"
    assert first_slot(drive).booked == 0


def test_walk_ins_registered_by_staff(api, staff_a, staff_b, donor, d, bank_a):
    drive = make_drive(bank_a, days_ahead=3, capacity=1)  # 08:00-10:00, 4 slots of one place
    url = f"/api/v1/drives/{drive.id}/walk-ins"
    client_a, client_b = api(staff_a), api(staff_b)
    with on_drive_day(drive, 8, 40):  # the 08:00 slot is over; 08:30 is the current one
        response = client_a.post(
            url, {"donation_type": "whole_blood", "donor_number": d.donor_number, "birth_date": "1995-01-15"}
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["walk_in"] is True and body["status"] == "checked_in"
        assert body["slot"] == drive.slots.order_by("starts_at")[1].id
        response = client_a.post(
            url,
            {
                "donation_type": "whole_blood",
                "email": "walker@example.org",
                "full_name": "Walker",
                "birth_date": "1990-01-01",
                "sex": "F",
                "weight_kg": "52",
            },
        )
        assert response.status_code == 201 and response.json()["slot"] == drive.slots.order_by("starts_at")[2].id
        assert client_a.post(
            url, {"donation_type": "whole_blood", "donor_number": "D0000000000", "birth_date": "1995-01-15"}
        ).json()["fields"]["donor_number"]
        assert client_a.post(url, {"donation_type": "whole_blood", "email": "new@example.org"}).json()["fields"][
            "full_name"
        ]
        assert client_a.post(url, {"donation_type": "whole_blood", "email": staff_b.email}).json()["fields"]["email"]
        assert (
            client_b.post(
                url, {"donation_type": "whole_blood", "donor_number": d.donor_number, "birth_date": "1995-01-15"}
            ).status_code
            == 403
        )
        from testing.personas import make_user

        third = make_donor(make_user("third@example.org"))
        assert (
            client_a.post(
                url, {"donation_type": "whole_blood", "donor_number": third.donor_number, "birth_date": "1995-01-15"}
            ).status_code
            == 201
        )
        fourth = make_donor(make_user("fourth@example.org"))
        response = client_a.post(
            url, {"donation_type": "whole_blood", "donor_number": fourth.donor_number, "birth_date": "1995-01-15"}
        )
        assert response.status_code == 409 and response.json()["code"] == "slot_full"


def test_walk_in_only_on_the_day(api, staff_a, d, drive):
    response = api(staff_a).post(
        f"/api/v1/drives/{drive.id}/walk-ins",
        {"donation_type": "whole_blood", "donor_number": d.donor_number, "birth_date": "1995-01-15"},
    )
    assert response.status_code == 409


def test_closed_drive_takes_no_bookings(api, donor, d, drive):
    Drive.objects.filter(pk=drive.pk).update(status="planned")
    assert book(api, donor, first_slot(drive)).status_code == 409


def test_staff_list_of_appointments_query_count(api, staff_a, bank_a, django_assert_num_queries):
    from dblood.drives.appointments import appointment_book
    from testing.personas import make_user

    drive = make_drive(bank_a, capacity=20)
    slot = first_slot(drive)
    appointment_book(donor=make_donor(make_user("a0@example.org")), slot_id=slot.id)
    client = api(staff_a)
    client.get("/api/v1/appointments")  # the token and memberships are cached from here on
    with django_assert_num_queries(2):
        assert client.get("/api/v1/appointments").json()["count"] == 1
    for i in range(1, 10):
        appointment_book(donor=make_donor(make_user(f"a{i}@example.org")), slot_id=slot.id)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/appointments").json()["count"] == 10


def test_questionnaire_is_public_and_versioned(api, db):
    body = api().get("/api/v1/questionnaire").json()
    assert body["version"] == questionnaire_current().version
    assert all({"code", "text", "defer_if", "reason_code"} <= set(q) for q in body["questions"])


def test_a_new_questionnaire_version_replaces_the_old(api, donor, d, drive):
    from dblood.drives.models import Questionnaire

    old = questionnaire_current()
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    answers = {q["code"]: q["defer_if"] is False for q in old.questions}
    url = f"/api/v1/appointments/{appointment_id}/questionnaire"
    assert api(donor).post(url, {"version": old.version, "answers": answers}).json()["flags"] == []
    questions = [
        *old.questions,
        {
            "code": "malaria_trip",
            "text": {"en": "Malaria area?", "id": "Daerah malaria?"},
            "defer_if": True,
            "reason_code": "questionnaire",
        },
    ]
    Questionnaire.objects.create(version=old.version + 1, questions=questions)
    assert api().get("/api/v1/questionnaire").json()["version"] == old.version + 1
    stale = api(donor).post(url, {"version": old.version, "answers": answers})
    assert stale.status_code == 400 and "version" in stale.json()["fields"]
    response = api(donor).post(url, {"version": old.version + 1, "answers": {**answers, "malaria_trip": True}})
    assert response.json()["questionnaire_version"] == old.version + 1
    assert [f["question"] for f in response.json()["flags"]] == ["malaria_trip"]


def test_a_deferral_cancels_the_booked_appointments_it_covers(api, donor, d, bank_a):
    soon = make_drive(bank_a, days_ahead=3)
    later = make_drive(bank_a, days_ahead=70)
    first = Appointment.objects.get(pk=book(api, donor, first_slot(soon)).json()["id"])
    second = Appointment.objects.get(pk=book(api, donor, first_slot(later)).json()["id"])
    deferral_record(donor=d, reason_code="vaccine-live")  # 14 days
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelled" and first_slot(soon).booked == 0
    assert second.status == "booked"
    deferral_record(donor=d, reason_code="cancer")
    second.refresh_from_db()
    assert second.status == "cancelled" and first_slot(later).booked == 0


def test_a_line_break_in_a_drive_name_cannot_break_the_ics(api, donor, d, drive):
    donor.language = "en"
    donor.save(update_fields=["language"])
    drive.name = "Donor day\r\nATTENDEE:mailto:attacker@example.org\rX\x07Y"
    drive.save()
    appointment_id = book(api, donor, first_slot(drive)).json()["id"]
    text = api(donor).get(f"/api/v1/appointments/{appointment_id}/ics").content.decode()
    lines = text.split("\r\n")
    assert not any(line.startswith("ATTENDEE") for line in lines)  # still inside SUMMARY, escaped
    assert "\r" not in text.replace("\r\n", "") and "\n" not in text.replace("\r\n", "") and "\x07" not in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Blood donation: Donor day\\nATTENDEE:mailto:attacker@example.org\\nXY" in unfolded

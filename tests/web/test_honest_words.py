"""Honest words: a refusal names its reasons, a donor who cannot give to a call-out sees why and is
not offered "I am coming", questionnaire flags read as sentences, cancelled and moved appointments are
folded away, and codes and days on a page read in its language (the api faked at the HTTP layer)."""

import copy

from test_donor_pages import APPOINTMENT
from test_report_pages import WASTAGE
from test_staff_pages import STAFF, log_in_as
from webfakes import staff_home_reads

CALL = {
    "id": 4,
    "collection_site": {"id": 1, "name": "UDD PMI DKI Jakarta", "address": "Jl. Kramat Raya 47", "city": "Jakarta"},
    "blood_group": "O-",
    "donation_type": "whole_blood",
    "come_by": "2026-11-29T10:00:00Z",
    "status": "open",
    "my_answer": None,
    "why_not": [],
}
REFUSED_BOOKING = {
    "status": 409,
    "code": "not_eligible",
    "detail": "You are not eligible to donate on this date.",
    "reasons": ["At least 60 days must pass after your last whole blood donation (Nov. 20, 2026)."],
    "next_eligible_on": "2027-01-19",
}


def test_a_refused_booking_names_every_reason(signed_in, fake_api):
    fake_api.on("POST", "appointments", status=409, body=REFUSED_BOOKING)
    fake_api.on("GET", "drives", body=[])
    response = signed_in.post("/me/appointments/book/", {"slot": "31", "donation_type": "whole_blood"}, follow=True)
    html = response.content.decode()
    assert "You are not eligible to donate on this date." in html
    assert "At least 60 days must pass after your last whole blood donation (Nov. 20, 2026)." in html


def test_a_reason_already_in_the_sentence_is_not_said_twice(signed_in, fake_api):
    reason = "Permanently deferred: Cancer."
    body = {"status": 409, "code": "donor_not_eligible", "detail": f"The donor may not donate today: {reason}"}
    fake_api.on("POST", "appointments", status=409, body={**body, "reasons": [reason]})
    fake_api.on("GET", "drives", body=[])
    html = signed_in.post(
        "/me/appointments/book/", {"slot": "31", "donation_type": "whole_blood"}, follow=True
    ).content.decode()
    assert html.count(reason) == 1


def test_a_donor_who_cannot_give_sees_why_and_may_only_say_they_cannot_come(signed_in, fake_api):
    why = "At least 60 days must pass after your last whole blood donation (Dec. 8, 2026)."
    fake_api.on("GET", "call-outs", body={"count": 1, "results": [{**CALL, "why_not": [why]}]})
    html = signed_in.get("/me/call-outs/").content.decode()
    assert why in html and "You cannot give blood for this call yet:" in html
    assert 'value="coming"' not in html and 'value="cant"' in html
    fake_api.on("GET", "call-outs", body={"count": 1, "results": [CALL]})
    html = signed_in.get("/me/call-outs/").content.decode()
    assert 'value="coming"' in html and "You cannot give blood" not in html


def test_coming_refused_by_the_api_says_why(signed_in, fake_api):
    why = "Permanently deferred: Cancer."
    refusal = {"status": 409, "code": "not_eligible", "detail": "You cannot give blood for this call-out yet."}
    fake_api.on("POST", r"call-outs/4/answer", status=409, body={**refusal, "reasons": [why]})
    fake_api.on("GET", "call-outs", body={"count": 1, "results": [CALL]})
    html = signed_in.post("/me/call-outs/4/answer/", {"answer": "coming"}, follow=True).content.decode()
    assert "You cannot give blood for this call-out yet." in html and why in html


def test_cancelled_and_moved_appointments_are_folded_away(signed_in, fake_api):
    moved = {**APPOINTMENT, "id": 10, "status": "cancelled", "rescheduled_to": 9, "drive_name": "Old time"}
    cancelled = {**APPOINTMENT, "id": 11, "status": "cancelled", "rescheduled_to": None, "drive_name": "Gave up"}
    fake_api.on("GET", "appointments", body={"count": 3, "results": [APPOINTMENT, moved, cancelled]})
    html = signed_in.get("/me/appointments/").content.decode()
    listed, folded = html.split('<details class="folded"')
    assert 'id="appointment-9"' in listed and "Old time" not in listed and "Gave up" not in listed
    assert "2 cancelled or moved appointments" in folded
    assert "Old time" in folded and "Moved to another time" in folded and "Gave up" in folded
    assert 'action="/me/appointments/10/cancel/"' not in html


def test_nothing_is_folded_when_nothing_was_cancelled(signed_in, fake_api):
    fake_api.on("GET", "appointments", body={"count": 1, "results": [APPOINTMENT]})
    assert "cancelled-appointments" not in signed_in.get("/me/appointments/").content.decode()


def _staff(client, fake_api, language="en"):
    staff_home_reads(fake_api)
    return log_in_as(client, fake_api, {**STAFF, "language": language})


def test_questionnaire_flags_read_as_sentences_at_the_desk(client, fake_api):
    staff = _staff(client, fake_api)
    sentence = (
        "Answered yes to \u201cHave you had a tattoo or piercing in the past 6 months?\u201d: Tattoo or piercing."
    )
    flag = {
        "question": "tattoo_6_months",
        "text": "Have you had a tattoo or piercing in the past 6 months?",
        "answer": True,
        "reason_code": "tattoo-piercing",
        "reason": "Tattoo or piercing",
        "sentence": sentence,
    }
    appointment = {
        "id": 1,
        "status": "booked",
        "donor_name": "Ani Lestari",
        "donor_number": "D0001",
        "starts_at": "2036-01-01T01:00:00Z",
        "flags": [flag],
    }
    drive = {"id": 5, "name": "Drive", "date": "2036-01-01", "start_time": "08:00:00", "end_time": "12:00:00"}
    fake_api.on("GET", r"drives/5", body=drive)
    fake_api.on("GET", r"drives/5/appointments", body={"count": 1, "results": [appointment]})
    html = staff.get("/staff/drives/5/").content.decode()
    assert f"<li>{sentence}</li>" in html and "{&#x27;" not in html and "reason_code" not in html


def test_a_blood_banks_hours_read_in_the_readers_language(client, fake_api):
    hours = {"sun": "closed", "mon": "08:00-20:00", "xmas": "closed"}
    site = {"id": 1, "name": "UDD Jakarta", "city": "Jakarta", "province": "DKI Jakarta", "opening_hours": hours}
    fake_api.on("GET", r"sites/1", body=site)
    fake_api.on("GET", "drives", body=[])
    client.cookies.load({"dblood_language": "id"})
    html = client.get("/blood-banks/1/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    # Monday first; a day the web does not know shows as the api wrote it.
    assert "<dt>Senin</dt><dd>08:00-20:00</dd><dt>Minggu</dt><dd>Tutup</dd><dt>xmas</dt><dd>Tutup</dd>" in html
    assert ">mon<" not in html and ">closed<" not in html


def test_the_lab_page_names_the_status_and_each_screen_in_words(client, fake_api):
    staff = _staff(client, fake_api, "id")
    staff.cookies.load({"dblood_language": "id"})
    donation = {
        "id": 8,
        "din": "T999926000008",
        "status": "in_testing",
        "screening": {"hiv": "non_reactive", "syphilis": "repeat_pending"},
        "release_blockers": [],
        "units": [],
    }
    fake_api.on("GET", r"donations/8", body=donation)
    html = staff.get("/staff/donations/8/").content.decode()
    assert '<dd id="donation-status">Sedang diuji</dd>' in html
    assert "HIV: non-reaktif; Sifilis: hasil pertama reaktif, ulang secara duplo" in html
    assert "in_testing" not in html and "non_reactive" not in html and "repeat_pending" not in html


def test_a_report_shows_labels_for_codes_and_its_days_in_words(client, fake_api):
    staff = _staff(client, fake_api)
    body = copy.deepcopy(WASTAGE)
    body["columns"][1]["labels"] = {"discarded": "Discarded", "expired": "Expired"}
    body["tables"][0]["columns"][0]["labels"] = {"PRC": "Red cells"}
    fake_api.on("GET", "reports/wastage", body=body)
    page = staff.get("/staff/reports/wastage/?month=2026-03").content.decode()
    assert '<td data-label="Outcome">Discarded</td>' in page and ">discarded<" not in page
    assert ">Red cells</text>" in page  # the chart's bar, labelled from its table's column
    assert "From Sun 1 Mar 2026 to Tue 31 Mar 2026" in page and "2026-03-01 to" not in page

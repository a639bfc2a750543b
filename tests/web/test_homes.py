"""Each role's home, the page sign-in lands on: what they have to do today, in both languages."""

import time_machine
from test_staff_pages import HOSPITAL, STAFF, log_in_as
from webfakes import USER

ELIGIBILITY = {
    "on": "2026-12-07",
    "profile": "permenkes_91_2015",
    "eligible_for_any": True,
    "types": [
        {
            "donation_type": "whole_blood",
            "eligible": False,
            "next_eligible_on": "2027-01-16",
            "reasons": ["At least 60 days between whole-blood donations."],
        },
        {"donation_type": "apheresis_plasma", "eligible": True, "next_eligible_on": "2026-12-07", "reasons": []},
        {
            "donation_type": "apheresis_platelets",
            "eligible": False,
            "next_eligible_on": None,
            "reasons": ["Weight is missing from your profile."],
        },
    ],
}
DONATIONS = [
    {
        "id": n,
        "date": f"2026-0{n}-01",
        "place": "UDD Jakarta",
        "donation_type": "whole_blood",
        "hemoglobin_g_dl": hb,
        "outcome": "completed",
        "din": f"X{n}",
        "units": [],
        "follow_up": False,
    }
    for n, hb in [(1, "13.2"), (2, "12.8"), (3, "13.9")]
] + [
    {
        "id": 9,
        "date": "2026-09-01",
        "place": "UDD Jakarta",
        "donation_type": "whole_blood",
        "hemoglobin_g_dl": None,
        "outcome": "incomplete",
        "din": "X9",
        "units": [],
        "follow_up": False,
    }
]
APPOINTMENTS = [
    {
        "id": 4,
        "status": "cancelled",
        "donation_type": "whole_blood",
        "starts_at": "2026-12-09T01:00:00Z",
        "drive_name": "Cancelled drive",
        "location": "Nowhere",
        "answered_at": None,
    },
    {
        "id": 5,
        "status": "booked",
        "donation_type": "apheresis_plasma",
        "starts_at": "2026-12-20T02:00:00Z",
        "drive_name": "Donor Darah Kampus UI",
        "location": "Balairung UI",
        "answered_at": None,
    },
    {
        "id": 6,
        "status": "booked",
        "donation_type": "whole_blood",
        "starts_at": "2027-02-20T02:00:00Z",
        "drive_name": "Later drive",
        "location": "Somewhere",
        "answered_at": None,
    },
]
CALL_OUTS = [
    {
        "id": 11,
        "status": "open",
        "blood_group": "O-",
        "come_by": "2026-12-07T10:00:00Z",
        "my_answer": None,
        "collection_site": {"id": 1, "name": "UDD Jakarta", "address": "Jl. Kramat", "city": "Jakarta"},
    },
    {
        "id": 12,
        "status": "closed",
        "blood_group": "A+",
        "come_by": "2026-11-07T10:00:00Z",
        "my_answer": None,
        "collection_site": {"id": 1, "name": "Old call", "address": "", "city": ""},
    },
]


def donor_api(fake_api):
    fake_api.on("GET", "donors/me/eligibility", body=ELIGIBILITY)
    fake_api.on("GET", "donations/mine", body={"count": 4, "results": DONATIONS})
    fake_api.on("GET", "appointments", body={"count": 3, "results": APPOINTMENTS})
    fake_api.on("GET", "call-outs", body={"count": 2, "results": CALL_OUTS})


@time_machine.travel("2026-12-07T03:00:00Z", tick=False)
def test_a_donor_lands_on_their_home_with_what_matters_today(client, fake_api):
    donor_api(fake_api)
    log_in_as(client, fake_api, USER)
    response = client.post("/login/", {"email": USER["email"], "password": "pw-long-enough"})
    assert response["Location"] == "/home/"
    html = client.get("/home/").content.decode()
    assert "Donor Darah Kampus UI" in html and "Later drive" not in html and "Cancelled drive" not in html
    assert 'href="/me/appointments/5/questions/"' in html  # its questionnaire is still to answer
    assert "in 40 days, from Sat 16 Jan 2027." in html  # whole blood: the countdown and the date
    assert "At least 60 days between whole-blood donations." in html  # and the reason
    assert "you can give now." in html  # plasma
    assert "Weight is missing from your profile." in html
    assert "You have given blood 3 times." in html  # the incomplete bag does not count
    assert "7 more donations to PMI's award for 10 donations." in html
    assert html.count("g/dl</text>") == 3  # the hemoglobin readings, drawn
    assert 'id="home-call-out-11"' in html and "Old call" not in html  # open call-outs only

    client.post("/language/", {"language": "id"})
    html = client.get("/home/").content.decode()
    assert "40 hari lagi, mulai Sab 16 Jan 2027." in html
    assert "Anda sudah mendonorkan darah 3 kali." in html
    assert "Janji temu berikutnya" in html
    assert "Darah lengkap" in html and "Whole blood" not in html and ">whole_blood" not in html


def test_a_donor_with_no_donation_and_no_appointment_is_shown_the_way(client, fake_api):
    fake_api.on("GET", "donors/me/eligibility", body={**ELIGIBILITY, "types": []})
    fake_api.on("GET", "donations/mine", body={"count": 0, "results": []})
    fake_api.on("GET", "appointments", body={"count": 0, "results": []})
    fake_api.on("GET", "call-outs", body={"count": 0, "results": []})
    log_in_as(client, fake_api, USER)
    html = client.get("/home/").content.decode()
    assert "You have no appointment coming up." in html and 'href="/drives/"' in html
    assert "You have given blood 0 times." in html and "10 more donations to PMI's award for 10 donations." in html
    assert "My hemoglobin" not in html


def test_staff_and_hospital_land_on_their_own_homes(client, fake_api):
    log_in_as(client, fake_api, STAFF)
    assert client.get("/home/")["Location"] == "/staff/"
    log_in_as(client, fake_api, HOSPITAL)
    assert client.get("/home/")["Location"] == "/hospital/requests/"

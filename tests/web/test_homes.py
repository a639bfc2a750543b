"""Each role's home, the page sign-in lands on: what they have to do today, in both languages."""

import time_machine
from test_staff_pages import HOSPITAL, STAFF, log_in_as
from webfakes import USER, staff_home_reads

ADMIN = {**USER, "id": 1, "role": "admin", "email": "admin@example.org"}

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


MILESTONES = {"count": 3, "next_milestone": 10, "to_go": 7, "milestones": [10, 25, 50, 75, 100], "certificates": []}


def donor_api(fake_api, milestones=MILESTONES):
    fake_api.on("GET", "donors/me/eligibility", body=ELIGIBILITY)
    fake_api.on("GET", "donations/mine", body={"count": 4, "results": DONATIONS})
    fake_api.on("GET", "donations/mine/milestones", body=milestones)
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
    assert "You have given blood 3 times." in html  # the api's count (of completed donations, every bank)
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
    fake_api.on("GET", "donations/mine/milestones", body={**MILESTONES, "count": 0, "to_go": 10})
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
    assert client.get("/home/")["Location"] == "/hospital/"
    log_in_as(client, fake_api, ADMIN)
    assert client.get("/home/")["Location"] == "/console/"


def blood_request(id_, urgency, status, created_at, **extra):
    return {
        "id": id_,
        "hospital": {"id": 7, "name": f"RS {id_}"},
        "target_bank": {"id": 1, "name": "UDD Jakarta"},
        "patient_abo": "O",
        "patient_rhd": "-",
        "component": "PRC",
        "units": 2,
        "urgency": urgency,
        "needed_by": "2026-12-07T06:00:00Z",
        "note": "",
        "status": status,
        "created_at": created_at,
        "allocations": [],
        **extra,
    }


def unit(id_, din):
    return {
        "id": id_,
        "din": din,
        "component": "PRC",
        "abo": "A",
        "rhd": "+",
        "state": "available",
        "expires_at": "2026-12-09T03:00:00Z",
        "site": 1,
        "site_name": "UDD Jakarta",
    }


STAFF_REQUESTS = [
    blood_request(21, "routine", "submitted", "2026-12-07T01:00:00Z", note="Post-partum haemorrhage, Hb 6.1"),
    blood_request(22, "emergency", "submitted", "2026-12-07T02:20:00Z"),
    blood_request(23, "emergency", "partly_allocated", "2026-12-07T02:00:00Z"),
    blood_request(24, "urgent", "issued", "2026-12-06T02:00:00Z"),
]


def staff_api(fake_api):
    staff_home_reads(fake_api)
    drive = {
        "id": 5,
        "name": "Donor Darah Balai Kota",
        "status": "published",
        "start_time": "08:00:00",
        "end_time": "12:00:00",
        "location_name": "Balai Kota",
    }
    fake_api.on(
        "GET",
        "drives",
        body=[{**drive, "date": "2026-12-07"}, {**drive, "id": 6, "date": "2026-12-20", "name": "Later drive"}],
    )
    fake_api.on("GET", "requests", body={"count": 4, "results": STAFF_REQUESTS})
    work = [
        {"id": n, "din": f"=W-LAB-DIN-{n}", "steps": ["typing"], "separate_by": None, "late": False} for n in range(5)
    ]
    fake_api.on("GET", "donations/worklist", body=work)
    fake_api.on("GET", "units/expiring", body={"count": 1, "results": [unit(31, "EXP31")]})
    fake_api.on(
        "GET",
        "transfers",
        handler=lambda request, match: __import__("httpx").Response(
            200,
            json={
                "requested": [
                    {
                        "id": 41,
                        "unit": unit(32, "OUT32"),
                        "from_site": 1,
                        "to_site": 2,
                        "to_site_name": "UDD Bogor",
                        "from_site_name": "UDD Jakarta",
                        "status": "requested",
                    }
                ],
                "in_transit": [
                    {
                        "id": 42,
                        "unit": unit(33, "IN33"),
                        "from_site": 3,
                        "to_site": 1,
                        "from_site_name": "UDD Depok",
                        "to_site_name": "UDD Jakarta",
                        "status": "in_transit",
                    }
                ],
            }[request.url.params["status"]],
        ),
    )
    fake_api.on(
        "GET",
        "recalls",
        body={
            "count": 1,
            "results": [
                {
                    "id": 51,
                    "status": "open",
                    "site": 1,
                    "site_name": "UDD Jakarta",
                    "opened_at": "2026-12-06T02:00:00Z",
                    "donation": {"id": 8, "din": "REC8"},
                    "units": [{"id": 1}, {"id": 2}],
                }
            ],
        },
    )


@time_machine.travel("2026-12-07T03:00:00Z", tick=False)
def test_bank_staff_land_on_what_their_bank_has_to_do_today(client, fake_api):
    staff_api(fake_api)
    log_in_as(client, fake_api, STAFF)
    html = client.get("/home/", follow=True).content.decode()
    # The emergency nobody acted on is on top, with its age; the one already being served is not.
    top = html[: html.index('id="home-today"')]
    assert 'id="home-emergency-22"' in top and "Sent 40\xa0minutes ago, nobody has acted on it yet." in top
    assert 'id="home-emergency-23"' not in top
    # Open requests, emergencies first, oldest first within; the issued one is not open.
    order = [html.index(f'id="home-request-{n}"') for n in (23, 22, 21)]
    assert order == sorted(order) and 'id="home-request-24"' not in html
    assert "Post-partum haemorrhage, Hb 6.1" in html  # the hospital's clinical note
    assert "2\xa0hours ago" in html
    assert 'href="/staff/drives/5/"' in html and "Check-in desk" in html  # today's drive
    assert (
        "5 donations wait for the lab." in html and "=W-LAB-DIN-2" in html and "=W-LAB-DIN-3" not in html
    )  # the first three
    assert 'id="home-expiring-31"' in html and "Units expiring within 3 days" in html
    assert 'action="/staff/transfers/41/dispatch/"' in html and 'href="/staff/inventory/#receive"' in html
    assert 'id="home-recall-51"' in html and "2 units traced." in html
    assert fake_api.last("GET", "units/expiring").url.params["days"] == "3"

    client.post("/language/", {"language": "id"})
    html = client.get("/staff/").content.decode()
    assert "Permintaan darurat menunggu Anda" in html
    assert "5 donasi menunggu laboratorium." in html
    assert "DARURAT" in html and ">emergency" not in html and "partly_allocated" not in html
    assert "Kegiatan donor hari ini" in html


def test_an_emergency_leaves_the_top_once_someone_acts_on_it(client, fake_api):
    staff_home_reads(fake_api)
    acted = blood_request(22, "emergency", "allocated", "2026-12-07T02:20:00Z")
    fake_api.on("GET", "requests", body=[acted])
    log_in_as(client, fake_api, STAFF)
    html = client.get("/staff/").content.decode()
    assert 'id="home-emergencies"' not in html and 'id="home-request-22"' in html
    assert "No drive today." in html and "No open recall." in html and "0 donations wait for the lab." in html


def allocation(id_, status, outcome=None):
    return {
        "id": id_,
        "unit": 100 + id_,
        "din": f"DIN{id_}",
        "abo": "O",
        "rhd": "-",
        "component": "PRC",
        "status": status,
        "issued_at": "2026-12-06T05:00:00Z" if status == "issued" else None,
        "outcome": outcome,
    }


HOSPITAL_REQUESTS = [
    blood_request(61, "routine", "allocated", "2026-12-07T01:00:00Z"),
    blood_request(62, "emergency", "submitted", "2026-12-07T02:30:00Z"),
    blood_request(
        63,
        "urgent",
        "issued",
        "2026-12-06T02:00:00Z",
        allocations=[allocation(71, "issued"), allocation(72, "issued", outcome="transfused")],
    ),
    blood_request(64, "routine", "cancelled", "2026-12-05T02:00:00Z"),
]


@time_machine.travel("2026-12-07T03:00:00Z", tick=False)
def test_hospital_staff_land_on_their_open_requests_and_the_outcomes_they_owe(client, fake_api):
    fake_api.on("GET", "requests", body={"count": 4, "results": HOSPITAL_REQUESTS})
    log_in_as(client, fake_api, HOSPITAL)
    html = client.get("/home/", follow=True).content.decode()
    assert "<h1>RSCM</h1>" in html
    # The emergency the bank has not touched yet is on top, with its age.
    top = html[: html.index('id="hospital-outcomes"')]
    assert 'id="hospital-emergency-62"' in top and "Sent 30\xa0minutes ago, nobody has acted on it yet." in top
    # The issued unit without an outcome, with the links to record it or return it; not the transfused one.
    assert 'id="hospital-outcome-71"' in html and 'id="hospital-outcome-72"' not in html
    assert 'href="/requests/63/#allocations"' in html and 'href="/hospital/requests/63/return/"' in html
    # Open requests only, emergencies first, with their status.
    order = [html.index(f'id="hospital-request-{n}"') for n in (62, 61)]
    assert order == sorted(order)
    assert 'id="hospital-request-63"' not in html and 'id="hospital-request-64"' not in html
    assert (
        "Covered: units reserved" in html
        and "Waiting for the blood bank" in html
        and 'href="/hospital/requests/#new-request"' in html
    )

    client.post("/language/", {"language": "id"})
    html = client.get("/hospital/").content.decode()
    assert "Unit yang sudah dikeluarkan menunggu hasilnya" in html
    assert "Catat hasilnya" in html and "Permintaan terbuka" in html and "DARURAT" in html


def test_a_hospital_with_nothing_pending_is_told_so(client, fake_api):
    fake_api.on("GET", "requests", body=[])
    log_in_as(client, fake_api, HOSPITAL)
    html = client.get("/hospital/").content.decode()
    assert "No issued unit is waiting for an outcome." in html and "No open request." in html
    assert 'id="hospital-emergencies"' not in html


def test_the_admin_lands_on_the_consoles_and_the_systems_health(client, fake_api, settings):
    settings.DBLOOD_API_PUBLIC_URL = "http://127.0.0.1:8080"
    fake_api.on("GET", "/readyz", body={"status": "degraded", "checks": {"database": "ok", "cache": "unavailable"}})
    log_in_as(client, fake_api, ADMIN)
    html = client.get("/home/", follow=True).content.decode()
    assert 'href="http://127.0.0.1:8080/admin/"' in html and 'href="http://127.0.0.1:8080/api/docs/"' in html
    assert 'href="http://127.0.0.1:8080/api/redoc/"' in html and 'href="/"' in html
    assert "ready, slower (a check below failed)" in html
    database = html[html.index('id="admin-health-database"') :]
    assert database.index("works") < database.index('id="admin-health-cache"')
    assert "unavailable" in html[html.index('id="admin-health-cache"') :]

    client.post("/language/", {"language": "id"})
    html = client.get("/console/").content.decode()
    assert "Kesehatan sistem" in html and "Basis data" in html and "tidak tersedia" in html


def test_the_admin_home_says_so_when_the_api_is_down(client, fake_api):
    fake_api.on(
        "GET",
        "/readyz",
        status=503,
        body={"status": "unavailable", "checks": {"database": "unavailable", "cache": "ok"}},
    )
    log_in_as(client, fake_api, ADMIN)
    html = client.get("/console/").content.decode()
    assert "not ready" in html and 'href="/admin/"' in html  # behind nginx: this host


def test_only_their_role_sees_the_hospital_and_admin_homes(client, fake_api):
    staff_home_reads(fake_api)
    log_in_as(client, fake_api, STAFF)
    assert client.get("/hospital/").status_code == 403
    assert client.get("/console/").status_code == 403
    log_in_as(client, fake_api, HOSPITAL)
    assert client.get("/console/").status_code == 403

"""Blood-bank staff and hospital pages, the api mocked at the HTTP layer."""

import httpx
import pytest
from webfakes import USER, staff_home_reads

STAFF = {
    **USER,
    "id": 2,
    "role": "blood_bank_staff",
    "memberships": [{"site_id": 1, "site_name": "UDD Jakarta", "site_kind": "blood_bank"}],
}
HOSPITAL = {
    **USER,
    "id": 3,
    "role": "hospital_staff",
    "memberships": [{"site_id": 7, "site_name": "RSCM", "site_kind": "hospital"}],
}


def log_in_as(client, fake_api, user):
    fake_api.on("POST", "auth/login", body={"token": "tok", "expires_at": "x", "user": user})
    assert client.post("/login/", {"email": user["email"], "password": "pw-long-enough"}).status_code == 302
    return client


@pytest.fixture
def staff(client, fake_api):
    staff_home_reads(fake_api)
    return log_in_as(client, fake_api, STAFF)


@pytest.fixture
def hospital(client, fake_api):
    return log_in_as(client, fake_api, HOSPITAL)


APPOINTMENTS = [
    {
        "id": 1,
        "status": "booked",
        "donor_name": "Ani Lestari",
        "donor_number": "D0001",
        "starts_at": "2036-01-01T01:00:00Z",
        "flags": [],
    },
    {
        "id": 2,
        "status": "checked_in",
        "donor_name": "Budi Santoso",
        "donor_number": "D0002",
        "starts_at": "2036-01-01T01:30:00Z",
        "flags": [],
    },
]


def test_check_in_list_searches_by_name_or_scanned_donor_number(staff, fake_api):
    fake_api.on(
        "GET",
        r"drives/5",
        body={"id": 5, "name": "Drive", "date": "2036-01-01", "start_time": "08:00:00", "end_time": "12:00:00"},
    )
    fake_api.on("GET", r"drives/5/appointments", body={"count": 2, "results": APPOINTMENTS})
    html = staff.get("/staff/drives/5/?q=d0002").content.decode()
    assert "Budi Santoso" in html and "Ani Lestari" not in html
    assert 'href="/staff/appointments/2/donation/"' in html
    html = staff.get("/staff/drives/5/?q=ani").content.decode()
    assert 'action="/staff/appointments/1/check-in/"' in html


def test_check_in_refused_by_the_api_is_explained(staff, fake_api):
    fake_api.on(
        "POST",
        r"appointments/1/check-in",
        status=409,
        body={"status": 409, "code": "conflict", "detail": "Check-in is on the day of the drive (2036-01-01)."},
    )
    fake_api.on("GET", "drives", body=[])
    fake_api.on("GET", "requests", body=[])
    html = staff.post("/staff/appointments/1/check-in/", follow=True).content.decode()
    assert "Check-in is on the day of the drive" in html


def test_recording_a_donation_sends_vitals_and_shows_field_errors(staff, fake_api):
    fake_api.on("GET", r"appointments/2", body={**APPOINTMENTS[1], "donation_type": "whole_blood"})
    fake_api.on(
        "POST",
        "donations",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input.",
            "fields": {"hemoglobin_g_dl": ["Too low to donate: at least 12.5 g/dl."]},
        },
    )
    form = {
        "volume_ml": "450",
        "hemoglobin_g_dl": "11.9",
        "bp_systolic": "120",
        "bp_diastolic": "80",
        "pulse": "70",
        "temperature_c": "36.5",
        "outcome": "completed",
    }
    html = staff.post("/staff/appointments/2/donation/", form).content.decode()
    assert '<p class="error" id="id_hemoglobin_g_dl_error">Too low to donate: at least 12.5 g/dl.</p>' in html
    assert 'value="11.9"' in html
    assert fake_api.last_json("POST", "donations") == {
        "appointment": 2,
        "volume_ml": 450,
        "hemoglobin_g_dl": "11.9",
        "bp_systolic": 120,
        "bp_diastolic": 80,
        "pulse": 70,
        "temperature_c": "36.5",
        "outcome": "completed",
    }


def test_lab_page_posts_typing_screening_and_components(staff, fake_api):
    fake_api.on(
        "GET",
        r"donations/8",
        body={
            "id": 8,
            "din": "T999926000008",
            "status": "in_testing",
            "screening": {"hiv": "pending"},
            "release_blockers": ["hiv pending"],
            "units": [],
        },
    )
    fake_api.on("POST", r"donations/8/typing", body={})
    fake_api.on("POST", r"donations/8/screening", body={})
    fake_api.on("POST", r"donations/8/components", status=201, body=[])
    assert "hiv pending" in staff.get("/staff/donations/8/").content.decode()
    staff.post("/staff/donations/8/", {"step": "typing", "typing-abo": "B", "typing-rhd": "-"})
    assert fake_api.last_json("POST", "donations/8/typing") == {"abo": "B", "rhd": "-"}
    staff.post("/staff/donations/8/", {"step": "screening", "screening-test": "hiv", "screening-reactive": "false"})
    assert fake_api.last_json("POST", "donations/8/screening") == {"test": "hiv", "reactive": False}
    staff.post("/staff/donations/8/", {"step": "components", "components-components": ["PRC", "TC"]})
    assert fake_api.last_json("POST", "donations/8/components") == {
        "components": [{"component": "PRC"}, {"component": "TC"}]
    }


def _units_page(fake_api, units, count=None):
    fake_api.on("GET", "units", body={"count": len(units) if count is None else count, "results": units})
    fake_api.on("GET", "sites", body={"count": 0, "results": []})
    fake_api.on("GET", "transfers", body={"count": 0, "results": []})


def test_inventory_filters_and_pages_the_banks_units(staff, fake_api):
    unit = {"id": 4, "din": "T1", "component": "TC", "abo": "O", "rhd": "+", "expires_at": "2036-01-02T00:00:00Z"}
    _units_page(fake_api, [unit], count=60)
    html = staff.get("/staff/inventory/").content.decode()
    assert "T1" in html and "Platelets" in html
    assert dict(fake_api.last("GET", "units").url.params) == {
        "site": "1",
        "state": "available",
        "page": "1",
        "page_size": "25",
    }
    assert "60 units, page 1 of 3" in html
    assert 'href="?page=2" rel="next"' in html and 'rel="prev"' not in html
    query = "?state=quarantined&abo=O&rhd=-&component=PRC&expires_within_days=3&page=3"
    html = staff.get("/staff/inventory/" + query).content.decode()
    assert dict(fake_api.last("GET", "units").url.params) == {
        "site": "1",
        "state": "quarantined",
        "abo": "O",
        "rhd": "-",
        "component": "PRC",
        "expires_within_days": "3",
        "page": "3",
        "page_size": "25",
    }
    assert 'rel="next"' not in html
    assert "?state=quarantined&amp;abo=O&amp;rhd=-&amp;component=PRC&amp;expires_within_days=3&amp;page=2" in html
    # A filter out of range filters nothing but the state; a nonsense page is the first.
    staff.get("/staff/inventory/?expires_within_days=-4&page=x")
    assert dict(fake_api.last("GET", "units").url.params) == {
        "site": "1",
        "state": "available",
        "page": "1",
        "page_size": "25",
    }


def test_an_inventory_page_past_the_end_shows_the_first(staff, fake_api):
    _units_page(fake_api, [])

    def pages(request, match):
        if request.url.params.get("page") != "1":
            return httpx.Response(404, json={"status": 404, "code": "not_found", "detail": "Invalid page."})
        return httpx.Response(200, json={"count": 1, "results": [{**UNIT, "din": "FIRST"}]})

    fake_api.on("GET", "units", handler=pages)
    html = staff.get("/staff/inventory/?page=9").content.decode()
    assert "FIRST" in html and "1 unit, page 1 of 1" in html


def test_inventory_in_indonesian_names_states_and_components(client, fake_api):
    staff = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    unit = {"id": 4, "din": "T1", "component": "TC", "abo": "O", "rhd": "+", "expires_at": "2036-01-02T00:00:00Z"}
    _units_page(fake_api, [unit])
    html = staff.get("/staff/inventory/").content.decode()
    assert "Trombosit" in html and "Pindai atau ketik DIN" in html and "Karantina" in html
    assert "Available" not in html and "first expiring first" not in html


def test_a_scanned_din_finds_the_unit_or_says_why_not(staff, fake_api):
    _units_page(fake_api, [])
    found = {**UNIT, "site": 1, "site_name": "UDD Jakarta", "state": "reserved"}
    fake_api.on("GET", r"units/din/.*", body=[found])
    html = staff.get("/staff/inventory/", {"scan": "=G123426123456"}).content.decode()
    scans = [r for r in fake_api.requests if r.url.path.startswith("/api/v1/units/din/")]
    assert scans[-1].url.raw_path.endswith(b"/units/din/%3DG123426123456")  # the scan as it was read
    assert "Units of this DIN" in html and "Reserved for a request" in html and "UDD Jakarta" in html
    fake_api.on("GET", r"units/din/.*", status=404, body={"status": 404, "code": "not_found", "detail": "Not found."})
    html = staff.get("/staff/inventory/", {"scan": "G123426123456"}).content.decode()
    assert "No unit with this DIN at your blood banks." in html
    fake_api.on(
        "GET",
        r"units/din/.*",
        status=400,
        body={"status": 400, "code": "invalid", "detail": "x", "fields": {"din": ["The check character is wrong."]}},
    )
    html = staff.get("/staff/inventory/", {"scan": "G1234261234560X"}).content.decode()
    assert 'id="id_scan_error"' in html and "The check character is wrong." in html


def test_inventory_discards_with_a_reason(staff, fake_api):
    unit = {"id": 4, "din": "T1", "component": "TC", "abo": "O", "rhd": "+", "expires_at": "2036-01-02T00:00:00Z"}
    _units_page(fake_api, [unit])
    assert 'action="/staff/units/4/discard/"' in staff.get("/staff/inventory/").content.decode()
    fake_api.on("POST", r"units/4/discard", body=unit)
    # Without the tick nothing is destroyed: the clerk is told what is missing.
    html = staff.post("/staff/units/4/discard/", {"reason": "bag leaking"}, follow=True).content.decode()
    assert "tick &#x27;Destroy this unit&#x27;" in html or "tick 'Destroy this unit'" in html
    assert not [r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("/discard")]
    staff.post("/staff/units/4/discard/", {"reason": "bag leaking", "confirm": "on"})
    assert fake_api.last_json("POST", "units/4/discard") == {"reason": "bag leaking"}


REQUEST = {
    "id": 3,
    "hospital": {"name": "RSCM"},
    "target_bank": {"name": "UDD Jakarta"},
    "units": 2,
    "component": "PRC",
    "patient_abo": "A",
    "patient_rhd": "-",
    "patient_female_cbp": True,
    "urgency": "emergency",
    "needed_by": "2036-01-01T05:00:00Z",
    "note": "Post-partum haemorrhage, Hb 5.1",
    "status": "partly_allocated",
    "cancel_reason": "",
    "allocations": [
        {
            "id": 20,
            "unit": 11,
            "din": "G1234360000011",
            "abo": "A",
            "rhd": "-",
            "component": "PRC",
            "expires_at": "2036-01-09T00:00:00Z",
            "unit_state": "reserved",
            "status": "reserved",
            "override_reason": "",
            "transfer_status": None,
        }
    ],
}
PROPOSAL = [
    {
        "id": 12,
        "din": "G1234360000012",
        "component": "PRC",
        "abo": "A",
        "rhd": "-",
        "expires_at": "2036-01-03T00:00:00Z",
        "site": {"id": 1, "name": "UDD Jakarta"},
        "distance_km": 0.0,
        "abo_identical": True,
        "rhd_identical": True,
        "transfer_needed": False,
    },
    {
        "id": 13,
        "din": "G1234360000013",
        "component": "PRC",
        "abo": "O",
        "rhd": "-",
        "expires_at": "2036-01-02T00:00:00Z",
        "site": {"id": 2, "name": "UDD Bandung"},
        "distance_km": 117.4,
        "abo_identical": False,
        "rhd_identical": True,
        "transfer_needed": True,
    },
]


def request_api(fake_api, blood_request=None, proposal=PROPOSAL):
    fake_api.on("GET", r"requests/3", body=blood_request or REQUEST)
    fake_api.on("GET", r"requests/3/proposal", body=proposal)
    fake_api.on("GET", "call-outs", body={"count": 0, "results": []})


def posts(fake_api, path):
    return [r for r in fake_api.requests if r.method == "POST" and r.url.path == f"/api/v1/{path}"]


def test_the_bank_sees_each_unit_on_offer_where_it_is_and_how_it_matches(staff, fake_api):
    request_api(fake_api)
    html = staff.get("/requests/3/").content.decode()
    assert "Post-partum haemorrhage, Hb 5.1" in html  # the hospital's clinical note
    assert "EMERGENCY" in html and "Partly covered" in html and "a woman who may still have children" in html
    assert "partly_allocated" not in html and ">emergency<" not in html
    assert 'name="reserve-units" value="12"' in html and 'name="reserve-units" value="13"' in html
    assert "UDD Bandung" in html and "117.4 km away: reserving it asks that bank to send it" in html
    assert "same ABO · same RhD" in html and "ABO compatible · same RhD" in html
    assert "checked" not in html.split("Units on offer")[1].split("</table>")[0]  # nothing ticked for the clerk
    # The reserved unit (here, not in transit) can be issued, after the clerk confirms the labels.
    assert 'name="issue-units" value="11"' in html and 'name="issue-confirm"' in html


def test_the_bank_reserves_the_units_it_ticks(staff, fake_api):
    request_api(fake_api)
    fake_api.on("POST", r"requests/3/reserve", body=REQUEST)
    response = staff.post("/requests/3/reserve/", {"reserve-units": ["13", "12"]})
    assert response["Location"] == "/requests/3/"
    assert fake_api.last_json("POST", "requests/3/reserve") == {"units": [13, 12]}
    # Nothing ticked, or a unit that is not on offer: refused here, nothing sent.
    sent = len(posts(fake_api, "requests/3/reserve"))
    assert staff.post("/requests/3/reserve/", {}).status_code == 400
    assert staff.post("/requests/3/reserve/", {"reserve-units": ["99"]}).status_code == 400
    assert len(posts(fake_api, "requests/3/reserve")) == sent
    # The api's refusal is shown on the page.
    fake_api.on(
        "POST",
        r"requests/3/reserve",
        status=409,
        body={"status": 409, "code": "unit_not_available", "detail": "Unit 12 is no longer available."},
    )
    html = staff.post("/requests/3/reserve/", {"reserve-units": ["12"]}).content.decode()
    assert "Unit 12 is no longer available." in html


def test_an_override_needs_a_unit_by_din_and_a_reason_and_the_api_decides(staff, fake_api):
    request_api(fake_api)
    positive = {"id": 30, "din": "G1234360000030", "component": "PRC", "site": 1, "state": "available"}
    fake_api.on("GET", r"units/din/.*", body=[positive])
    html = staff.post("/requests/3/override/", {"override-din": "G1234360000030"}).content.decode()
    assert 'id="id_override-override_reason_error"' in html  # no reason, nothing sent
    assert not posts(fake_api, "requests/3/reserve")
    fake_api.on(
        "POST",
        r"requests/3/reserve",
        status=409,
        body={
            "status": 409,
            "code": "override_needs_acknowledgement",
            "detail": "An RhD override for a woman of childbearing potential needs override_acknowledged.",
        },
    )
    form = {"override-din": "G1234360000030", "override-override_reason": "no RhD- left, massive bleeding"}
    html = staff.post("/requests/3/override/", form).content.decode()
    assert "needs override_acknowledged" in html
    assert fake_api.last_json("POST", "requests/3/reserve") == {
        "units": [30],
        "override_reason": "no RhD- left, massive bleeding",
        "override_acknowledged": False,
    }
    fake_api.on("POST", r"requests/3/reserve", body=REQUEST)
    response = staff.post("/requests/3/override/", {**form, "override-override_acknowledged": "on"})
    assert response["Location"] == "/requests/3/"
    assert fake_api.last_json("POST", "requests/3/reserve")["override_acknowledged"] is True
    fake_api.on("GET", r"units/din/.*", status=404, body={"status": 404, "code": "not_found", "detail": "x"})
    html = staff.post("/requests/3/override/", form).content.decode()
    assert "No available unit with this DIN at your blood banks." in html


def test_issue_only_what_the_clerk_ticked_and_confirmed(staff, fake_api):
    request_api(fake_api)
    fake_api.on("POST", r"requests/3/issue", body=REQUEST)
    html = staff.post("/requests/3/issue/", {"issue-units": ["11"]}).content.decode()
    assert 'id="id_issue-confirm_error"' in html and not posts(fake_api, "requests/3/issue")
    assert staff.post("/requests/3/issue/", {"issue-confirm": "on"}).status_code == 400
    assert not posts(fake_api, "requests/3/issue")
    response = staff.post("/requests/3/issue/", {"issue-units": ["11"], "issue-confirm": "on"})
    assert response["Location"] == "/requests/3/"
    assert fake_api.last_json("POST", "requests/3/issue") == {"units": [11]}
    fake_api.on(
        "POST",
        r"requests/3/issue",
        status=409,
        body={"status": 409, "code": "unit_expired", "detail": "Unit 11 has expired: it cannot be issued."},
    )
    html = staff.post("/requests/3/issue/", {"issue-units": ["11"], "issue-confirm": "on"}).content.decode()
    assert "Unit 11 has expired: it cannot be issued." in html


def test_a_unit_still_on_its_way_cannot_be_ticked_for_issue(staff, fake_api):
    moving = {**REQUEST["allocations"][0], "unit_state": "in_transit", "transfer_status": "in_transit"}
    request_api(fake_api, {**REQUEST, "allocations": [moving]})
    html = staff.get("/requests/3/").content.decode()
    assert 'name="issue-units"' not in html and "On its way here: receive it before issuing." in html


def test_cancel_needs_a_reason_and_a_confirmation(staff, fake_api):
    request_api(fake_api)
    fake_api.on("POST", r"requests/3/cancel", body={**REQUEST, "status": "cancelled"})
    html = staff.post("/requests/3/cancel/", {"cancel-reason": "patient died"}).content.decode()
    assert 'id="id_cancel-confirm_error"' in html and not posts(fake_api, "requests/3/cancel")
    html = staff.post("/requests/3/cancel/", {"cancel-confirm": "on"}).content.decode()
    assert 'id="id_cancel-reason_error"' in html and not posts(fake_api, "requests/3/cancel")
    response = staff.post("/requests/3/cancel/", {"cancel-reason": "patient died", "cancel-confirm": "on"})
    assert response["Location"] == "/requests/3/"
    assert fake_api.last_json("POST", "requests/3/cancel") == {"reason": "patient died"}


def test_the_hospital_sees_its_request_and_may_cancel_but_not_reserve_or_issue(hospital, fake_api):
    request_api(fake_api)
    html = hospital.get("/requests/3/").content.decode()
    assert "Post-partum haemorrhage, Hb 5.1" in html and "Cancel the request" in html
    assert "Units on offer" not in html and "issue-units" not in html and "override" not in html.split("<main")[-1]
    assert not [r for r in fake_api.requests if r.url.path.endswith("/proposal")]
    for path in ("reserve", "override", "issue", "allocate"):
        assert hospital.post(f"/requests/3/{path}/", {}).status_code == 403, path
    fake_api.on("POST", r"requests/3/cancel", body={**REQUEST, "status": "cancelled"})
    hospital.post("/requests/3/cancel/", {"cancel-reason": "bleeding stopped", "cancel-confirm": "on"})
    assert fake_api.last_json("POST", "requests/3/cancel") == {"reason": "bleeding stopped"}


def test_a_closed_request_offers_nothing_to_do(staff, fake_api):
    request_api(fake_api, {**REQUEST, "status": "cancelled", "cancel_reason": "patient died", "allocations": []})
    html = staff.get("/requests/3/").content.decode()
    assert "Cancelled: patient died" in html
    assert "Units on offer" not in html and "Cancel the request" not in html and "Call donors" not in html


def test_the_request_page_in_indonesian(client, fake_api):
    staff = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    request_api(fake_api)
    html = staff.get("/requests/3/").content.decode()
    for word in ("DARURAT", "Sebagian terpenuhi", "Kantong yang tersedia", "golongan ABO sama", "Batalkan permintaan"):
        assert word in html, word
    for english in ("Units on offer", "Partly covered", "same ABO", "Reserve the ticked units", "EMERGENCY"):
        assert english not in html, english


def test_allocate_and_start_a_call_out_are_one_button_each(staff, fake_api):
    for action in ("allocate", "call-outs"):
        fake_api.on("POST", rf"requests/3/{action}", body={})
        assert staff.post(f"/requests/3/{action}/")["Location"] == "/requests/3/"
        assert fake_api.last("POST", f"requests/3/{action}")
    assert staff.post("/requests/3/explode/").status_code == 404
    assert not [r for r in fake_api.requests if r.url.path.endswith("explode")]


def test_request_page_follows_the_call_out_answers(staff, fake_api):
    request = {
        "id": 3,
        "hospital": {"name": "RSCM"},
        "target_bank": {"name": "UDD Jakarta"},
        "units": 2,
        "component": "PRC",
        "patient_abo": "O",
        "patient_rhd": "-",
        "urgency": "emergency",
        "needed_by": "2036-01-01T05:00:00Z",
        "status": "submitted",
        "allocations": [],
    }
    fake_api.on("GET", r"requests/3", body=request)
    call = {
        "id": 9,
        "request": 3,
        "status": "open",
        "counts": {"asked": 5, "coming": 1, "cant": 1},
        "responders": [{"id": 17, "name": "Ani", "answer": "coming", "phone": "0812"}],
    }
    fake_api.on("GET", "call-outs", body={"count": 2, "results": [call, {**call, "id": 10, "request": 4}]})
    fake_api.on("GET", r"requests/3/proposal", body=[])
    html = staff.get("/requests/3/").content.decode()
    assert "asked 5" in html and "coming 1" in html and "Ani — coming" in html
    assert html.count('class="card"><p>') == 1  # only this request's call-out
    assert 'action="/call-out-answers/17/messages/"' in html  # write to the responder through the relay


def test_hospital_creates_a_request_and_records_an_outcome(hospital, fake_api):
    fake_api.on("GET", "sites", body={"count": 1, "results": [{"id": 1, "name": "UDD Jakarta"}]})
    fake_api.on("GET", "requests", body={"count": 0, "results": []})
    fake_api.on("POST", "requests", status=201, body={"id": 3})
    form = {
        "target_bank": "1",
        "patient_abo": "A",
        "patient_rhd": "+",
        "component": "PRC",
        "patient_female_cbp": "false",
        "units": "2",
        "urgency": "urgent",
        "needed_by": "2036-01-01T12:00",
    }
    response = hospital.post("/hospital/requests/", form)
    assert response["Location"] == "/requests/3/"
    sent = fake_api.last_json("POST", "requests")
    assert sent["needed_by"] == "2036-01-01T12:00:00+07:00"  # typed in Jakarta time
    assert sent["target_bank"] == 1 and sent["units"] == 2 and sent["patient_female_cbp"] is False
    fake_api.on("POST", r"requests/3/outcome", body={})
    hospital.post("/hospital/requests/3/outcome/", {"unit": "11", "transfused": "true", "reaction": ""})
    assert fake_api.last_json("POST", "requests/3/outcome") == {"unit": 11, "transfused": True, "reaction": ""}


def test_donors_cannot_open_staff_or_hospital_pages(signed_in):
    for path in ["/staff/", "/staff/inventory/", "/hospital/requests/", "/requests/3/"]:
        assert signed_in.get(path).status_code == 403, path


DRIVE = {
    "id": 5,
    "name": "Drive",
    "status": "published",
    "date": "2036-01-01",
    "start_time": "08:00:00",
    "end_time": "12:00:00",
    "slot_minutes": 30,
    "capacity_per_slot": 4,
    "location_name": "Balai",
    "address": "",
    "city": "Jakarta",
    "cancel_reason": "",
}


def test_staff_edit_a_drive_prefilled_and_field_errors_shown(staff, fake_api):
    fake_api.on("GET", r"drives/5", body=DRIVE)
    html = staff.get("/staff/drives/5/edit/").content.decode()
    assert 'value="08:00"' in html and 'value="Balai"' in html
    assert 'action="/staff/drives/5/cancel/"' in html
    fake_api.on(
        "PATCH",
        r"drives/5",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input.",
            "fields": {"end_time": ["Ends too early."]},
        },
    )
    form = {**{k: DRIVE[k] for k in ("name", "date", "slot_minutes", "capacity_per_slot", "location_name", "city")}}
    form.update(start_time="09:00", end_time="08:00")
    html = staff.post("/staff/drives/5/edit/", form).content.decode()
    assert '<p class="error" id="id_end_time_error">Ends too early.</p>' in html
    sent = fake_api.last_json("PATCH", "drives/5")
    assert sent["start_time"] == "09:00" and sent["address"] == "" and sent["location_name"] == "Balai"
    fake_api.on("PATCH", r"drives/5", body=DRIVE)
    form.update(end_time="13:00")
    assert staff.post("/staff/drives/5/edit/", form)["Location"] == "/staff/"


def test_staff_cancel_a_drive_needs_a_reason_and_explains_a_refusal(staff, fake_api):
    fake_api.on("GET", r"drives/5", body=DRIVE)
    html = staff.post("/staff/drives/5/cancel/", {"cancel-reason": ""}).content.decode()
    assert 'id="id_cancel-reason_error"' in html
    assert not [r for r in fake_api.requests if r.method == "POST" and "cancel" in r.url.path]
    fake_api.on(
        "POST",
        r"drives/5/cancel",
        status=409,
        body={"status": 409, "code": "conflict", "detail": "The drive has already taken place."},
    )
    assert (
        "The drive has already taken place."
        in staff.post("/staff/drives/5/cancel/", {"cancel-reason": "rain"}).content.decode()
    )
    fake_api.on("POST", r"drives/5/cancel", body={**DRIVE, "status": "cancelled"})
    assert staff.post("/staff/drives/5/cancel/", {"cancel-reason": "flood"})["Location"] == "/staff/"
    assert fake_api.last_json("POST", "drives/5/cancel") == {"reason": "flood"}
    fake_api.on("GET", "drives", body=[{**DRIVE, "status": "cancelled", "cancel_reason": "flood"}])
    fake_api.on("GET", "requests", body=[])
    assert "Cancelled: flood" in staff.get("/staff/").content.decode()


UNIT = {"id": 4, "din": "T1", "component": "PRC", "abo": "O", "rhd": "-", "expires_at": "2036-01-02T00:00:00Z"}
BANKS = [{"id": 1, "name": "UDD Jakarta"}, {"id": 2, "name": "UDD Bandung"}]


def inventory_api(fake_api, transfers=()):
    fake_api.on("GET", "units", body={"count": 1, "results": [UNIT]})
    fake_api.on("GET", "sites", body={"count": 2, "results": BANKS})

    def by_status(request, match):  # the api's ?status= filter
        wanted = request.url.params.get("status")
        rows = [t for t in transfers if wanted in (None, t["status"])]
        return httpx.Response(200, json={"count": len(rows), "results": rows})

    fake_api.on("GET", "transfers", handler=by_status)


def test_staff_transfer_a_unit_found_by_its_scanned_din(staff, fake_api):
    inventory_api(fake_api)
    here = {**UNIT, "site": 1, "state": "available"}
    fake_api.on("GET", r"units/din/.*", body=[here, {**here, "id": 9, "component": "FFP", "state": "issued"}])
    html = staff.get("/staff/inventory/").content.decode()
    assert '<label for="id_transfer-to_site">' in html and '<label for="id_transfer-din">' in html
    assert '<option value="2">UDD Bandung</option>' in html and '<option value="1">' not in html  # not to itself
    fake_api.on(
        "POST",
        "transfers",
        status=409,
        body={"status": 409, "code": "conflict", "detail": "The unit is reserved for a request."},
    )
    form = {"transfer-din": "T1", "transfer-to_site": "2"}
    assert "The unit is reserved for a request." in staff.post("/staff/inventory/", form).content.decode()
    assert fake_api.last_json("POST", "transfers") == {"unit": 4, "to_site": 2}
    fake_api.on("POST", "transfers", status=201, body={"id": 6})
    assert staff.post("/staff/inventory/", form)["Location"] == "/staff/inventory/"
    html = staff.post("/staff/inventory/", {"transfer-din": "T1", "transfer-to_site": "1"}).content.decode()
    assert 'id="id_transfer-to_site_error"' in html


def test_a_transfer_names_one_available_unit_of_this_bank(staff, fake_api):
    inventory_api(fake_api)
    fake_api.on("POST", "transfers", status=201, body={"id": 6})
    prc = {**UNIT, "site": 1, "state": "available"}
    ffp = {**prc, "id": 5, "component": "FFP"}
    elsewhere = {**prc, "id": 8, "component": "TC", "site": 2}
    fake_api.on("GET", r"units/din/.*", body=[prc, ffp, elsewhere])
    posts = len([r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("/transfers")])
    html = staff.post("/staff/inventory/", {"transfer-din": "T1", "transfer-to_site": "2"}).content.decode()
    assert 'id="id_transfer-component_error"' in html and "choose the component" in html
    html = staff.post(
        "/staff/inventory/", {"transfer-din": "T1", "transfer-component": "TC", "transfer-to_site": "2"}
    ).content.decode()
    assert "No available unit with this DIN at your blood bank." in html
    assert len([r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("/transfers")]) == posts
    form = {"transfer-din": "T1", "transfer-component": "FFP", "transfer-to_site": "2"}
    assert staff.post("/staff/inventory/", form)["Location"] == "/staff/inventory/"
    assert fake_api.last_json("POST", "transfers") == {"unit": 5, "to_site": 2}


def test_staff_receive_an_incoming_transfer(staff, fake_api):
    incoming = {
        "id": 6,
        "unit": UNIT,
        "from_site": 2,
        "from_site_name": "UDD Bandung",
        "to_site": 1,
        "to_site_name": "UDD Jakarta",
        "status": "in_transit",
        "sent_at": "2036-01-01T01:00:00Z",
        "received_at": None,
    }
    done = {**incoming, "id": 7, "status": "received"}
    inventory_api(fake_api, [incoming, done])
    html = staff.get("/staff/inventory/").content.decode()
    assert "UDD Bandung" in html and html.count(UNIT["din"]) >= 1  # what is on its way, listed
    assert fake_api.last("GET", "transfers").url.params["status"] == "in_transit"
    # Booked in by scanning the bag's label: test_unit_pages.py.


REASONS = [
    {"code": "low_hb", "name": "Low haemoglobin", "permanent": False, "default_days": 90},
    {"code": "hiv", "name": "HIV reactive", "permanent": True, "default_days": 0},
]


def test_check_in_list_links_to_recording_a_deferral(staff, fake_api):
    fake_api.on("GET", r"drives/5", body={"id": 5, "name": "Drive", "date": "2036-01-01"})
    rows = [{**APPOINTMENTS[0], "donor": 11}, {**APPOINTMENTS[1], "donor": 12, "status": "donated"}]
    fake_api.on("GET", r"drives/5/appointments", body={"count": 2, "results": rows})
    html = staff.get("/staff/drives/5/").content.decode()
    assert 'href="/staff/donors/11/deferral/?back=%2Fstaff%2Fdrives%2F5%2F&amp;name=Ani+Lestari"' in html
    assert "/staff/donors/12/deferral/" not in html  # already donated


def test_staff_record_a_deferral_with_field_errors_then_back_to_the_list(staff, fake_api):
    fake_api.on("GET", "deferral-reasons", body=REASONS)
    fake_api.on("GET", r"donors/11/deferrals", body=[])
    html = staff.get("/staff/donors/11/deferral/?back=/staff/drives/5/&name=Ani").content.decode()
    assert '<label for="id_reason_code">' in html and "HIV reactive · permanent" in html
    assert 'name="back" value="/staff/drives/5/"' in html
    fake_api.on(
        "POST",
        r"donors/11/deferrals",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input.",
            "fields": {"ends_on": ["Ends before it starts."]},
        },
    )
    form = {
        "reason_code": "low_hb",
        "starts_on": "2036-01-02",
        "ends_on": "2036-01-01",
        "note": "Hb 11.9",
        "back": "/staff/drives/5/",
    }
    html = staff.post("/staff/donors/11/deferral/", form).content.decode()
    assert '<p class="error" id="id_ends_on_error">Ends before it starts.</p>' in html and "Hb 11.9" in html
    assert fake_api.last_json("POST", "donors/11/deferrals") == {
        "reason_code": "low_hb",
        "starts_on": "2036-01-02",
        "ends_on": "2036-01-01",
        "note": "Hb 11.9",
    }
    fake_api.on("POST", r"donors/11/deferrals", status=201, body={"id": 1})
    assert staff.post("/staff/donors/11/deferral/", {**form, "ends_on": ""})["Location"] == "/staff/drives/5/"
    assert "ends_on" not in fake_api.last_json("POST", "donors/11/deferrals")
    evil = {**form, "back": "https://evil.example/"}
    assert staff.post("/staff/donors/11/deferral/", evil)["Location"] == "/staff/donors/11/deferral/"


REGISTER = [
    {
        "id": 31,
        "reason_code": "tattoo-piercing",
        "reason": "Tattoo or piercing",
        "permanent": False,
        "starts_on": "2026-01-05",
        "ends_on": "2099-07-05",
        "note": "new tattoo, left arm",
        "lifted_at": None,
        "lift_reason": "",
        "recorded_by_name": "Sari Wulandari",
        "lifted_by_name": None,
    },
    {
        "id": 30,
        "reason_code": "tti-reactive",
        "reason": "Reactive infection screen",
        "permanent": True,
        "starts_on": "2025-03-01",
        "ends_on": None,
        "note": "",
        "lifted_at": None,
        "lift_reason": "",
        "recorded_by_name": None,
        "lifted_by_name": None,
    },
    {
        "id": 29,
        "reason_code": "low-hemoglobin",
        "reason": "Low haemoglobin",
        "permanent": False,
        "starts_on": "2024-01-01",
        "ends_on": "2024-02-01",
        "note": "",
        "lifted_at": "2024-01-10T03:00:00Z",
        "lift_reason": "re-measured: 13.1",
        "recorded_by_name": "Sari Wulandari",
        "lifted_by_name": "Budi Hartono",
    },
]


def test_the_deferral_register_shows_what_defers_the_donor_and_offers_a_lift(staff, fake_api):
    fake_api.on("GET", "deferral-reasons", body=REASONS)
    fake_api.on("GET", r"donors/11/deferrals", body=REGISTER)
    html = staff.get("/staff/donors/11/deferral/?name=Ani").content.decode()
    assert "Deferrals · Ani" in html and "new tattoo, left arm" in html and "Recorded by Sari Wulandari" in html
    assert "Lifted by Budi Hartono" in html and "re-measured: 13.1" in html
    # Only the temporary deferral in force can be lifted; the permanent one and the lifted one cannot.
    assert 'action="/staff/donors/11/deferrals/31/lift/"' in html
    assert "/deferrals/30/lift/" not in html and "/deferrals/29/lift/" not in html
    assert html.count("in force") == 2
    fake_api.on("POST", r"donors/11/deferrals/31/lift", body={**REGISTER[0], "lifted_at": "2026-12-07T01:00:00Z"})
    response = staff.post("/staff/donors/11/deferrals/31/lift/", {"reason": "wrong donor", "name": "Ani"})
    assert response["Location"] == "/staff/donors/11/deferral/?name=Ani"
    assert fake_api.last_json("POST", "donors/11/deferrals/31/lift") == {"reason": "wrong donor"}
    # No reason: nothing sent; the api's refusal (a permanent deferral) is shown.
    sent = len([r for r in fake_api.requests if r.url.path.endswith("/lift")])
    staff.post("/staff/donors/11/deferrals/31/lift/", {"reason": ""})
    assert len([r for r in fake_api.requests if r.url.path.endswith("/lift")]) == sent
    fake_api.on(
        "POST",
        r"donors/11/deferrals/30/lift",
        status=409,
        body={"status": 409, "code": "deferral_permanent", "detail": "A permanent deferral cannot be lifted here."},
    )
    html = staff.post("/staff/donors/11/deferrals/30/lift/", {"reason": "x"}, follow=True).content.decode()
    assert "A permanent deferral cannot be lifted here." in html


def test_staff_dispatch_a_unit_another_bank_reserved(staff, fake_api):
    asked = {
        "id": 8,
        "unit": UNIT,
        "from_site": 1,
        "from_site_name": "UDD Jakarta",
        "to_site": 2,
        "to_site_name": "UDD Bandung",
        "status": "requested",
        "requested_at": "2036-01-01T01:00:00Z",
        "sent_at": None,
        "received_at": None,
    }
    theirs = {**asked, "id": 9, "from_site": 2, "from_site_name": "UDD Bandung", "to_site": 1}
    inventory_api(fake_api, [asked, theirs])
    html = staff.get("/staff/inventory/").content.decode()
    # Only what this bank holds can be sent from here; what it asked of others is listed, not sent.
    assert 'action="/staff/transfers/8/dispatch/"' in html and "/staff/transfers/9/dispatch/" not in html
    assert "UDD Bandung" in html
    fake_api.on("POST", r"transfers/8/dispatch", body={**asked, "status": "in_transit"})
    assert staff.post("/staff/transfers/8/dispatch/")["Location"] == "/staff/inventory/"
    assert fake_api.last("POST", "transfers/8/dispatch")


def test_the_request_page_shows_an_override_with_who_and_why(staff, fake_api):
    allocation = {
        "id": 5,
        "unit": 11,
        "din": "T1",
        "abo": "A",
        "rhd": "+",
        "component": "PRC",
        "status": "reserved",
        "override_reason": "massive haemorrhage, no A- in stock",
        "override_acknowledged": True,
        "reserved_by_name": "Sari Wulandari",
        "transfer_status": None,
    }
    body = {
        "id": 3,
        "hospital": {"name": "RSCM"},
        "target_bank": {"name": "UDD Jakarta"},
        "units": 1,
        "component": "PRC",
        "patient_abo": "A",
        "patient_rhd": "-",
        "urgency": "emergency",
        "needed_by": "2036-01-01T12:00:00Z",
        "status": "allocated",
        "allocations": [allocation],
    }
    request_api(fake_api, body, proposal=[])
    html = staff.get("/requests/3/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Compatibility override" in html and "massive haemorrhage, no A- in stock" in html
    assert "by Sari Wulandari" in html and "acknowledged for a woman of childbearing potential" in html


WORK = [
    {
        "id": 8,
        "din": "T999926000008",
        "donor_number": "D0002",
        "donation_type": "whole_blood",
        "collected_at": "2036-01-01T01:00:00Z",
        "site_name": "UDD Jakarta",
        "steps": ["typing", "screen:hiv", "repeat:hcv", "separation"],
        "separate_by": "2036-01-01T09:00:00Z",
        "late": False,
    }
]


EN_WORDS = ["Lab worklist", "ABO/RhD typing", "HIV screen", "HCV repeat (in duplicate)", "separation", "Separate by"]
ID_WORDS = ["Daftar kerja laboratorium", "Uji golongan ABO/RhD", "Uji saring HIV", "Ulang HCV (duplo)", "pemisahan"]


@pytest.mark.parametrize(("language", "words"), [("en", EN_WORDS), ("id", [*ID_WORDS, "Pisahkan sebelum"])])
def test_the_lab_worklist_says_what_each_donation_needs(staff, fake_api, language, words):
    fake_api.on("GET", "donations/worklist", body=WORK)
    staff.cookies["dblood_language"] = language
    html = staff.get("/staff/lab/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for word in words:
        assert word in html, word
    assert 'href="/staff/donations/8/"' in html
    assert "screen:hiv" not in html and "repeat:hcv" not in html  # no raw code on the page


def _today_drive(fake_api, day=None):
    from django.utils import timezone

    drive = {"id": 5, "name": "Donor Darah Balai Kota", "date": day or timezone.localdate().isoformat()}
    fake_api.on("GET", r"drives/5", body=drive)
    fake_api.on("GET", r"drives/5/appointments", body={"count": 0, "results": []})
    return drive


def test_a_walk_in_of_a_known_donor_is_checked_in_then_on_to_the_donation(staff, fake_api):
    _today_drive(fake_api)
    assert 'href="/staff/drives/5/walk-in/"' in staff.get("/staff/drives/5/").content.decode()
    html = staff.get("/staff/drives/5/walk-in/").content.decode()
    assert '<label for="id_donor_number">' in html and '<option value="" selected>' in html  # no type chosen
    fake_api.on("POST", r"drives/5/walk-ins", status=201, body={"id": 77, "status": "checked_in"})
    form = {"donor_number": "D0123456789", "birth_date": "1990-04-01", "donation_type": "whole_blood"}
    response = staff.post("/staff/drives/5/walk-in/", form)
    assert response["Location"] == "/staff/appointments/77/donation/"
    assert fake_api.last_json("POST", "drives/5/walk-ins") == form


def test_a_walk_in_refused_by_the_api_says_why_beside_the_field(staff, fake_api):
    _today_drive(fake_api)
    fake_api.on(
        "POST",
        r"drives/5/walk-ins",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input.",
            "fields": {"donor_number": ["No donor matches this donor number and birth date."]},
        },
    )
    form = {"donor_number": "D0123456789", "birth_date": "1990-04-02", "donation_type": "whole_blood"}
    html = staff.post("/staff/drives/5/walk-in/", form).content.decode()
    assert 'id="id_donor_number_error"' in html and "No donor matches" in html
    # Neither a number nor an e-mail, or no donation type: refused here, nothing sent.
    sent = len([r for r in fake_api.requests if r.url.path.endswith("/walk-ins")])
    html = staff.post("/staff/drives/5/walk-in/", {"donation_type": "whole_blood"}).content.decode()
    assert "Give the donor number, or the e-mail of a new donor." in html
    html = staff.post("/staff/drives/5/walk-in/", {"donor_number": "D1", "birth_date": "1990-04-01"}).content.decode()
    assert 'id="id_donation_type_error"' in html
    assert len([r for r in fake_api.requests if r.url.path.endswith("/walk-ins")]) == sent


def test_a_new_walk_in_donor_sends_what_the_desk_recorded(staff, fake_api):
    _today_drive(fake_api)
    fake_api.on("POST", r"drives/5/walk-ins", status=201, body={"id": 78})
    form = {
        "email": "Rina@Example.org",
        "full_name": "Rina Kusuma",
        "birth_date": "2001-09-09",
        "sex": "F",
        "weight_kg": "54.5",
        "donation_type": "whole_blood",
    }
    assert staff.post("/staff/drives/5/walk-in/", form)["Location"] == "/staff/appointments/78/donation/"
    assert fake_api.last_json("POST", "drives/5/walk-ins") == form  # the api normalises the e-mail


def test_walk_ins_are_offered_only_on_the_drives_day(staff, fake_api):
    _today_drive(fake_api, day="2036-01-01")
    assert "/walk-in/" not in staff.get("/staff/drives/5/").content.decode()
    html = staff.get("/staff/drives/5/walk-in/").content.decode()
    assert "Walk-ins are registered on the day of the drive." in html and 'name="donor_number"' not in html


ISSUED = {
    **REQUEST,
    "status": "issued",
    "allocations": [{**REQUEST["allocations"][0], "status": "issued", "unit_state": "issued", "outcome": None}],
}


def test_the_hospital_returns_an_unused_unit_with_what_the_bank_must_know(hospital, fake_api):
    request_api(fake_api, ISSUED)
    html = hospital.get("/requests/3/").content.decode()
    assert 'action="/hospital/requests/3/return/"' in html and "Not used: return it to the blood bank" in html
    assert 'name="validated_box"' in html and '<option value="" selected>' in html  # the box is asked, never assumed
    fake_api.on("POST", "returns", status=201, body={"id": 40})
    form = {"unit": "11", "left_storage_at": "2036-01-01T10:15", "temperature_c": "6.5", "validated_box": "false"}
    assert hospital.post("/hospital/requests/3/return/", form)["Location"] == "/requests/3/"
    assert fake_api.last_json("POST", "returns") == {
        "unit": 11,
        "left_storage_at": "2036-01-01T10:15:00+07:00",  # typed in Jakarta time
        "temperature_c": "6.5",
        "validated_box": False,
    }
    sent = len([r for r in fake_api.requests if r.url.path == "/api/v1/returns"])
    hospital.post("/hospital/requests/3/return/", {**form, "validated_box": ""})  # not answered: nothing sent
    assert len([r for r in fake_api.requests if r.url.path == "/api/v1/returns"]) == sent
    fake_api.on(
        "POST",
        "returns",
        status=409,
        body={"status": 409, "code": "not_returnable", "detail": "This unit was recorded as transfused."},
    )
    html = hospital.post("/hospital/requests/3/return/", form, follow=True).content.decode()
    assert "This unit was recorded as transfused." in html


RETURNS = [
    {
        "id": 40,
        "unit": 11,
        "din": "G1234360000011",
        "component": "PRC",
        "state": "quarantined",
        "returned_at": "2036-01-01T04:00:00Z",
        "minutes_out": 20,
        "temperature_c": "6.5",
        "validated_box": False,
        "within_limits": True,
        "problems": [],
        "decision": "",
        "decided_at": None,
        "note": "",
    },
    {
        "id": 41,
        "unit": 12,
        "din": "G1234360000012",
        "component": "PRC",
        "state": "quarantined",
        "returned_at": "2036-01-01T05:00:00Z",
        "minutes_out": 95,
        "temperature_c": "14.0",
        "validated_box": False,
        "within_limits": False,
        "problems": ["Out of controlled storage for more than 30 minutes."],
        "decision": "",
        "decided_at": None,
        "note": "",
    },
    {
        "id": 39,
        "unit": 9,
        "din": "G1234360000009",
        "component": "PRC",
        "state": "available",
        "returned_at": "2035-12-30T05:00:00Z",
        "minutes_out": 10,
        "temperature_c": "4.0",
        "validated_box": True,
        "within_limits": True,
        "problems": [],
        "decision": "restocked",
        "decided_at": "2035-12-30T06:00:00Z",
        "note": "",
    },
]


def test_the_bank_inspects_each_return_and_decides(staff, fake_api):
    fake_api.on("GET", "returns", body={"count": 3, "results": RETURNS})
    html = staff.get("/staff/returns/").content.decode()
    pending = html.split("Awaiting inspection")[1].split("Decided lately")[0]
    assert "G1234360000011" in pending and "G1234360000012" in pending and "G1234360000009" not in pending
    assert "Out of controlled storage for more than 30 minutes." in pending
    # Restocking is offered only within the limits; the seal and the decision are asked, never assumed.
    first, second = pending.split('id="return-41"')
    assert 'value="restocked"' in first and 'value="restocked"' not in second
    assert "selected" not in pending.replace('<option value="" selected>', "")
    fake_api.on("POST", r"returns/40/decide", body=RETURNS[0])
    form = {"seal_intact": "true", "decision": "restocked", "note": ""}
    assert staff.post("/staff/returns/40/decide/", form)["Location"] == "/staff/returns/"
    assert fake_api.last_json("POST", "returns/40/decide") == {"seal_intact": True, "decision": "restocked", "note": ""}
    sent = len([r for r in fake_api.requests if r.url.path.endswith("/decide")])
    staff.post("/staff/returns/40/decide/", {"decision": "restocked"})  # the seal not recorded: nothing sent
    assert len([r for r in fake_api.requests if r.url.path.endswith("/decide")]) == sent
    fake_api.on(
        "POST",
        r"returns/41/decide",
        status=409,
        body={"status": 409, "code": "return_not_restockable", "detail": "Out of controlled storage too long."},
    )
    html = staff.post("/staff/returns/41/decide/", form, follow=True).content.decode()
    assert "Out of controlled storage too long." in html


def test_returns_in_indonesian(client, fake_api):
    staff = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    fake_api.on("GET", "returns", body={"count": 3, "results": RETURNS})
    html = staff.get("/staff/returns/").content.decode()
    for word in ("Kantong yang dikembalikan", "Menunggu pemeriksaan", "Kembalikan ke stok", "Apakah segel utuh?"):
        assert word in html, word
    assert "Awaiting inspection" not in html and "Put back into stock" not in html


@pytest.mark.parametrize("action", ["check-in", "no-show"])
def test_check_in_and_no_show_go_back_to_this_site_only(staff, fake_api, action):
    fake_api.on("POST", rf"appointments/1/{action}", body={"id": 1})
    back = "/staff/drives/5/?q=ani"
    assert staff.post(f"/staff/appointments/1/{action}/", {"back": back})["Location"] == back
    for elsewhere in ("https://evil.example/", "//evil.example/staff/", "javascript:alert(1)"):
        response = staff.post(f"/staff/appointments/1/{action}/", {"back": elsewhere})
        assert response["Location"] == "/staff/"


def test_a_drive_the_api_refuses_with_a_conflict_is_explained_on_the_form(staff, fake_api):
    """A 409 (the state of the record, e.g. the same drive already published) is the clerk's to fix:
    on the form with what was typed, not the error page."""
    fake_api.on(
        "POST",
        r"drives",
        status=409,
        body={"status": 409, "code": "conflict", "detail": "A drive with this name is already on that day."},
    )
    form = {
        "name": "Donor day",
        "date": "2036-01-01",
        "start_time": "08:00",
        "end_time": "12:00",
        "slot_minutes": "30",
        "capacity_per_slot": "4",
    }
    response = staff.post("/staff/drives/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "A drive with this name is already on that day." in html and 'value="Donor day"' in html

"""The NIK on the donor's profile, the desk's identity check, and the duplicates page with its
merge and undo; the api faked at the HTTP layer."""

import pytest
from django.utils import timezone
from test_staff_pages import STAFF, log_in_as
from webfakes import staff_home_reads

NIK = "3174011501950001"
DONOR = {
    "id": 1,
    "donor_number": "D0000000123",
    "blood_group": "",
    "group_confirmed": False,
    "nik": NIK,
    "nik_masked": "3174********0001",
    "nik_verified": False,
    "notify_channels": [],
}


@pytest.fixture
def staff(client, fake_api):
    staff_home_reads(fake_api)
    return log_in_as(client, fake_api, STAFF)


def _record(pk, number, name="Siti Nurhaliza", donations=0):
    return {
        "id": pk,
        "donor_number": number,
        "full_name": name,
        "birth_date": "1990-05-01",
        "sex": "F",
        "nik_masked": "",
        "nik_verified": False,
        "donations": donations,
        "created_at": "2026-11-01T01:00:00Z",
    }


PAIR = {
    "id": 4,
    "first": _record(10, "D0000000010", donations=3),
    "second": _record(11, "D0000000011", "Siti Nurhalisa"),
    "reason": "name",
    "score": 95,
    "found_via": "walk_in",
    "found_at": "2026-12-01T01:00:00Z",
}
MERGE = {
    "id": 8,
    "survivor": _record(10, "D0000000010"),
    "merged": _record(11, "D0000000011"),
    "by_name": "Staff A",
    "at": "2026-12-01T02:00:00Z",
    "moved": {"donations.Donation.donor": 1},
    "undone_at": None,
    "undone_by_name": None,
}


def test_the_profile_shows_the_nik_masked_and_never_puts_it_back_into_the_form(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body=DONOR)
    html = signed_in.get("/me/").content.decode()
    assert "3174********0001" in html and "not yet verified" in html
    assert f'value="{NIK}"' not in html  # the input stays empty: masked after saving
    assert f'<span id="nik-full">{NIK}</span>' in html  # in full on the donor's own page, on request
    fake_api.on("PATCH", "donors/me", body=DONOR)
    signed_in.post("/me/", {"nik": "3174 0115 0195 0001"})
    assert fake_api.last_json("PATCH", "donors/me")["nik"] == "3174 0115 0195 0001"
    signed_in.post("/me/", {"city": "Depok"})
    assert "nik" not in fake_api.last_json("PATCH", "donors/me")  # an empty box does not remove it


def test_a_refused_nik_is_explained_beside_the_field(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body={**DONOR, "nik": "", "nik_masked": ""})
    fake_api.on(
        "PATCH",
        "donors/me",
        status=400,
        body={"status": 400, "code": "invalid", "detail": "Invalid input.", "fields": {"nik": ["A NIK is 16 digits."]}},
    )
    html = signed_in.post("/me/", {"nik": "123"}).content.decode()
    assert '<p class="error" id="id_nik_error">A NIK is 16 digits.</p>' in html


def test_the_desk_sees_the_nik_in_full_and_verifies_it(staff, fake_api):
    identity = {
        "donor": 1,
        "donor_number": "D0000000123",
        "nik": NIK,
        "nik_verified_at": None,
        "nik_verified_by_name": None,
    }
    fake_api.on("GET", r"donors/1/nik", body=identity)
    html = staff.get("/staff/donors/1/nik/?name=Ani").content.decode()
    assert f'<dd id="nik-full">{NIK}</dd>' in html and "Not yet" in html
    fake_api.on(
        "POST",
        r"donors/1/nik/verify",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "x",
            "fields": {"nik": ["This is not the NIK the donor gave."]},
        },
    )
    html = staff.post("/staff/donors/1/nik/?name=Ani", {"nik": "3174011501950002"}).content.decode()
    assert "This is not the NIK the donor gave." in html
    fake_api.on("POST", r"donors/1/nik/verify", body={**identity, "nik_verified_at": "2026-12-01T01:00:00Z"})
    response = staff.post("/staff/donors/1/nik/?name=Ani", {"nik": NIK})
    assert response.status_code == 302 and fake_api.last_json("POST", "donors/1/nik/verify") == {"nik": NIK}


def test_the_duplicates_page_merges_only_after_the_confirmation_and_undoes(staff, fake_api):
    fake_api.on("GET", "donor-duplicates", body={"count": 1, "results": [PAIR]})
    fake_api.on("GET", "donor-merges", body={"count": 1, "results": [MERGE]})
    html = staff.get("/staff/duplicates/").content.decode()
    assert "Similar name (95/100), same birth date and sex" in html
    assert html.count('action="/staff/duplicates/merge/"') == 2  # either record may be kept
    assert 'action="/staff/merges/8/undo/"' in html
    fake_api.on("POST", "donor-merges", status=201, body=MERGE)
    staff.post("/staff/duplicates/merge/", {"survivor": 10, "merged": 11})  # not confirmed
    assert not [r for r in fake_api.requests if r.method == "POST" and r.url.path == "/api/v1/donor-merges"]
    staff.post("/staff/duplicates/merge/", {"survivor": 10, "merged": 11, "confirm": "on"})
    assert fake_api.last_json("POST", "donor-merges") == {"survivor": 10, "merged": 11}
    fake_api.on(
        "POST",
        r"donor-merges/8/undo",
        status=409,
        body={"status": 409, "code": "already_undone", "detail": "This merge has already been undone."},
    )
    response = staff.post("/staff/merges/8/undo/", {"confirm": "on"}, follow=True)
    assert "This merge has already been undone." in response.content.decode()


def test_a_walk_in_with_likely_duplicates_points_the_desk_to_them(staff, fake_api):
    fake_api.on("GET", r"drives/5", body={"id": 5, "name": "Drive", "date": timezone.localdate().isoformat()})
    fake_api.on(
        "POST", r"drives/5/walk-ins", status=201, body={"id": 77, "status": "checked_in", "likely_duplicates": 2}
    )
    fake_api.on("GET", r"appointments/77", body={"id": 77, "status": "checked_in"})
    form = {
        "email": "new@example.org",
        "full_name": "Siti",
        "birth_date": "1990-05-01",
        "nik": NIK,
        "donation_type": "whole_blood",
    }
    response = staff.post("/staff/drives/5/walk-in/", form)
    assert response["Location"] == "/staff/appointments/77/donation/"
    assert fake_api.last_json("POST", "drives/5/walk-ins")["nik"] == NIK
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "This donor may have 2 other records: review them on the duplicates page." in messages

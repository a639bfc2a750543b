"""Haemovigilance pages, the api faked at the HTTP layer: staff record a complication on a donation
and code donors' reports, the bank investigates reactions, the hospital reports one, a donor reports
a reaction after donating; nothing is pre-selected, in English and Indonesian."""

import re

from test_staff_pages import hospital, staff  # noqa: F401 - fixtures

DONATION = {"id": 5, "din": "W123426000042", "donor_number": "D0001", "collected_at": "2036-01-01T01:00:00Z"}
REPORT = {
    "id": 9,
    "din": "W123426000042",
    "donor_number": "D0001",
    "occurred_at": "2036-01-02T01:00:00Z",
    "donor_symptoms": ["bruise"],
    "donor_still_unwell": True,
    "donor_description": "Big bruise",
    "status": "reported",
}
REACTION = {
    "id": 4,
    "status": "under_investigation",
    "category": "trali",
    "hospital_name": "RSCM",
    "reported_at": "2036-01-02T01:00:00Z",
    "minutes_from_start": 45,
    "signs": ["hypoxaemia"],
    "units": [{"unit": 11, "din": "W123426000042", "component": "FFP", "recall": None, "deferral": None}],
}


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"[^>]*selected', html)


def test_staff_record_a_complication_with_every_answer_chosen(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "donations/5", body=DONATION)
    fake_api.on("GET", "donor-complications", body={"count": 0, "results": []})
    html = staff.get("/staff/donations/5/complication/").content.decode()
    assert 'name="category"' in html and 'name="follow_up"' in html
    assert set(_selected(html)) <= {""}  # every question starts on "Choose…"
    staff.post("/staff/donations/5/complication/", {"category": "haematoma"})
    assert not [r for r in fake_api.requests if r.method == "POST" and "donor-complications" in r.url.path]
    fake_api.on("POST", "donor-complications", status=201, body={"id": 1})
    form = {
        "category": "haematoma",
        "severity": "severe",
        "onset": "after",
        "outcome": "ongoing",
        "follow_up": "referred",
        "occurred_at": "2036-01-01T09:30",
        "note": "",
    }
    response = staff.post("/staff/donations/5/complication/", form)
    assert response.status_code == 302
    sent = fake_api.last_json("POST", "donor-complications")
    assert sent["donation"] == 5 and sent["severity"] == "severe" and sent["occurred_at"].endswith("+07:00")


def test_the_apis_refusal_is_shown_beside_the_field(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "donations/5", body=DONATION)
    fake_api.on("GET", "donor-complications", body={"count": 0, "results": []})
    error = {
        "status": 400,
        "code": "invalid",
        "detail": "x",
        "fields": {"occurred_at": ["This time is in the future."]},
    }
    fake_api.on("POST", "donor-complications", status=400, body=error)
    form = dict(category="haematoma", severity="severe", onset="after", outcome="ongoing", follow_up="referred")
    html = staff.post("/staff/donations/5/complication/", {**form, "occurred_at": "2036-01-01T09:30"}).content.decode()
    assert "This time is in the future." in html


def test_the_haemovigilance_page_codes_reports_and_concludes_reactions(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "donor-complications", body={"count": 1, "results": [REPORT]})
    fake_api.on("GET", "transfusion-reactions", body={"count": 1, "results": [REACTION]})
    fake_api.on("GET", "deferral-reasons", body=[{"code": "trali-implicated", "name": "TRALI"}])
    staff.post("/language/", {"language": "id", "next": "/staff/"})
    html = staff.get("/staff/haemovigilance/").content.decode()
    assert "Memar atau bengkak" in html and "Cedera paru akut terkait transfusi" in html
    assert set(_selected(html)) <= {""}
    fake_api.on("POST", "transfusion-reactions/4/conclude", body={})
    conclusion = {"category": "trali", "severity": "severe", "imputability": "likely", "conclusion": "HLA antibodies"}
    staff.post("/staff/reactions/4/conclude/", conclusion)
    assert fake_api.last_json("POST", "transfusion-reactions/4/conclude") == conclusion
    fake_api.on("POST", "transfusion-reactions/4/defer", body={})
    staff.post("/staff/reactions/4/defer/", {"unit": "11", "reason_code": "trali-implicated"})
    assert fake_api.last_json("POST", "transfusion-reactions/4/defer") == {
        "unit": 11,
        "reason_code": "trali-implicated",
    }
    fake_api.on("POST", "transfusion-reactions/4/lookback", body={})
    staff.post("/staff/reactions/4/lookback/", {"unit": "11"})
    assert fake_api.last_json("POST", "transfusion-reactions/4/lookback") == {"unit": 11}
    assert staff.post("/staff/reactions/4/delete/").status_code == 404
    fake_api.on("POST", "donor-complications/9/code", body={})
    staff.post("/staff/complications/9/code/", {"category": "haematoma"})  # incomplete: not sent
    assert not [r for r in fake_api.requests if r.url.path.endswith("/9/code")]


def test_the_hospital_reports_a_reaction_against_the_issued_units(hospital, fake_api):  # noqa: F811
    allocations = [{"unit": 11, "din": "W123426000042", "status": "issued"}, {"unit": 12, "status": "released"}]
    fake_api.on("GET", "requests/3", body={"id": 3, "allocations": allocations})
    fake_api.on("GET", "transfusion-reactions", body={"count": 0, "results": []})
    html = hospital.get("/hospital/requests/3/reaction/").content.decode()
    assert 'value="11"' in html and 'value="12"' not in html and set(_selected(html)) <= {""}
    fake_api.on("POST", "transfusion-reactions", status=201, body={"id": 4})
    form = {
        "units": ["11"],
        "category": "fnhtr",
        "severity": "non_severe",
        "imputability": "possible",
        "transfusion_started_at": "2036-01-01T09:00",
        "onset_at": "2036-01-01T09:45",
        "signs": ["fever", "chills"],
    }
    assert hospital.post("/hospital/requests/3/reaction/", form).status_code == 302
    sent = fake_api.last_json("POST", "transfusion-reactions")
    assert sent["units"] == [11] and sent["signs"] == ["fever", "chills"] and sent["imputability"] == "possible"


def test_a_donor_reports_a_reaction_after_donating(signed_in, fake_api):
    fake_api.on("GET", "donor-complications/mine", body={"count": 0, "results": []})
    html = signed_in.get("/me/donations/5/reaction/").content.decode()
    assert 'name="symptoms"' in html and set(_selected(html)) <= {""}
    signed_in.post("/me/donations/5/reaction/", {"symptoms": ["faint"]})  # "still unwell?" unanswered
    assert not [r for r in fake_api.requests if r.method == "POST" and "mine" in r.url.path]
    fake_api.on("POST", "donor-complications/mine", status=201, body={"id": 1})
    form = {"symptoms": ["faint"], "occurred_at": "2036-01-01T18:00", "still_unwell": "false", "description": ""}
    assert signed_in.post("/me/donations/5/reaction/", form).status_code == 302
    sent = fake_api.last_json("POST", "donor-complications/mine")
    assert sent == {
        "donation": 5,
        "symptoms": ["faint"],
        "occurred_at": "2036-01-01T18:00:00+07:00",
        "still_unwell": False,
    }

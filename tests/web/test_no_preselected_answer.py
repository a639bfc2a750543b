"""The web never answers a clinical question for anyone: every clinical choice starts on an empty
"Choose…" that is refused, no clinical field has a default, and nothing reaches the api until
someone has chosen."""

import inspect
import re

import pytest
from django import forms
from test_staff_pages import APPOINTMENTS, hospital, staff  # noqa: F401 - fixtures

from dblood_web import forms as donor_forms
from dblood_web import forms_coldchain, forms_staff

# Fields that are not a clinical answer, each with why. Everything else in the web's forms that
# offers a choice is clinical: it must start empty, with no default.
NOT_CLINICAL = {
    ("SignupForm", "language"): "the reader's language",
    ("AccountForm", "language"): "the reader's language",
    ("StockFilterForm", "component"): "a filter of the public stock, not a record",
    ("DriveSearchForm", "has_free_slots"): "a search filter",
    ("DriveSearchForm", "radius_km"): "a search filter",
    ("DonorProfileForm", "call_out_opt_in"): "consent to messages, off unless ticked",
    ("DonorProfileForm", "notify_channels"): "how the donor is told things",
    ("DriveForm", "slot_minutes"): "a drive's timetable",
    ("DriveForm", "capacity_per_slot"): "a drive's timetable",
    ("TransferForm", "component"): "which unit of a scanned DIN to send, a filter, not a clinical value",
    ("InventoryFilterForm", "state"): "a filter of the bank's own list, not a record",
    ("TransferForm", "to_site"): "a destination, not a clinical value",
    ("BloodRequestForm", "target_bank"): "where the order goes, not a clinical value",
    ("DiscardForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("IssueForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("RequestCancelForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("ExcursionCloseForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("MoveForm", "to_location"): "where a bag is put, starting at 'Choose…', not a clinical value",
    ("MergeForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("UndoMergeForm", "confirm"): "required: an unticked box is refused, never read as an answer",
    ("OverrideForm", "override_acknowledged"): "unticked is the safe side: the api refuses the override without it",
    ("OverrideForm", "component"): "which unit of a scanned DIN, a filter, not a clinical value",
}


def _forms():
    for module in (donor_forms, forms_staff, forms_coldchain):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.Form) and cls.__module__ == module.__name__:
                yield name, cls


def test_every_clinical_choice_starts_empty_and_nothing_clinical_has_a_default():
    problems, seen = [], set()
    for form_name, cls in _forms():
        for field_name, field in cls.base_fields.items():
            key = (form_name, field_name)
            if key in NOT_CLINICAL:
                seen.add(key)
                continue
            if isinstance(field, forms.BooleanField):
                problems.append(f"{form_name}.{field_name}: a checkbox says 'no' when nobody answered")
            if field.initial not in (None, "", []):
                problems.append(f"{form_name}.{field_name}: default {field.initial!r}")
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
                choices = list(field.choices)
                if choices and choices[0][0] != "":
                    problems.append(f"{form_name}.{field_name}: first choice {choices[0][0]!r}, not an empty choose")
    assert not problems, "\n".join(problems)
    assert seen == set(NOT_CLINICAL), f"stale NOT_CLINICAL entries: {set(NOT_CLINICAL) - seen}"


def _selected(html: str) -> list[str]:
    """The value of every option rendered as selected."""
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', html)


LAB = {
    "id": 8,
    "din": "T999926000008",
    "status": "in_testing",
    "screening": {"hiv": "pending"},
    "release_blockers": ["hiv pending"],
    "units": [],
}


def test_the_lab_page_preselects_nothing_and_refuses_a_result_nobody_chose(staff, fake_api):  # noqa: F811
    fake_api.on("GET", r"donations/8", body=LAB)
    html = staff.get("/staff/donations/8/").content.decode()
    assert set(_selected(html)) <= {""}, _selected(html)
    assert "checked" not in html  # no component ticked for the clerk
    for step, body in [
        ("typing", {"typing-abo": "O"}),
        ("screening", {"screening-test": "hiv"}),
        ("screening", {"screening-test": "hiv", "screening-reactive": ""}),
        ("components", {}),
    ]:
        staff.post("/staff/donations/8/", {"step": step, **body})
    assert not [r for r in fake_api.requests if r.method == "POST" and "donations/8" in r.url.path]


def test_a_donation_record_needs_its_outcome_and_volume_chosen(staff, fake_api):  # noqa: F811
    fake_api.on("GET", r"appointments/2", body={**APPOINTMENTS[1], "donation_type": "whole_blood"})
    html = staff.get("/staff/appointments/2/donation/").content.decode()
    assert set(_selected(html)) <= {""} and 'value="450"' not in html
    staff.post("/staff/appointments/2/donation/", {"volume_ml": "450", "hemoglobin_g_dl": "13.5"})
    assert not [r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("donations")]


def test_a_hospital_request_states_the_patient_and_is_refused_until_it_does(hospital, fake_api):  # noqa: F811
    fake_api.on("GET", "sites", body={"count": 1, "results": [{"id": 1, "name": "UDD Jakarta"}]})
    fake_api.on("GET", "requests", body={"count": 0, "results": []})
    html = hospital.get("/hospital/requests/").content.decode()
    assert set(_selected(html)) <= {"", "1"}  # only the one blood bank there is
    form = {
        "target_bank": "1",
        "patient_abo": "A",
        "patient_rhd": "+",
        "component": "PRC",
        "units": "1",
        "urgency": "routine",
        "needed_by": "2036-01-01T12:00",
    }
    html = hospital.post("/hospital/requests/", form).content.decode()
    assert 'id="id_patient_female_cbp_error"' in html
    assert not [r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("requests")]


def test_an_outcome_is_asked_not_assumed(hospital, fake_api):  # noqa: F811
    allocation = {"id": 5, "unit": 11, "din": "T1", "abo": "A", "rhd": "+", "component": "PRC", "status": "issued"}
    fake_api.on(
        "GET",
        r"requests/3",
        body={
            "id": 3,
            "hospital": {"name": "RSCM"},
            "target_bank": {"name": "UDD Jakarta"},
            "units": 1,
            "component": "PRC",
            "patient_abo": "A",
            "patient_rhd": "+",
            "urgency": "routine",
            "needed_by": "2036-01-01T12:00:00Z",
            "status": "issued",
            "allocations": [allocation],
        },
    )
    fake_api.on("GET", "call-outs", body={"count": 0, "results": []})
    html = hospital.get("/requests/3/").content.decode()
    assert 'name="transfused"' in html and 'name="validated_box"' in html
    assert set(_selected(html)) == {""}  # the outcome and the return's box: both start on "Choose…"
    hospital.post("/hospital/requests/3/outcome/", {"unit": "11", "reaction": ""})
    assert not [r for r in fake_api.requests if r.method == "POST" and "outcome" in r.url.path]


@pytest.mark.parametrize("types", [["whole_blood"], ["whole_blood", "apheresis_platelets"]])
def test_booking_asks_the_donation_type_even_when_there_is_one(signed_in, fake_api, types):
    drive = {
        "id": 3,
        "name": "Donor day",
        "date": "2036-01-01",
        "donation_types": types,
        "slots": [{"id": 31, "starts_at": "2036-01-01T01:00:00Z", "ends_at": "2036-01-01T01:30:00Z", "free": 2}],
    }
    fake_api.on("GET", "drives", body={"count": 1, "results": [drive]})
    html = signed_in.get("/drives/").content.decode()
    assert 'name="donation_type"' in html and 'type="hidden" name="donation_type"' not in html
    assert _selected(html) == [""]
    response = signed_in.post("/me/appointments/book/", {"slot": "31"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose the type of donation." in response.content.decode()
    assert not [r for r in fake_api.requests if r.method == "POST" and r.url.path.endswith("appointments")]

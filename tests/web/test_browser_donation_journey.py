"""The larger journeys: a donor books and answers the questions in the browser; staff check them
in, record the donation and the lab releases the units (through the api: those staff pages do not
exist yet); the public dashboard shows the units; a hospital's request is allocated and issued and
the donor sees where the blood went; an emergency call-out that another donor answers."""

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from browser import ApiUser, manage
from playwright.sync_api import expect
from test_browser_journeys import sign_up

pytestmark = pytest.mark.browser
JAKARTA = ZoneInfo("Asia/Jakarta")


def make_drive(staff: ApiUser, name: str) -> dict:
    bank = staff.user["memberships"][0]["site_id"]
    now = datetime.now(JAKARTA)
    start = max(now + timedelta(minutes=30), now.replace(hour=0, minute=0, second=0, microsecond=0))
    return staff.call(
        "POST",
        "drives",
        {
            "organiser": bank,
            "site": bank,
            "name": name,
            "date": now.date().isoformat(),
            "start_time": start.strftime("%H:00"),
            "end_time": "23:59" if start.hour < 23 else "23:59",
            "slot_minutes": 30,
            "capacity_per_slot": 4,
            "donation_types": ["whole_blood"],
        },
        expect=201,
    )


def fill_donor_profile(page, *, call_outs: bool = False) -> None:
    """What eligibility needs (age, sex, weight), typed on the donor's profile page."""
    page.goto(page.base + "/me/")
    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Weight (kg)").fill("60")
    if call_outs:
        page.get_by_label("Tell me when a patient nearby needs my blood group").check()
        page.get_by_label("How far I can travel (km)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your donor profile has been saved.")


def answer_questions_safely(page, staff: ApiUser) -> None:
    """Tick, for every question, the answer that does not defer (the api says which does)."""
    for question in staff.call("GET", "questionnaire")["questions"]:
        safe = "no" if question.get("defer_if", True) else "yes"
        page.locator(f"#q-{question['code']} input[value={safe}]").check()
    page.get_by_role("button", name="Send my answers").click()


def record_and_release(staff: ApiUser, appointment_id: int, abo: str, rhd: str) -> dict:
    staff.call("POST", f"appointments/{appointment_id}/check-in")
    vitals = {"bp_systolic": 120, "bp_diastolic": 80, "pulse": 72, "temperature_c": "36.6"}
    donation = staff.call(
        "POST",
        "donations",
        {"appointment": appointment_id, "volume_ml": 450, "hemoglobin_g_dl": "13.8", **vitals},
        expect=201,
    )
    staff.call("POST", f"donations/{donation['id']}/typing", {"abo": abo, "rhd": rhd})
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        staff.call("POST", f"donations/{donation['id']}/screening", {"test": test, "reactive": False})
    staff.call("POST", f"donations/{donation['id']}/components", {"components": [{"component": "PRC"}]})
    return donation


def test_donate_release_dashboard_issue_and_where_my_blood_went(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")

    # The donor finds the drive, books the first time and answers the health questions.
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    email = f"donor-{uuid.uuid4().hex[:8]}@example.org"
    sign_up(page, email, "a-strong-pass-2026")
    fill_donor_profile(page)
    page.goto(page.base + "/drives/")
    card = page.locator(".card", has_text=drive["name"])
    card.get_by_role("button", name=re.compile(r"^Book")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health questions")
    answer_questions_safely(page, staff)
    expect(page.get_by_text("Health questions answered.")).to_be_visible()
    appointment_id = int(page.locator(".card").first.get_attribute("id").split("-")[1])
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_have_attribute(
        "href", f"/me/appointments/{appointment_id}.ics"
    )

    # Staff check in and record; the lab types, screens and separates: the unit is released.
    record_and_release(staff, appointment_id, "O", "-")

    # The public dashboard shows the released unit in its blood bank's O- cell.
    page.goto(page.base + "/?component=PRC")
    bank_name = staff.user["memberships"][0]["site_name"]
    row = page.locator("table.stock tr", has_text=bank_name)
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^1\b"))  # columns: O+, O-, ...
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A hospital asks for O- red cells; the blood bank allocates and issues them.
    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    needed_by = (datetime.now(JAKARTA) + timedelta(hours=6)).isoformat()
    request = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": staff.user["memberships"][0]["site_id"],
            "patient_abo": "O",
            "patient_rhd": "-",
            "component": "PRC",
            "units": 1,
            "needed_by": needed_by,
        },
        expect=201,
    )
    staff.call("POST", f"requests/{request['id']}/allocate")
    staff.call("POST", f"requests/{request['id']}/issue", {})

    # The donor sees where the blood went.
    page.goto(page.base + "/me/donations/")
    hospital_name = hospital.user["memberships"][0]["site_name"]
    expect(page.locator(".where")).to_contain_text(f"given to a patient at {hospital_name}")


def test_emergency_call_out_answered_by_a_donor(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    email, password = f"hero-{uuid.uuid4().hex[:8]}@example.org", "a-strong-pass-2026"
    sign_up(page, email, password)

    # The donor opts in to call-outs on their profile; group and home come through the api
    # (the lab confirms a group; a first-time donor may state it).
    fill_donor_profile(page, call_outs=True)
    bank = staff.call("GET", f"sites/{staff.user['memberships'][0]['site_id']}")
    donor = ApiUser(live_stack["api"], email, password)
    near_the_bank = {"latitude": bank["latitude"] + 0.01, "longitude": bank["longitude"]}
    donor.call("PATCH", "donors/me", {"abo": "A", "rhd": "+", **near_the_bank})

    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    request = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": bank["id"],
            "patient_abo": "A",
            "patient_rhd": "+",
            "component": "PRC",
            "units": 2,
            "urgency": "emergency",
            "needed_by": (datetime.now(JAKARTA) + timedelta(hours=4)).isoformat(),
        },
        expect=201,
    )
    staff.call("POST", f"requests/{request['id']}/call-outs", {"radius_km": 50}, expect=201)
    manage(live_stack["pg"], "run_due_work")  # the worker sends the first batch

    page.goto(page.base + "/me/notifications/")
    page.get_by_role("link", name="Answer").first.click()
    card = page.locator(".card", has_text=bank["name"])
    card.get_by_role("button", name="I am coming").click()
    expect(page.get_by_role("status")).to_contain_text("The blood bank expects you.")
    expect(card.locator(".my-answer")).to_contain_text("I am coming")

"""The larger journeys: a donor books and answers the questions in the browser; staff check them
in, record the donation and the lab releases the units (through the api: those staff pages do not
exist yet); the public dashboard shows the units; a hospital's request is allocated and issued and
the donor sees where the blood went; an emergency call-out that another donor answers.

Staff and the hospital use their own web pages in their own browsers; only the drive is made
through the api."""

import re
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as dt_time
from zoneinfo import ZoneInfo

import pytest
from browser import ApiUser, check_label_in_browser, manage
from playwright.sync_api import expect
from test_browser_journeys import sign_up

pytestmark = pytest.mark.browser
JAKARTA = ZoneInfo("Asia/Jakarta")


def make_drive(staff: ApiUser, name: str) -> dict:
    """A drive today (check-in is on the drive's day) whose slots all start a few minutes from now.

    Late in the evening little of the day is left: the slots shrink to fit before 23:59, and in the
    last 20 minutes before midnight the test waits for the next day (a fixed next full hour had no
    bookable slot at all from 23:00 in Jakarta, so these journeys failed for an hour every day).
    """
    bank = staff.user["memberships"][0]["site_id"]
    now = datetime.now(JAKARTA)
    midnight = datetime.combine(now.date() + timedelta(days=1), dt_time.min, tzinfo=JAKARTA)
    if midnight - now < timedelta(minutes=20):
        time.sleep((midnight - now).total_seconds() + 1)
        now = datetime.now(JAKARTA)
        midnight = datetime.combine(now.date() + timedelta(days=1), dt_time.min, tzinfo=JAKARTA)
    start = (now + timedelta(minutes=2)).replace(second=0, microsecond=0)
    start += timedelta(minutes=-start.minute % 5)
    minutes_left = int((midnight - timedelta(minutes=1) - start).total_seconds() // 60)  # until 23:59
    slot_minutes = min(30, minutes_left // 5 * 5)
    return staff.call(
        "POST",
        "drives",
        {
            "organiser": bank,
            "site": bank,
            "name": name,
            "date": now.date().isoformat(),
            "start_time": f"{start:%H:%M}",
            "end_time": "23:59",
            "slot_minutes": slot_minutes,
            "capacity_per_slot": 4,
            "donation_types": ["whole_blood"],
        },
        expect=201,
    )


def at_home(page, latitude: float, longitude: float) -> None:
    """The browser shares this location with the site (what "near me" and "use my location" read)."""
    page.context.grant_permissions(["geolocation"], origin=page.base)
    page.context.set_geolocation({"latitude": latitude, "longitude": longitude})


def fill_donor_profile(page, *, call_outs: bool = False) -> None:
    """What eligibility needs (age, sex, weight), typed on the donor's profile page."""
    if not page.url.endswith("/me/"):
        page.goto(page.base + "/me/")
    page.get_by_label("Date of birth").fill("1990-05-01")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Weight (kg)").fill("60")
    if call_outs:
        page.get_by_label("Tell me when a patient nearby needs my blood group").check()
        page.get_by_label("How far I can travel (km)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your donor profile has been saved.")


def answer_questions_safely(page, staff: ApiUser) -> None:
    """Tick, for every question, the answer that does not defer (the api says which does)."""
    for question in staff.call("GET", "questionnaire")["questions"]:
        safe = "no" if question.get("defer_if", True) else "yes"
        page.locator(f"#q-{question['code']} input[value={safe}]").check()
    page.get_by_role("button", name="Send my answers").click()


def log_in(page, email: str, password: str = "demo-pass-2026") -> None:
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").last.click()
    expect(page).to_have_url(re.compile(r"/(home|staff|hospital|console)/$"))  # each role's home
    if page.get_by_role("button", name="English").is_enabled():  # the account speaks Indonesian
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


def staff_collect_and_release(page, drive_id: int, donor_name: str) -> None:
    """Staff at the drive: find the donor, check in, record the donation, then the lab."""
    page.goto(page.base + f"/staff/drives/{drive_id}/")
    page.get_by_label("Name or donor number").fill(donor_name.split()[0])
    page.get_by_role("button", name="Search").click()
    row = page.locator("table.checkin tbody tr", has_text=donor_name)
    row.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("Checked in.")
    page.locator("table.checkin tbody tr", has_text=donor_name).get_by_role("link", name="Record donation").click()
    page.get_by_label("Haemoglobin (g/dl)").fill("13.8")
    page.get_by_label("Blood pressure, systolic").fill("120")
    page.get_by_label("Blood pressure, diastolic").fill("80")
    page.get_by_label("Pulse").fill("72")
    page.get_by_label("Temperature (°C)").fill("36.6")
    page.get_by_label("Volume (ml)").fill("450")
    page.get_by_label("Outcome").select_option("completed")
    page.get_by_role("button", name="Save the donation").click()
    expect(page.get_by_role("status")).to_contain_text("Donation recorded: DIN")
    page.get_by_label("ABO").select_option("O")
    page.get_by_label("RhD").select_option("-")
    page.locator("form", has=page.locator("input[value=typing]")).get_by_role("button", name="Save").click()
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        page.get_by_label("Test").select_option(test)
        page.get_by_label("Result").select_option("false")
        page.locator("form", has=page.locator("input[value=screening]")).get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_contain_text("Saved.")
    page.get_by_label("Packed red cells").check()  # nothing is ticked for the clerk
    page.get_by_role("button", name="Separate").click()
    expect(page.locator("#donation-status")).to_have_text("Released")
    # Released by the lab, the bag stays in quarantine until its final label is printed and scanned.
    page.locator("li.card[id^=unit-]").get_by_role("link", name="Packed red cells").click()
    check_label_in_browser(page)
    expect(page.locator("#unit-state")).to_contain_text("Available")


def test_donate_release_dashboard_issue_and_where_my_blood_went(page, new_page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")

    # The donor finds the drive, books the first time and answers the health questions.
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    email = f"donor-{uuid.uuid4().hex[:8]}@example.org"
    sign_up(page, email, "a-strong-pass-2026")
    fill_donor_profile(page)
    bank = staff.call("GET", f"sites/{staff.user['memberships'][0]['site_id']}")
    at_home(page, bank["latitude"] + 0.02, bank["longitude"])
    page.goto(page.base + "/drives/")
    page.get_by_role("button", name="Near me").click()
    expect(page).to_have_url(re.compile(r"lat=-?[0-9.]+&lon=[0-9.]+"))
    card = page.locator(".card", has_text=drive["name"])
    expect(card).to_contain_text("km away")
    card.get_by_label("Donation type").first.select_option("whole_blood")  # asked, even with one choice
    card.get_by_role("button", name=re.compile(r"^Book")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Health questions")
    answer_questions_safely(page, staff)
    expect(page.get_by_text("Health questions answered.")).to_be_visible()
    appointment_id = int(page.locator(".card").first.get_attribute("id").split("-")[1])
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_have_attribute(
        "href", f"/me/appointments/{appointment_id}.ics"
    )

    # Staff check in and record; the lab types, screens and separates: the unit is released.
    staff_page = new_page()
    log_in(staff_page, "staff@dblood.local")
    staff_collect_and_release(staff_page, drive["id"], "Ani Lestari")

    # The public dashboard shows the released unit in its blood bank's O- cell.
    page.goto(page.base + "/?component=PRC")
    bank_name = staff.user["memberships"][0]["site_name"]
    row = page.locator("table.stock tr", has_text=bank_name)
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^1\b"))  # columns: O+, O-, ...
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # A hospital asks for O- red cells; the blood bank allocates and issues them.
    hospital_page = new_page()
    log_in(hospital_page, "hospital@dblood.local")
    hospital_page.goto(hospital_page.base + "/hospital/requests/")
    hospital_page.get_by_label("Blood bank").select_option(label=bank_name)
    hospital_page.get_by_label("Patient ABO").select_option("O")
    hospital_page.get_by_label("Patient RhD").select_option("-")
    hospital_page.get_by_label("Component").select_option("PRC")
    hospital_page.get_by_label("Is the patient a woman who may still have children?").select_option("false")
    hospital_page.get_by_label("Units").fill("1")
    hospital_page.get_by_label("Urgency").select_option("routine")
    needed_by = datetime.now(JAKARTA) + timedelta(hours=6)
    hospital_page.get_by_label("Needed by").fill(needed_by.strftime("%Y-%m-%dT%H:%M"))
    hospital_page.get_by_role("button", name="Send the request").click()
    expect(hospital_page.get_by_role("status")).to_contain_text("Request sent to the blood bank.")
    request_path = hospital_page.url.split(hospital_page.base)[1]

    staff_page.goto(staff_page.base + request_path)
    # The unit on offer is the one just released (the only O- red cells), at this bank, an exact
    # match; the clerk ticks it and reserves it.
    offer = staff_page.locator("table.proposal tbody tr")
    expect(offer).to_have_count(1)
    expect(offer).to_contain_text("same ABO · same RhD")
    expect(offer).to_contain_text(bank_name)
    unit_din = offer.locator("label").inner_text()
    offer.get_by_role("checkbox").check()
    staff_page.get_by_role("button", name="Reserve the ticked units").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Units reserved")
    # Issued only once each unit is ticked and its label confirmed.
    staff_page.get_by_role("button", name="Issue the ticked units").click()
    expect(staff_page.locator("#id_issue-confirm_error")).to_be_visible()
    staff_page.get_by_label(unit_din).check()
    staff_page.get_by_label("I checked each unit's label").check()
    staff_page.get_by_role("button", name="Issue the ticked units").click()
    expect(staff_page.locator("#request-status")).to_have_text("Issued")

    # The hospital records that the unit was transfused.
    hospital_page.reload()
    hospital_page.get_by_label("Transfused?").select_option("true")
    hospital_page.get_by_role("button", name="Record outcome").click()
    expect(hospital_page.get_by_role("status")).to_contain_text("Outcome recorded")
    hospital_name = ApiUser(live_stack["api"], "hospital@dblood.local").user["memberships"][0]["site_name"]

    # The donor sees where the blood went.
    page.goto(page.base + "/me/donations/")
    expect(page.locator(".where")).to_contain_text(f"given to a patient at {hospital_name}")


def test_emergency_call_out_answered_by_a_donor(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    email, password = f"hero-{uuid.uuid4().hex[:8]}@example.org", "a-strong-pass-2026"
    sign_up(page, email, password)

    # The donor opts in to call-outs on their profile; group and home come through the api
    # (the lab confirms a group; a first-time donor may state it).
    bank = staff.call("GET", f"sites/{staff.user['memberships'][0]['site_id']}")
    at_home(page, bank["latitude"] + 0.01, bank["longitude"])
    page.goto(page.base + "/me/")
    page.get_by_label("Blood group (ABO), if you know it").select_option("A")
    page.get_by_label("Rhesus (RhD), if you know it").select_option("+")
    page.get_by_role("button", name="Use my location as home").click()
    expect(page.locator("#my-location-status")).to_have_text("Location added. Press Save to keep it.")
    fill_donor_profile(page, call_outs=True)
    expect(page.locator("#my-location-status")).to_have_text("Your home location is set.")

    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    request = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": bank["id"],
            "patient_abo": "A",
            "patient_rhd": "+",
            "patient_female_cbp": False,
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

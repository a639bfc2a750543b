"""Two staff journeys against the real api: a released unit sent from one blood bank to another and
booked in there, each bank in its own browser; a deferral recorded from the check-in list that the
donor then sees on their eligibility page."""

import re
import time
import uuid

import pytest
from browser import ApiUser, api_sign_up
from playwright.sync_api import expect
from test_browser_donation_journey import fill_donor_profile, log_in, make_drive
from test_browser_journeys import sign_up

pytestmark = pytest.mark.browser
PASSWORD = "a-strong-pass-2026"


def walk_in_donation(api_url: str, staff: ApiUser, email: str | None = None) -> dict:
    """A whole-blood walk-in collected at the staff member's bank, through the api (not yet tested);
    the donor signs in with `email` and PASSWORD."""
    email = email or f"walkin-{uuid.uuid4().hex[:8]}@example.org"
    api_sign_up(api_url, email, PASSWORD, "Rudi Hartono")
    donor = ApiUser(api_url, email, PASSWORD)
    donor.call("PATCH", "donors/me", {"birth_date": "1988-03-14", "sex": "M", "weight_kg": 72})
    bank = staff.user["memberships"][0]["site_id"]
    donation = staff.call(
        "POST",
        "donations",
        {
            "donor": donor.call("GET", "donors/me")["donor_number"],
            "site": bank,
            "donation_type": "whole_blood",
            "volume_ml": 450,
            "hemoglobin_g_dl": "14.2",
            "bp_systolic": 120,
            "bp_diastolic": 80,
            "pulse": 70,
            "temperature_c": "36.6",
            "outcome": "completed",
        },
        expect=201,
    )
    return donation


def released_unit(api_url: str, staff: ApiUser) -> dict:
    """An A+ red-cell unit released at the staff member's bank (a walk-in, typed, screened and its
    label printed and checked through the api: the lab pages are the donation journey's)."""
    donation = walk_in_donation(api_url, staff)
    staff.call("POST", f"donations/{donation['id']}/typing", {"abo": "A", "rhd": "+"})
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        staff.call("POST", f"donations/{donation['id']}/screening", {"test": test, "reactive": False})
    staff.call("POST", f"donations/{donation['id']}/components", {"components": [{"component": "PRC"}]})
    (separated,) = staff.call("GET", f"donations/{donation['id']}")["units"]
    scans = staff.check_label(separated["id"])
    units = staff.call("GET", "units?state=available&page_size=100")["results"]
    (unit,) = [u for u in units if u["din"] == donation["din"]]
    return {**unit, "scans": scans}


def test_a_unit_sent_to_another_bank_is_received_there(page, new_page, live_stack):
    jakarta = ApiUser(live_stack["api"], "staff@dblood.local")
    bandung = ApiUser(live_stack["api"], "staff.bandung@dblood.local")
    bandung_bank = bandung.user["memberships"][0]
    unit = released_unit(live_stack["api"], jakarta)

    # Jakarta sends the unit on its inventory page.
    log_in(page, "staff@dblood.local")
    page.goto(page.base + "/staff/inventory/")
    expect(page.locator("tr", has_text=unit["din"])).to_contain_text("Packed red cells")  # on the shelf
    # The scan field finds it, wherever it is in the list.
    page.get_by_label("Scan or type a DIN").fill(unit["din"])
    page.get_by_role("button", name="Find the unit").click()
    expect(page.get_by_role("heading", name="Units of this DIN")).to_be_visible()
    expect(page.locator("tr", has_text=unit["din"]).first).to_contain_text("Available")
    page.get_by_label("Unit (scan or type its DIN)").fill(unit["din"])
    page.get_by_label("To blood bank").select_option(label=bandung_bank["site_name"])
    page.get_by_role("button", name="Send the unit").click()
    expect(page.get_by_role("status")).to_contain_text("The unit is on its way.")
    expect(page.locator("li", has_text=unit["din"])).to_contain_text(bandung_bank["site_name"])
    expect(page.locator("tr", has_text=unit["din"])).to_have_count(0)  # no longer on Jakarta's shelf

    # Bandung, in its own browser, sees it coming and books it in.
    bandung_page = new_page()
    log_in(bandung_page, "staff.bandung@dblood.local")
    bandung_page.goto(bandung_page.base + "/staff/inventory/")
    incoming = bandung_page.locator("tr", has_text=unit["din"])
    expect(incoming).to_contain_text(jakarta.user["memberships"][0]["site_name"])
    # The bag's label, scanned: a product barcode of another bag first (refused), then its own.
    scans = unit["scans"]  # what zbar read off the label Jakarta printed
    receive = bandung_page.locator("form", has=bandung_page.get_by_role("button", name="Receive"))
    receive.get_by_label("DIN barcode (scan it from the label)").fill(scans["din"])
    receive.get_by_label("Product barcode (scan it from the label)").fill("=<E0869V00")
    receive.get_by_label("Temperature on arrival (°C)").fill("4.5")
    receive.get_by_role("button", name="Receive").click()
    expect(bandung_page.get_by_role("status")).to_contain_text(
        "No unit with these barcodes is on its way to your blood bank."
    )
    receive.get_by_label("DIN barcode (scan it from the label)").fill(scans["din"])
    receive.get_by_label("Product barcode (scan it from the label)").fill(scans["product_code"])
    receive.get_by_label("Temperature on arrival (°C)").fill("4.5")
    receive.get_by_role("button", name="Receive").click()
    expect(bandung_page.get_by_role("status")).to_contain_text("The unit is received into your stock.")
    expect(bandung_page.get_by_text("Nothing on its way to you.")).to_be_visible()
    # The unit is on Bandung's shelf now (and can be sent on from there).
    expect(bandung_page.locator("tr", has_text=unit["din"])).to_contain_text("Packed red cells")
    assert bandung.call("GET", f"units/{unit['id']}")["state"] == "available"

    # Back in Jakarta: nothing left in transit.
    page.reload()
    expect(page.locator("li", has_text=unit["din"])).to_have_count(0)


def test_staff_defer_a_donor_at_check_in_and_the_donor_sees_it(page, new_page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")

    # The donor signs up, fills in their profile and is booked on the drive.
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    email = f"tato-{uuid.uuid4().hex[:8]}@example.org"
    sign_up(page, email, PASSWORD, name="Tono Wibisono")
    fill_donor_profile(page)
    donor = ApiUser(live_stack["api"], email, PASSWORD)
    donor.call("POST", "appointments", {"slot": drive["slots"][0]["id"], "donation_type": "whole_blood"}, expect=201)
    page.goto(page.base + "/me/eligibility/")
    expect(page.get_by_text("You can donate now.")).to_be_visible()

    # At the check-in desk the donor mentions a new tattoo: staff record a deferral from the list.
    staff_page = new_page()
    log_in(staff_page, "staff@dblood.local")
    staff_page.goto(staff_page.base + f"/staff/drives/{drive['id']}/")
    staff_page.get_by_label("Name or donor number").fill("Tono")
    staff_page.get_by_role("button", name="Search").click()
    row = staff_page.locator("table.checkin tbody tr", has_text="Tono Wibisono")
    row.get_by_role("link", name="Deferrals").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Deferrals · Tono Wibisono")
    expect(staff_page.get_by_text("No deferral recorded for this donor.")).to_be_visible()
    staff_page.get_by_label("Reason").select_option("tattoo-piercing")
    staff_page.get_by_role("button", name="Save the deferral").click()
    expect(staff_page.get_by_role("status")).to_contain_text("The deferral is recorded.")
    expect(staff_page).to_have_url(f"{staff_page.base}/staff/drives/{drive['id']}/?q=Tono")

    # The donor sees themself deferred, with the reason and the date it lapses.
    page.goto(page.base + "/me/eligibility/")
    expect(page.get_by_text("You can donate now.")).to_have_count(0)
    whole_blood = page.locator("tr", has_text="Whole blood")
    expect(whole_blood).to_contain_text("Tattoo or piercing")
    expect(whole_blood).not_to_contain_text("Now")

    # The tattoo was another donor's: staff lift the deferral from the donor's register (the deferral
    # cancelled the booking it covered, so the check-in list no longer offers the link), with the reason.
    donor_id = donor.call("GET", "donors/me")["id"]
    staff_page.goto(staff_page.base + f"/staff/donors/{donor_id}/deferral/?name=Tono+Wibisono")
    entry = staff_page.locator("ul.deferrals li", has_text="Tattoo or piercing")
    expect(entry).to_contain_text("in force")
    entry.get_by_text("Lift this deferral").click()
    entry.get_by_label("Why does the deferral end early?").fill("recorded for the wrong donor")
    entry.get_by_role("button", name="Lift the deferral").click()
    expect(staff_page.get_by_role("status")).to_contain_text("The deferral is lifted")
    expect(entry).to_contain_text("over")
    expect(entry).to_contain_text("recorded for the wrong donor")
    page.goto(page.base + "/me/eligibility/")
    expect(page.get_by_text("You can donate now.")).to_be_visible()


def test_a_walk_in_donor_is_found_by_number_and_birth_date_and_checked_in(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")
    email = f"walkin-{uuid.uuid4().hex[:8]}@example.org"
    api_sign_up(live_stack["api"], email, PASSWORD, "Sinta Maharani")
    donor = ApiUser(live_stack["api"], email, PASSWORD)
    donor.call("PATCH", "donors/me", {"birth_date": "1992-05-17", "sex": "F", "weight_kg": 58})
    number = donor.call("GET", "donors/me")["donor_number"]

    log_in(page, "staff@dblood.local")
    page.goto(page.base + f"/staff/drives/{drive['id']}/")
    page.get_by_role("link", name="Register a walk-in donor").click()
    page.get_by_label("Donor number (type it or scan the card)").fill(number)
    page.get_by_label("Birth date").fill("1992-05-18")  # not the donor's: refused, nothing written
    page.get_by_label("Donation type").select_option("whole_blood")
    page.get_by_role("button", name="Register and check in").click()
    expect(page.locator("#id_donor_number_error")).to_contain_text("No donor matches")
    page.get_by_label("Birth date").fill("1992-05-17")
    page.get_by_role("button", name="Register and check in").click()
    expect(page.get_by_role("status")).to_contain_text("Registered and checked in")
    expect(page).to_have_url(re.compile(r"/staff/appointments/\d+/donation/$"))
    page.goto(page.base + f"/staff/drives/{drive['id']}/")
    expect(page.locator("table.checkin tr", has_text="Sinta Maharani")).to_contain_text("Checked in")


def test_an_unused_unit_returned_by_the_hospital_goes_back_into_stock(page, new_page, live_stack):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    jakarta = ApiUser(live_stack["api"], "staff@dblood.local")
    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    unit = released_unit(live_stack["api"], jakarta)
    needed_by = (datetime.now().astimezone() + timedelta(hours=4)).isoformat()
    blood_request = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": jakarta.user["memberships"][0]["site_id"],
            "patient_abo": "A",
            "patient_rhd": "+",
            "patient_female_cbp": False,
            "component": "PRC",
            "units": 1,
            "urgency": "routine",
            "needed_by": needed_by,
        },
        expect=201,
    )
    jakarta.call("POST", f"requests/{blood_request['id']}/reserve", {"units": [unit["id"]]})
    jakarta.call("POST", f"requests/{blood_request['id']}/issue", {"units": [unit["id"]]})
    # The form takes the time to the second: wait for the next whole second, so the time typed
    # below cannot fall before the issue (a return within the same second was refused once as
    # "before the unit was issued").
    time.sleep(1.05 - datetime.now().microsecond / 1_000_000)

    # The hospital did not use it: back in its fridge within minutes, returned from the request page.
    log_in(page, "hospital@dblood.local")
    page.goto(page.base + f"/requests/{blood_request['id']}/")
    page.get_by_text("Not used: return it to the blood bank").click()
    # (It left the fridge when it was issued, a moment ago: the time is typed in Jakarta time, to the second.)
    left = datetime.now(ZoneInfo("Asia/Jakarta"))
    page.get_by_label("Left controlled storage at").fill(left.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_label("Temperature now (°C)").fill("5")
    page.get_by_label("Kept in a validated transport box since then?").select_option("false")
    page.get_by_role("button", name="Return the unit").click()
    expect(page.get_by_role("status")).to_contain_text("The unit is returned")

    # The bank inspects it: within the limits, seal intact, back into stock.
    staff_page = new_page()
    log_in(staff_page, "staff@dblood.local")
    staff_page.goto(staff_page.base + "/staff/inventory/")
    staff_page.get_by_role("link", name="Units returned by hospitals").click()
    card = staff_page.locator("ul.returns li", has_text=unit["din"])
    expect(card).to_contain_text("Within the return limits")
    card.get_by_label("Is the seal intact?").select_option("true")
    card.get_by_label("Decision").select_option("restocked")
    card.get_by_role("button", name="Record the decision").click()
    expect(staff_page.get_by_role("status")).to_contain_text("The return is decided.")
    assert jakarta.call("GET", f"units/{unit['id']}")["state"] == "available"

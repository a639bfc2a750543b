"""Two staff journeys against the real api: a released unit sent from one blood bank to another and
booked in there, each bank in its own browser; a deferral recorded from the check-in list that the
donor then sees on their eligibility page."""

import uuid

import httpx
import pytest
from browser import ApiUser
from playwright.sync_api import expect
from test_browser_donation_journey import fill_donor_profile, log_in, make_drive
from test_browser_journeys import sign_up

pytestmark = pytest.mark.browser
PASSWORD = "a-strong-pass-2026"


def walk_in_donation(api_url: str, staff: ApiUser, email: str | None = None) -> dict:
    """A whole-blood walk-in collected at the staff member's bank, through the api (not yet tested);
    the donor signs in with `email` and PASSWORD."""
    email = email or f"walkin-{uuid.uuid4().hex[:8]}@example.org"
    registered = httpx.post(
        f"{api_url}/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Rudi Hartono"},
        timeout=30,
    )
    assert registered.status_code == 201, registered.text
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
    """An A+ red-cell unit released at the staff member's bank (a walk-in, typed and screened
    through the api: the lab pages are the donation journey's)."""
    donation = walk_in_donation(api_url, staff)
    staff.call("POST", f"donations/{donation['id']}/typing", {"abo": "A", "rhd": "+"})
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        staff.call("POST", f"donations/{donation['id']}/screening", {"test": test, "reactive": False})
    staff.call("POST", f"donations/{donation['id']}/components", {"components": [{"component": "PRC"}]})
    units = staff.call("GET", "units?state=available&page_size=100")["results"]
    (unit,) = [u for u in units if u["din"] == donation["din"]]
    return unit


def test_a_unit_sent_to_another_bank_is_received_there(page, new_page, live_stack):
    jakarta = ApiUser(live_stack["api"], "staff@dblood.local")
    bandung = ApiUser(live_stack["api"], "staff.bandung@dblood.local")
    bandung_bank = bandung.user["memberships"][0]
    unit = released_unit(live_stack["api"], jakarta)

    # Jakarta sends the unit on its inventory page.
    log_in(page, "staff@dblood.local")
    page.goto(page.base + "/staff/inventory/")
    page.get_by_label("Unit").select_option(str(unit["id"]))
    page.get_by_label("To blood bank").select_option(label=bandung_bank["site_name"])
    page.get_by_role("button", name="Send the unit").click()
    expect(page.get_by_role("status")).to_contain_text("The unit is on its way.")
    expect(page.locator("li", has_text=unit["din"])).to_contain_text(bandung_bank["site_name"])
    expect(page.get_by_label("Unit").locator(f"option[value='{unit['id']}']")).to_have_count(0)

    # Bandung, in its own browser, sees it coming and books it in.
    bandung_page = new_page()
    log_in(bandung_page, "staff.bandung@dblood.local")
    bandung_page.goto(bandung_page.base + "/staff/inventory/")
    incoming = bandung_page.locator("tr", has_text=unit["din"])
    expect(incoming).to_contain_text(jakarta.user["memberships"][0]["site_name"])
    incoming.get_by_role("button", name="Receive").click()
    expect(bandung_page.get_by_role("status")).to_contain_text("The unit is received into your stock.")
    expect(bandung_page.get_by_text("Nothing on its way to you.")).to_be_visible()
    # The unit is on Bandung's shelf now (and can be sent on from there).
    expect(bandung_page.locator("tr", has_text=unit["din"]).first).to_contain_text("PRC")
    expect(bandung_page.get_by_label("Unit").locator(f"option[value='{unit['id']}']")).to_have_count(1)
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
    row.get_by_role("link", name="Record a deferral").click()
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Record a deferral")
    expect(staff_page.get_by_text("Tono Wibisono")).to_be_visible()
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

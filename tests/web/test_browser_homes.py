"""The homes sign-in lands on, in a real browser on a 360-px phone against the real api."""

import re
import uuid

import pytest
from browser import ApiUser
from playwright.sync_api import expect
from test_browser_donation_journey import log_in
from test_browser_transfer_and_deferral import PASSWORD, walk_in_donation

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_donor_who_just_gave_lands_on_a_home_that_says_when_and_how_many(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    email = f"home-{uuid.uuid4().hex[:8]}@example.org"
    walk_in_donation(live_stack["api"], staff, email)
    log_in(page, email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.locator("#home-donation-count")).to_contain_text("You have given blood 1 time.")
    expect(page.locator("#home-donation-count")).to_contain_text("9 more donations to PMI's award for 10 donations.")
    whole_blood = page.locator("#home-eligibility-whole_blood")
    expect(whole_blood).to_contain_text(re.compile(r"in \d+ days, from"))
    expect(page.get_by_role("img", name="Hemoglobin at each donation, oldest first")).to_contain_text("14.2 g/dl")
    expect(page.get_by_text("You have no appointment coming up.")).to_be_visible()
    no_sideways_scroll(page)

    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.locator("#home-donation-count")).to_contain_text("Anda sudah mendonorkan darah 1 kali.")
    expect(whole_blood).to_contain_text(re.compile(r"\d+ hari lagi, mulai"))
    no_sideways_scroll(page)


def test_an_emergency_stays_on_top_of_the_staff_home_until_someone_acts(page, live_stack):
    from datetime import datetime, timedelta

    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    bank = staff.user["memberships"][0]["site_id"]
    needed_by = (datetime.now().astimezone() + timedelta(hours=4)).isoformat()
    emergency = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": bank,
            "patient_abo": "AB",
            "patient_rhd": "-",
            "patient_female_cbp": False,
            "component": "PRC",
            "units": 1,
            "urgency": "emergency",
            "needed_by": needed_by,
            "note": "Trauma, massive bleeding",
        },
        expect=201,
    )
    log_in(page, "staff@dblood.local")
    expect(page).to_have_url(re.compile(r"/staff/$"))
    card = page.locator(f"#home-emergency-{emergency['id']}")
    expect(card).to_contain_text("nobody has acted on it yet")
    expect(page.locator(f"#home-request-{emergency['id']}")).to_contain_text("Trauma, massive bleeding")
    for heading in ("Today's drives", "Lab worklist", "Units expiring within 3 days", "Transfers", "Open recalls"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    no_sideways_scroll(page)
    page.reload()  # still there until someone acts
    expect(card).to_be_visible()

    hospital.call("POST", f"requests/{emergency['id']}/cancel", {"reason": "Patient transferred"})
    page.reload()
    expect(card).to_have_count(0)
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", name="Kegiatan donor hari ini")).to_be_visible()
    no_sideways_scroll(page)

"""Blood-bank staff pages against the real api: edit and cancel a drive, the inventory's transfer
form, the deferral form's reasons."""

import uuid

import pytest
from browser import ApiUser
from playwright.sync_api import expect
from test_browser_donation_journey import log_in, make_drive

pytestmark = pytest.mark.browser


def test_staff_edit_then_cancel_a_drive_and_see_the_transfer_form(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")
    log_in(page, "staff@dblood.local")

    page.goto(page.base + f"/staff/drives/{drive['id']}/edit/")
    expect(page.get_by_label("Name")).to_have_value(drive["name"])
    page.get_by_label("Place").fill("Balai Kota")
    page.get_by_role("button", name="Save the drive").click()
    expect(page.get_by_role("status")).to_contain_text("The drive is saved.")
    assert staff.call("GET", f"drives/{drive['id']}")["location_name"] == "Balai Kota"

    page.goto(page.base + f"/staff/drives/{drive['id']}/edit/")
    page.get_by_role("button", name="Cancel the drive").click()  # no reason: refused beside the field
    expect(page.locator("#id_cancel-reason_error")).to_be_visible()
    page.get_by_label("Why is the drive cancelled?").fill("Banjir")
    page.get_by_role("button", name="Cancel the drive").click()
    expect(page.get_by_role("status")).to_contain_text("The drive is cancelled.")
    assert staff.call("GET", f"drives/{drive['id']}")["status"] == "cancelled"

    page.goto(page.base + "/staff/inventory/")
    expect(page.get_by_role("heading", name="Incoming transfers")).to_be_visible()
    expect(page.get_by_label("To blood bank")).to_be_visible()

    page.goto(page.base + "/staff/donors/1/deferral/")  # the reasons are the api's catalogue
    reasons = staff.call("GET", "deferral-reasons")
    reasons = reasons["results"] if isinstance(reasons, dict) else reasons
    expect(page.get_by_label("Reason").locator("option")).to_have_count(len(reasons))

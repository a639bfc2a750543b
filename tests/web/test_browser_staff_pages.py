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

    # A donor this bank may see (one who booked or gave here; which demo donor that is varies with the day).
    donor = staff.call("GET", "donors?page_size=1")["results"][0]
    page.goto(page.base + f"/staff/donors/{donor['id']}/deferral/")  # the reasons are the api's catalogue
    reasons = staff.call("GET", "deferral-reasons")
    reasons = reasons["results"] if isinstance(reasons, dict) else reasons
    # Each reason of the catalogue, after an empty "Choose…" (no reason is suggested).
    expect(page.get_by_label("Reason").locator("option")).to_have_count(len(reasons) + 1)
    expect(page.get_by_label("Reason")).to_have_value("")


def test_staff_upload_replace_and_remove_their_blood_banks_photo(page, live_stack):
    """The photo form on the blood bank's own page: a real image is stored and shown, a text file
    is refused beside the field, and removing it takes the photo off the page."""
    import io

    from browser import MEDIA_DIR
    from PIL import Image

    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    bank = staff.call("GET", "me")["memberships"][0]
    log_in(page, "staff@dblood.local")
    page.goto(page.base + "/staff/")
    page.get_by_role("link", name="Public page and photo").click()
    expect(page.get_by_role("heading", name=bank["site_name"], level=1)).to_be_visible()

    photo = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 20, 20)).save(photo, "PNG")
    field = page.get_by_label("Photo of the building or entrance")
    field.set_input_files({"name": "entrance.png", "mimeType": "image/png", "buffer": photo.getvalue()})
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.get_by_role("status")).to_contain_text("The photo is saved.")
    image = page.get_by_role("img", name=f"The building of {bank['site_name']}")
    expect(image).to_have_attribute("width", "120")
    url = staff.call("GET", f"sites/{bank['site_id']}")["photo_url"]
    expect(image).to_have_attribute("src", url)
    assert (MEDIA_DIR / url.removeprefix("/media/")).is_file()

    field.set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image at all"})
    page.get_by_role("button", name="Replace the photo").click()
    expect(page.locator("#id_photo_error")).to_be_visible()

    page.get_by_role("button", name="Remove the photo").click()
    expect(page.get_by_role("status")).to_contain_text("The photo is removed.")
    expect(page.get_by_role("img", name=f"The building of {bank['site_name']}")).to_have_count(0)
    assert staff.call("GET", f"sites/{bank['site_id']}")["photo_url"] is None


def test_the_lab_worklist_on_a_phone_leads_to_the_donation(page, live_stack):
    from test_browser_transfer_and_deferral import walk_in_donation

    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    donation = walk_in_donation(live_stack["api"], staff)
    log_in(page, "staff@dblood.local")
    page.goto(page.base + "/staff/")
    page.get_by_role("link", name="Lab worklist").click()
    card = page.locator(f"#work-{donation['id']}")
    expect(card).to_contain_text("ABO/RhD typing")
    expect(card).to_contain_text("HIV screen")
    expect(card).to_contain_text("Separate by")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    card.get_by_role("link", name=f"DIN {donation['din']}").click()
    expect(page).to_have_url(page.base + f"/staff/donations/{donation['id']}/")

"""A unit's label against the real api, in Chromium: the lab page leads to the unit, the web hands
over the api's PDF, zbar reads its barcodes back to the unit's DIN and product, and the two scans
verify the label (a scan of another product is refused first, the scans kept in the form)."""

import pytest
from browser import ApiUser
from playwright.sync_api import expect
from test_browser_donation_journey import log_in
from test_browser_transfer_and_deferral import walk_in_donation

from testing.scanner import decode, rasterise

pytestmark = pytest.mark.browser


def separated_unit(api_url: str, staff: ApiUser) -> tuple[dict, dict]:
    """A donation typed, screened and separated into red cells through the api, and its unit (in
    whatever state the api puts a separated unit: the label check does not depend on it)."""
    donation = walk_in_donation(api_url, staff)
    staff.call("POST", f"donations/{donation['id']}/typing", {"abo": "B", "rhd": "-"})
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        staff.call("POST", f"donations/{donation['id']}/screening", {"test": test, "reactive": False})
    staff.call("POST", f"donations/{donation['id']}/components", {"components": [{"component": "PRC"}]})
    (unit,) = staff.call("GET", f"donations/{donation['id']}")["units"]
    return donation, unit


def test_print_a_units_label_read_it_back_and_verify_it_with_two_scans(page, live_stack):
    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    donation, unit = separated_unit(live_stack["api"], staff)
    log_in(page, "staff@dblood.local")

    # The lab worklist's scan field opens the donation; its unit links to the unit page.
    page.goto(page.base + "/staff/lab/")
    page.get_by_label("Scan or type a DIN").fill(donation["din"])
    page.get_by_role("button", name="Open the donation").click()
    expect(page).to_have_url(page.base + f"/staff/donations/{donation['id']}/")
    card = page.locator(f"#unit-{unit['id']}")
    expect(card.get_by_role("link", name="Print label (PDF)")).to_have_attribute(
        "href", f"/staff/units/{unit['id']}/label.pdf"
    )
    card.get_by_role("link", name="Packed red cells").click()
    expect(page).to_have_url(page.base + f"/staff/units/{unit['id']}/")
    expect(page.locator("#label-state")).to_have_text("Not printed yet.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The PDF, downloaded with the browser's own session, as the api made it.
    href = page.get_by_role("link", name="Print label (PDF)").get_attribute("href")
    label = page.request.get(page.base + href)
    assert label.status == 200 and label.headers["content-type"] == "application/pdf"
    assert "no-store" in label.headers["cache-control"]
    assert label.headers["content-disposition"].endswith(f'-{unit["product_code"]}.pdf"')
    assert label.body().startswith(b"%PDF-")
    symbols = [data for kind, data in decode(rasterise(label.body(), dpi=300))]
    din_barcode, product_barcode = symbols[0], next(s for s in symbols if s.startswith("=<"))
    assert din_barcode.startswith("=" + donation["din"]) and product_barcode == "=<" + unit["product_code"]

    page.reload()
    expect(page.locator("#label-state")).to_contain_text("Printed, not yet checked")
    # The product barcode of another product: refused, the api says which scan, the scans stay.
    page.get_by_label("DIN barcode (scan it from the label)").fill(din_barcode)
    another = "=<E0001V00" if unit["product_code"] != "E0001V00" else "=<E0002V00"
    page.get_by_label("Product barcode (scan it from the label)").fill(another)
    page.get_by_role("button", name="Check the label").click()
    expect(page.locator("#form-errors")).to_contain_text("the product barcode")
    expect(page.get_by_label("DIN barcode (scan it from the label)")).to_have_value(din_barcode)
    expect(page.get_by_label("Product barcode (scan it from the label)")).to_have_value(another)
    expect(page.locator("#label-state")).not_to_contain_text("Label verified")

    page.get_by_label("Product barcode (scan it from the label)").fill(product_barcode)
    page.get_by_role("button", name="Check the label").click()
    expect(page.get_by_role("status")).to_contain_text("Label verified: both barcodes match this unit.")
    expect(page.locator("#label-state")).to_contain_text("Label verified")
    checked = staff.call("GET", f"units/{unit['id']}")
    # The lab had released it; the matched check let it into stock, and its label is still current.
    assert checked["label"]["verified"] is True and checked["label"]["current"] is True
    assert (unit["state"], checked["state"]) == ("quarantined", "available")

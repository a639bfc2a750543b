"""The donor card as the desk's scanner sees it: the QR code on the donor's phone, photographed
from a real browser and decoded by zbar (the decoder common scanners use), reads back to the
donor number the check-in desk looks donors up by. A Micro QR, which zbar cannot read, fails it."""

import io

import pytest
from browser import ApiUser
from PIL import Image
from playwright.sync_api import expect
from test_browser_donation_journey import log_in

from testing.scanner import decode

pytestmark = pytest.mark.browser


def test_the_donor_cards_qr_code_reads_back_to_the_donor_number(page, live_stack):
    number = ApiUser(live_stack["api"], "donor@dblood.local").call("GET", "donors/me")["donor_number"]
    log_in(page, "donor@dblood.local")
    page.goto(page.base + "/me/card/")
    code = page.locator(".qr svg")
    expect(code).to_be_visible()
    image = Image.open(io.BytesIO(code.screenshot())).convert("L")
    assert decode(image) == [("QRCODE", number)]

"""Password reset in Debian's Chromium: the api emails a link (to a file here), the web uses it."""

import re
import uuid

import pytest
from browser import MAIL_DIR
from playwright.sync_api import expect
from test_browser_journeys import sign_up

from testing.mail import RESET_LINK, mail_file_to

pytestmark = pytest.mark.browser


def reset_link_for(email: str) -> str:
    """The path of the newest reset link the api emailed to `email`."""
    return RESET_LINK.search(mail_file_to(MAIL_DIR, email)).group(1)


def test_forgotten_password_reset_by_the_emailed_link(page):
    email = f"lupa-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    sign_up(page, email, "the-old-pass-2026")
    page.get_by_role("button", name="Log out").click()

    page.goto(page.base + "/password-reset/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    link = reset_link_for(email)
    page.goto(page.base + link)
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator("#id_new_password_error")).to_be_visible()  # the api's rule, beside the field
    page.get_by_label("New password").fill("the-new-pass-2026")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed.")

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("the-new-pass-2026")
    page.get_by_role("button", name="Log in").last.click()
    expect(page).to_have_url(re.compile(r"/home/$"))

    page.get_by_role("button", name="Log out").click()
    page.goto(page.base + link)  # the link works once
    page.get_by_label("New password").fill("another-pass-2026")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("alert")).to_be_visible()

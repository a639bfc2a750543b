"""Journeys in Debian's Chromium against real api (gunicorn, PostgreSQL) and web (gunicorn) processes."""

import re
import uuid

import pytest
from browser import MAIL_DIR
from playwright.sync_api import expect

from testing.mail import SIGNUP_LINK, mail_file_to

pytestmark = pytest.mark.browser


def sign_up_form(page, email: str, password: str, name: str = "Ani Lestari") -> None:
    page.goto(page.base + "/signup/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Create my account").click()


def sign_up(page, email: str, password: str, name: str = "Ani Lestari") -> None:
    """Sign up as a donor does: the form, then the link the api e-mailed (to a file here), then
    the button on the page it opens; the donor is then signed in, on their account page."""
    sign_up_form(page, email, password, name)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(page.base + SIGNUP_LINK.search(mail_file_to(MAIL_DIR, email)).group(1))
    page.get_by_role("button", name="Open my account").click()
    expect(page).to_have_url(re.compile(r"/account/$"))


def test_sign_up_log_out_log_in_and_edit_the_profile(page):
    email = f"ani-{uuid.uuid4().hex[:8]}@example.org"
    password = "a-strong-pass-2026"
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    sign_up(page, email, password)
    expect(page).to_have_url(re.compile(r"/account/$"))
    expect(page.locator("#account-email")).to_have_text(email)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.goto(page.base + "/account/")  # anonymous: log in first, then back here
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").last.click()
    expect(page.get_by_role("alert")).to_contain_text("Unable to log in")
    expect(page.get_by_label("Email")).to_have_value(email)  # kept what was typed
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").last.click()
    expect(page).to_have_url(re.compile(r"/account/$"))

    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling on a phone
    page.get_by_label("Full name").fill("Ani Lestari Putri")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Your account has been saved.")
    expect(page.get_by_label("Full name")).to_have_value("Ani Lestari Putri")


def test_signing_up_with_a_taken_address_looks_the_same_and_changes_nothing(page):
    email = f"twice-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    sign_up(page, email, "the-first-pass-2026")
    page.get_by_role("button", name="Log out").click()

    sign_up_form(page, email, "another-pass-2026", name="Someone Else")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text(f"We have sent a message to {email}.")).to_be_visible()
    message = mail_file_to(MAIL_DIR, email)  # the owner is told, with a way back in
    assert "Someone tried to sign up for dblood with this email address" in message
    assert "/password-reset/" in message and not SIGNUP_LINK.search(message)

    page.goto(page.base + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("the-first-pass-2026")
    page.get_by_role("button", name="Log in").last.click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    page.goto(page.base + "/account/")
    expect(page.get_by_label("Full name")).to_have_value("Ani Lestari")


def test_sign_up_errors_from_the_api_sit_beside_their_fields(page):
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    sign_up_form(page, f"weak-{uuid.uuid4().hex[:8]}@example.org", "password")
    error = page.locator("#id_password_error")
    expect(error).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Ani Lestari")


def test_language_switch(page):
    page.goto(page.base + "/login/")
    expect(page.locator("html")).to_have_attribute("lang", "id")  # the site speaks Indonesian first
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")


def test_a_signed_in_user_switching_language_keeps_it_on_the_account(page):
    page.goto(page.base + "/login/")
    page.get_by_role("button", name="English").click()
    sign_up(page, f"lang-{uuid.uuid4().hex[:8]}@example.org", "a-strong-pass-2026")
    expect(page).to_have_url(re.compile(r"/account/$"))
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.get_by_label("Bahasa", exact=True)).to_have_value("id")  # saved through PATCH /me

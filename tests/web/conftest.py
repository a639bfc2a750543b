"""Fixtures for the web's tests: the api mocked at the HTTP layer (httpx.MockTransport)."""

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from webfakes import USER, FakeApi

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_ignore_collect(collection_path, config):
    # The api's pytest run (settings dblood.settings.test) passes over this folder; `make test-web`
    # runs it with the web's own settings.
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "web_test_settings":
        return True
    return None


@pytest.fixture
def fake_api(monkeypatch):
    from dblood_web import api

    fake = FakeApi()
    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(fake))
    return fake


@pytest.fixture
def signed_in(client, fake_api):
    """A donor logged in through the real login form (the api is the fake)."""
    fake_api.on("POST", "auth/login", body={"token": "tok-ani", "expires_at": "2026-12-13T00:00:00Z", "user": USER})
    fake_api.on("GET", "me", body=USER)
    response = client.post("/login/", {"email": USER["email"], "password": "pw-long-enough"})
    assert response.status_code == 302
    return client


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = getattr(item, "browser_page", None)
    if report.when == "call" and report.failed and page is not None:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{item.name}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            report.sections.append(("screenshot", f"could not save a screenshot: {exc}"))
    return report


@pytest.fixture
def client():
    """Django's test client, reading English unless a test asks otherwise (the site's default is Indonesian)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(scope="session")
def live_stack():
    """PostgreSQL, the api and the web as real processes; yields the web's and the api's base URLs."""
    from browser import start_api, start_web

    from testing.servers import start_postgresql, stop_postgresql

    pg = start_postgresql()
    api = web = None
    try:
        api = start_api(pg)
        web = start_web(api.base_url)
        yield {"web": web.base_url, "api": api.base_url, "pg": pg}
    finally:
        for process in (web, api):
            if process is not None:
                process.stop()
        stop_postgresql(pg)


@pytest.fixture(scope="session")
def chromium():
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(request, chromium, live_stack):
    """More people in their own browsers (staff, a hospital) for one test; closed at its end."""
    contexts = []

    def make():
        context = chromium.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
        context.set_default_timeout(15000)
        contexts.append(context)
        extra = context.new_page()
        extra.base = live_stack["web"]
        request.node.browser_page = extra
        return extra

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(request, chromium, live_stack):
    """A fresh browser context on a 360-px phone screen; a failing test leaves a screenshot."""
    context = chromium.new_context(viewport={"width": 360, "height": 780}, locale="id-ID")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base = live_stack["web"]
    request.node.browser_page = page
    yield page
    context.close()


@pytest.fixture(scope="session")
def world(live_stack):
    """Real things to look at: a drive today with a booked donor (once cancelled, a questionnaire answer
    flagged), a donation in the lab, a separated unit, a request from the hospital to the bank, and a
    deferral. One world for the session: the walks of every page (test_browser_every_page,
    test_browser_language) look at the same things, and the donor books one slot a day."""
    from browser import ApiUser
    from test_browser_donation_journey import make_drive
    from test_browser_labels import separated_unit
    from test_browser_transfer_and_deferral import walk_in_donation

    staff = ApiUser(live_stack["api"], "staff@dblood.local")
    hospital = ApiUser(live_stack["api"], "hospital@dblood.local")
    donor = ApiUser(live_stack["api"], "donor@dblood.local")
    donor.call("PATCH", "donors/me", {"birth_date": "1990-02-03", "sex": "F", "weight_kg": 60})
    drive = make_drive(staff, f"Donor Darah {uuid.uuid4().hex[:6]}")
    first = donor.call(
        "POST", "appointments", {"slot": drive["slots"][0]["id"], "donation_type": "whole_blood"}, expect=201
    )
    # Cancelled by the drive's staff (a donor may not move a slot this close): folded away on the
    # donor's list below the booking made again.
    staff.call("POST", f"appointments/{first['id']}/cancel")
    appointment = donor.call(
        "POST", "appointments", {"slot": drive["slots"][-1]["id"], "donation_type": "whole_blood"}, expect=201
    )
    # A "yes" that implies a deferral: the check-in desk reads it as a sentence.
    questionnaire = donor.call("GET", "questionnaire")
    answers = {q["code"]: not q["defer_if"] for q in questionnaire["questions"]}
    answers["tattoo_6_months"] = True
    donor.call(
        "POST",
        f"appointments/{appointment['id']}/questionnaire",
        {"version": questionnaire["version"], "answers": answers},
    )
    donation = walk_in_donation(live_stack["api"], staff)
    separated, unit = separated_unit(live_stack["api"], staff)
    bank = staff.user["memberships"][0]["site_id"]
    blood_request = hospital.call(
        "POST",
        "requests",
        {
            "target_bank": bank,
            "patient_abo": "O",
            "patient_rhd": "+",
            "patient_female_cbp": False,
            "component": "PRC",
            "units": 2,
            "urgency": "emergency",
            "needed_by": drive["date"] + "T23:00:00+07:00",
            "note": "Perdarahan pasca persalinan",
        },
        expect=201,
    )
    donor_id = donor.call("GET", "donors/me")["id"]
    code = hospital.call("POST", f"requests/{blood_request['id']}/replacement-code", {}, expect=201)["code"]
    # The cold chain: a fridge of the bank, an out-of-range reading (an excursion), a count of it.
    fridge = staff.call(
        "POST",
        "storage-locations",
        {
            "site": bank,
            "code": f"K{uuid.uuid4().hex[:4]}",
            "name": "Kulkas darah",
            "kind": "fridge",
            "min_c": "2",
            "max_c": "6",
        },
        expect=201,
    )
    staff.call(
        "POST",
        f"storage-locations/{fridge['id']}/readings",
        {"taken_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(), "temperature_c": "9.5"},
        expect=201,
    )
    count = staff.call("POST", "reconciliations", {"location": fridge["id"], "scans": []}, expect=201)
    return {
        "replacement": code,
        "location": fridge["id"],
        "excursion": staff.call("GET", f"storage-locations/{fridge['id']}")["open_excursion"],
        "count": count["id"],
        "bank": bank,
        "drive": drive["id"],
        "donation": donation["id"],
        "request": blood_request["id"],
        "donor": donor_id,
        "appointment": appointment["id"],
        "separated": separated["id"],
        "unit": unit["id"],
    }

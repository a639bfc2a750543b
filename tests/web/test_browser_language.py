"""Every page, for every role, in Indonesian and in English, with real data from the api: no raw code
of the api's (`partly_allocated`, `in_testing`), no ISO date (2026-01-31) and, on an Indonesian
page, no English sentence of the api's or the web's catalogues (tests/web/language.py says what
counts). The pages are the walk of test_browser_every_page, which fails when a GET page of the web
is missing from it, so a new page is checked here too."""

import pytest
from language import PAGE_TEXT, api_codes, english_phrases, problems
from test_browser_donation_journey import log_in
from test_browser_every_page import pages_for

pytestmark = pytest.mark.browser


def test_the_check_knows_the_codes_and_sentences_it_looks_for():
    assert {"partly_allocated", "in_testing", "blood_bank_staff", "cant"} <= api_codes()
    assert "O" not in api_codes()  # a blood group is what people write
    assert "Must be in the future" in english_phrases()
    texts = ["Status: partly_allocated", "Tanggal 2026-01-31", "Must be in the future.", "Golongan O+"]
    assert len(problems(texts, "id")) == 3
    assert len(problems(texts, "en")) == 2
    # One-word codes are words of an English sentence, not of an Indonesian one.
    assert problems(["Status: submitted"], "id") and not problems(["It was submitted"], "en")
    assert problems(["Periksa: {'question': 'pregnant', 'answer': True}"], "en")
    # Indonesian writes a decimal comma; English keeps its point.
    assert problems(["Suhu 9.5 °C"], "id") and not problems(["Suhu 9,5 °C"], "id")
    assert not problems(["9.5 °C, 3.2 km"], "en")


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_shows_a_raw_code_an_iso_date_or_another_languages_sentence(
    request, chromium, live_stack, world, language
):
    found = []
    for role, pages in pages_for(world).items():
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        request.addfinalizer(context.close)
        context.set_default_timeout(15000)
        page = context.new_page()
        page.base = live_stack["web"]
        request.node.browser_page = page
        if role != "anonymous":
            log_in(page, role)
        page.goto(page.base + ("/login/" if role == "anonymous" else "/account/"))
        switch = page.get_by_role("button", name={"id": "Bahasa Indonesia", "en": "English"}[language])
        if switch.is_enabled():
            switch.click()
        for _name, path in pages:
            response = page.goto(page.base + path)
            assert response is not None and response.status == 200, f"{role} {path}: {response and response.status}"
            assert page.locator("html").get_attribute("lang") == language, (role, path)
            found += [f"{role} {path}: {problem}" for problem in problems(page.evaluate(PAGE_TEXT), language)]
    assert not found, "\n".join(dict.fromkeys(found))

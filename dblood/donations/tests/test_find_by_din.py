"""The lab finds a donation from its bag's scanned DIN: any form a scanner types, only at the
staff member's own banks, and a bad scan is a 400 naming the field in the caller's language."""

import pytest

from dblood.core import isbt
from dblood.inventory.tests.factories import make_donation

pytestmark = pytest.mark.django_db


def _ids(api, staff, din, **headers):
    response = api(staff).get("/api/v1/donations", {"din": din}, **headers)
    return response.status_code, response.json()


def test_every_form_of_the_scanned_din_finds_the_donation(api, staff_a, bank_a):
    donation = make_donation(site=bank_a)
    make_donation(site=bank_a)  # another DIN at the same bank
    din = donation.din
    check = isbt.check_character(din)
    product = "=<E0224V00"  # a product code scanned with it (concatenated) does not hide the donation
    for typed in (din, din + check, f"={din}00", f"={din}00{product}", f"{din[:5]} {din[5:7]} {din[7:]} {check}"):
        status, body = _ids(api, staff_a, typed)
        assert status == 200, (typed, body)
        assert [row["id"] for row in body["results"]] == [donation.pk], typed


def test_another_banks_donation_is_not_found(api, staff_b, bank_a):
    donation = make_donation(site=bank_a)
    status, body = _ids(api, staff_b, donation.din)
    assert status == 200 and body["count"] == 0


@pytest.mark.parametrize(("language", "word"), [("en", "check character"), ("id", "karakter")])
def test_a_bad_scan_is_a_400_naming_the_din_in_the_callers_language(api, staff_a, bank_a, language, word):
    donation = make_donation(site=bank_a)
    wrong = next(c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*" if c != isbt.check_character(donation.din))
    status, body = _ids(api, staff_a, donation.din + wrong, HTTP_ACCEPT_LANGUAGE=language)
    assert status == 400 and list(body["fields"]) == ["din"], body
    assert word in body["fields"]["din"][0].lower(), body

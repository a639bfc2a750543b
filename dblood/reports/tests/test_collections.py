"""Collections by donation type and group, and per drive, recomputed from the donation rows."""

from collections import Counter

import pytest

from dblood.donations.models import Donation
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from dblood.inventory.tests.factories import make_donation, make_donor

from .helpers import assert_files_agree, local

URL = "/api/v1/reports/collections"
MARCH = {"month": "2026-03"}
START, END = local(2026, 3, 1), local(2026, 4, 1)


def at_drive(drive, when, **typed):
    donor = make_donor()
    slot = drive.slots.first()
    appointment = Appointment.objects.create(
        donor=donor, slot=slot, date=drive.date, donation_type="whole_blood", status="completed"
    )
    return make_donation(site=drive.site, donor=donor, appointment=appointment, collected_at=when, **typed)


def build(bank_a, bank_b, scale=1):
    school = make_drive(bank_a, name="SMA 1")
    office = make_drive(bank_a, name="Kantor Pos")
    for _ in range(scale):
        at_drive(school, local(2026, 3, 3, 9), typed_abo="O", typed_rhd="+")
        at_drive(school, local(2026, 3, 3, 10), typed_abo="A", typed_rhd="-")
        at_drive(office, local(2026, 3, 31, 23, 59))  # not typed yet; the month's last minute
        make_donation(site=bank_a, collected_at=local(2026, 3, 15), typed_abo="O", typed_rhd="+")  # at the bank
        make_donation(
            site=bank_a,
            donation_type="apheresis_platelets",
            collected_at=local(2026, 3, 16),
            typed_abo="B",
            typed_rhd="+",
        )
        make_donation(site=bank_a, collected_at=local(2026, 4, 1, 0, 1), typed_abo="O", typed_rhd="+")  # April
        make_donation(site=bank_b, collected_at=local(2026, 3, 15), typed_abo="O", typed_rhd="+")  # other bank


def expected(site_ids):
    donations = [
        d
        for d in Donation.objects.select_related("appointment__slot__drive")
        if START <= d.collected_at < END and d.site_id in site_ids
    ]
    groups = Counter((d.donation_type, d.typed_abo, d.typed_rhd) for d in donations)
    drives = Counter(d.appointment.slot.drive.name if d.appointment else "" for d in donations)
    return groups, drives, len(donations)


def test_collections_match_the_donation_rows(api, staff_a, bank_a, bank_b):
    build(bank_a, bank_b)
    body = api(staff_a).get(URL, MARCH).json()
    groups, drives, total = expected({bank_a.pk})
    assert {(r["donation_type"], r["abo"], r["rhd"]): r["donations"] for r in body["rows"]} == groups
    assert groups[("whole_blood", "O", "+")] == 2 and groups[("whole_blood", "", "")] == 1
    assert {r["drive"]: r["donations"] for r in body["totals"]["by_drive"]} == drives
    assert drives == {"SMA 1": 2, "Kantor Pos": 1, "": 2}
    assert body["totals"]["donations"] == total == 5


def test_csv_and_xlsx_agree_with_the_json(api, staff_a, bank_a, bank_b):
    build(bank_a, bank_b)
    body = assert_files_agree(api(staff_a), URL, MARCH)
    assert body["totals"]["donations"] == 5


def test_admin_counts_the_nation(api, admin_user, bank_a, bank_b):
    build(bank_a, bank_b)
    body = api(admin_user).get(URL, MARCH).json()
    assert body["totals"]["donations"] == expected({bank_a.pk, bank_b.pk})[2] == 6


def test_queries_do_not_grow_with_the_rows(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    client = api(staff_a)
    build(bank_a, bank_b)
    client.get(URL, MARCH)
    with django_assert_num_queries(3):  # the banks' zones, by group, by drive
        client.get(URL, MARCH)
    build(bank_a, bank_b, scale=3)
    with django_assert_num_queries(3):
        assert client.get(URL, MARCH).json()["totals"]["donations"] == 5 + 15


@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who):
    assert api(request.getfixturevalue(who)).get(URL, MARCH).status_code == 403


def test_a_missing_period_is_a_400(api, staff_a):
    answer = api(staff_a).get(f"{URL}.csv")
    assert answer.status_code == 400 and "period" in answer.json()["fields"]


def test_codes_read_as_words_in_the_readers_language_on_every_form(api, staff_a, bank_a, bank_b):
    """The JSON keeps the code and gives its column the labels; the CSV and XLSX write the label."""
    build(bank_a, bank_b)
    client = api(staff_a)
    body = client.get(URL, MARCH, HTTP_ACCEPT_LANGUAGE="id").json()
    column = next(c for c in body["columns"] if c["key"] == "donation_type")
    assert column["labels"]["whole_blood"] == "Darah lengkap"
    assert {r["donation_type"] for r in body["rows"]} == {"whole_blood", "apheresis_platelets"}
    csv_text = client.get(f"{URL}.csv", MARCH, HTTP_ACCEPT_LANGUAGE="id").content.decode("utf-8-sig")
    assert "Darah lengkap" in csv_text and "whole_blood" not in csv_text and "apheresis_platelets" not in csv_text

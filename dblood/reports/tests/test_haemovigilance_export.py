"""The monthly haemovigilance export: its lines agree with the records, nobody can be found from
it, who may take it, and every download is recorded."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest

from dblood.accounts.models import Membership, User
from dblood.audit.models import AuditEvent
from dblood.core.blood import Component, DonationType
from dblood.haemovigilance.export import COLUMNS, age_band, reference
from dblood.haemovigilance.models import ReactionUnit
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit
from dblood.reports.models import ReportDownload
from dblood.requests.models import BloodRequest
from testing.personas import make_user

from .helpers import local
from .test_returns_and_haemovigilance import complication, reaction

URL = "/api/v1/reports/haemovigilance-export.csv"
MARCH = {"month": "2026-03"}
# What must never reach the export: the donor's and the patient's identity, and free text.
DONOR_NAME, DONOR_EMAIL, DONOR_PHONE = "Siti Rahayu Wulandari", "siti.rahayu@example.org", "+6281234567890"
PATIENT_NOTE = "Pasien Budi Santoso, RM 00-11-22-33"


def lines(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


@pytest.fixture
def month(bank_a, bank_b, hospital):
    """March at bank A: two coded complications (one of a known donor, one severe), a donor's
    report not coded yet, a February one; two reactions (one concluded with a lookback), one in
    April; and bank B's own complication and reaction."""
    user = make_user(DONOR_EMAIL)
    user.full_name = DONOR_NAME
    user.save(update_fields=["full_name"])
    donor = make_donor(user, phone=DONOR_PHONE, sex="F", birth_date=date(1990, 6, 15))
    make_donation(site=bank_a, donor=donor, collected_at=local(2025, 11, 2))  # an earlier donation
    known = complication(bank_a, local(2026, 3, 1, 0, 20), "haematoma", "non_severe")
    known.donation.donor, known.donation.collected_at = donor, local(2026, 3, 1)
    known.donation.save(update_fields=["donor", "collected_at"])
    known.note = f"{DONOR_NAME} bruised, call {DONOR_PHONE}"
    known.save(update_fields=["note"])
    severe = complication(bank_a, local(2026, 3, 31, 23, 50), "vasovagal_delayed_injury", "severe")
    uncoded = complication(bank_a, local(2026, 3, 7), status="reported")
    uncoded.donor_description = f"I am {DONOR_NAME}"
    uncoded.save(update_fields=["donor_description"])
    complication(bank_a, local(2026, 2, 28, 23), "haematoma", "non_severe")  # February
    complication(bank_b, local(2026, 3, 5), "haematoma", "severe")  # the other bank's

    request = BloodRequest.objects.create(
        hospital=hospital, target_bank=bank_a, patient_abo="A", patient_rhd="+", component="PRC", units=2,
        urgency="urgent", needed_by=local(2026, 3, 3), note=PATIENT_NOTE,
    )  # fmt: skip
    plain = reaction(bank_a, hospital, local(2026, 3, 3), "fnhtr", "non_severe")
    plain.note, plain.request = PATIENT_NOTE, request
    plain.save(update_fields=["note", "request"])
    concluded = reaction(bank_a, hospital, local(2026, 3, 5), "taco", "severe", concluded=("trali", "life_threatening"))
    concluded.conclusion = f"TRALI; {PATIENT_NOTE}"
    concluded.save(update_fields=["conclusion"])
    prc = make_unit(site=bank_a, component="PRC", state="transfused", donation=known.donation)
    ffp = make_unit(site=bank_a, component="FFP", state="transfused")
    ReactionUnit.objects.create(reaction=plain, unit=prc)
    ReactionUnit.objects.create(reaction=concluded, unit=prc)
    ReactionUnit.objects.create(reaction=concluded, unit=ffp)
    reaction(bank_a, hospital, local(2026, 4, 1, 0, 5), "allergic", "non_severe")  # April
    reaction(bank_b, hospital, local(2026, 3, 5), "allergic", "non_severe")  # the other bank's
    return {"donor": donor, "known": known, "severe": severe, "uncoded": uncoded, "plain": plain,
            "concluded": concluded, "prc": prc, "ffp": ffp, "request": request}  # fmt: skip


def test_the_lines_agree_with_the_records(api, staff_a, month, bank_a, hospital):
    response = api(staff_a).get(URL, MARCH)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv") and response["Cache-Control"] == "no-store"
    got = lines(response.content)
    assert list(got[0]) == list(COLUMNS)
    by_ref = {line["reference"]: line for line in got}
    # The coded complications of March at bank A (not the donor's uncoded report, February, bank B).
    complications = [line for line in got if line["record_type"] == "DC"]
    assert [line["reference"] for line in complications] == [
        reference("DC", month["known"].pk),
        reference("DC", month["severe"].pk),
    ]
    known = by_ref[reference("DC", month["known"].pk)]
    assert known | {"reference": ""} == {
        **dict.fromkeys(COLUMNS, ""),
        "record_type": "DC", "bank": bank_a.code, "event_date": "2026-03-01", "reported_date": "2026-03-01",
        "status": "recorded", "category": "haematoma", "severity": "non_severe", "onset": "during",
        "outcome": "resolved", "follow_up": "none_needed", "donation_type": "whole_blood", "donor_sex": "F",
        "donor_age_band": "35-44", "donor_first_donation": "no",
    }  # fmt: skip
    # 23:50 in Jakarta on 31 March is still March (the bank's local day), and a first donation.
    severe = by_ref[reference("DC", month["severe"].pk)]
    assert severe["event_date"] == "2026-03-31" and severe["donor_first_donation"] == "yes"
    assert severe["severity"] == "severe"

    reactions = [line for line in got if line["record_type"] == "TR"]
    assert [line["reference"] for line in reactions] == [
        reference("TR", month["plain"].pk),
        reference("TR", month["concluded"].pk),
    ]
    concluded = by_ref[reference("TR", month["concluded"].pk)]
    assert {k: concluded[k] for k in COLUMNS if concluded[k]} == {
        "record_type": "TR", "reference": reference("TR", month["concluded"].pk), "bank": bank_a.code,
        "event_date": "2026-03-04", "reported_date": "2026-03-05", "status": "concluded", "category": "trali",
        "severity": "life_threatening", "imputability": "likely", "minutes_from_start": "20",
        "hospital": hospital.code, "components": "FFP;PRC", "units": "2", "signs": "fever",
        "hospital_category": "taco", "hospital_severity": "severe", "hospital_imputability": "possible",
        "lookback": "no", "donor_deferred": "no",
    }  # fmt: skip
    plain = by_ref[reference("TR", month["plain"].pk)]
    assert (plain["category"], plain["status"], plain["units"]) == ("fnhtr", "reported", "1")
    assert plain["imputability"] == plain["hospital_imputability"] == "possible"


def test_no_identity_leaks(api, staff_a, admin_user, month):
    """Nothing in either export leads back to a donor or a patient: not their name, e-mail, phone,
    donor number, the DIN, any record id, nor the free text that may name them."""
    donor, request = month["donor"], month["request"]
    for client in (api(staff_a), api(admin_user)):
        text = client.get(URL, MARCH).content.decode("utf-8")
        for secret in (DONOR_NAME, "Siti", DONOR_EMAIL, DONOR_PHONE, "81234567890", donor.donor_number,
                       month["known"].donation.din, month["prc"].donation.din, "Budi", "RM 00", "bruised",
                       "Reviewed", "TRALI;"):  # fmt: skip
            assert secret not in text
        cells = {cell for line in csv.reader(io.StringIO(text)) for cell in line}
        ids = {donor.pk, donor.user_id, request.pk, month["known"].pk, month["known"].donation_id,
               month["plain"].pk, month["concluded"].pk, month["prc"].pk, month["ffp"].pk}  # fmt: skip
        assert not cells & {str(i) for i in ids} - {"1", "2", "20"}  # counts and minutes, not ids
        assert "1990" not in text  # no birth date, only its band


def test_the_reference_is_stable_and_keyed(settings, month):
    first = reference("DC", month["known"].pk)
    assert reference("DC", month["known"].pk) == first and len(first) == 20
    assert reference("TR", month["known"].pk) != first  # a kind of its own
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert reference("DC", month["known"].pk) != first  # without the key, nobody can recompute it


def test_age_bands():
    on = date(2026, 3, 1)
    assert age_band(date(2009, 3, 1), on) == "17-24"
    assert age_band(date(2001, 3, 2), on) == "17-24"  # 24 the day before the 25th birthday
    assert age_band(date(2001, 3, 1), on) == "25-34"
    assert age_band(date(1960, 1, 1), on) == "65+"
    assert age_band(None, on) == ""


def test_who_may_download(api, month, staff_a, staff_b, bank_a, bank_b, hospital_user, donor, admin_user):
    """Staff of the bank its own; another bank's staff not it; an administrator the nation or any
    bank; hospital staff, donors and nobody nothing."""
    assert api().get(URL, MARCH).status_code == 401
    for outsider in (hospital_user, donor):
        assert api(outsider).get(URL, MARCH).status_code == 403
    assert api(staff_b).get(URL, {**MARCH, "site": bank_a.pk}).status_code == 403
    own_b = {line["bank"] for line in lines(api(staff_b).get(URL, MARCH).content)}
    assert own_b == {bank_b.code}
    national = lines(api(admin_user).get(URL, MARCH).content)
    assert {line["bank"] for line in national} == {bank_a.code, bank_b.code} and len(national) == 6
    one = lines(api(admin_user).get(URL, {**MARCH, "site": bank_a.pk}).content)
    assert {line["bank"] for line in one} == {bank_a.code} and len(one) == 4


def test_staff_of_two_banks_pick_one_or_take_both(api, month, bank_a, bank_b):
    both = make_user("two@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=both, site=bank_a)
    Membership.objects.create(user=both, site=bank_b)
    assert {line["bank"] for line in lines(api(both).get(URL, MARCH).content)} == {bank_a.code, bank_b.code}
    picked = lines(api(both).get(URL, {**MARCH, "site": bank_b.pk}).content)
    assert {line["bank"] for line in picked} == {bank_b.code}


def test_every_download_is_recorded_and_audited(api, staff_a, admin_user, month, bank_a):
    api(staff_a).get(URL, MARCH)
    api(admin_user).get(URL, {"month": "2026-02"})
    staff_download, admin_download = ReportDownload.objects.order_by("id")
    assert (staff_download.by, staff_download.report, staff_download.format) == (
        staff_a,
        "haemovigilance_export",
        "csv",
    )
    assert staff_download.site_ids == [bank_a.pk]
    assert (staff_download.first_day, staff_download.last_day) == (date(2026, 3, 1), date(2026, 3, 31))
    assert admin_download.site_ids == [] and admin_download.first_day == date(2026, 2, 1)
    logged = AuditEvent.objects.filter(model="reports.ReportDownload").order_by("id")
    assert [(e.actor_email, e.after["report"], e.after["first_day"]) for e in logged] == [
        (staff_a.email, "haemovigilance_export", "2026-03-01"),
        (admin_user.email, "haemovigilance_export", "2026-02-01"),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "March"}, "month"),
        ({"day": "2026-03-01"}, "month"),
        ({"from": "2026-03-01", "to": "2026-03-31"}, "month"),
        ({"month": "2026-03", "day": "2026-03-01"}, "month"),
        ({"month": "2026-03", "site": "x"}, "site"),
    ],
)
def test_a_bad_month_is_a_400_naming_the_field_in_both_languages(api, staff_a, query, field):
    english = api(staff_a).get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = api(staff_a).get(URL, query, HTTP_ACCEPT_LANGUAGE="id")
    for answer in (english, indonesian):
        assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
        assert list(answer.json()["fields"]) == [field]
    assert english.json()["fields"][field] != indonesian.json()["fields"][field]
    assert not ReportDownload.objects.exists()  # a refused download is not recorded


def test_queries_do_not_grow_with_the_lines(api, staff_a, month, bank_a, hospital, django_assert_max_num_queries):
    client = api(staff_a)
    client.get(URL, MARCH)
    for _ in range(5):
        complication(bank_a, local(2026, 3, 10), "haematoma", "non_severe")
        extra = reaction(bank_a, hospital, local(2026, 3, 11), "allergic", "non_severe")
        ReactionUnit.objects.create(reaction=extra, unit=make_unit(site=bank_a, state="transfused"))
    # auth (2), scope (1), complications (1), reactions and their units (2), the download and its audit (2)
    with django_assert_max_num_queries(9):
        assert len(lines(client.get(URL, MARCH).content)) == 14


def test_a_donor_report_coded_later_appears_with_its_reference(api, staff_a, month):
    before = {line["reference"] for line in lines(api(staff_a).get(URL, MARCH).content)}
    uncoded = month["uncoded"]
    assert reference("DC", uncoded.pk) not in before
    uncoded.status, uncoded.category, uncoded.severity = "recorded", "vasovagal_delayed", "non_severe"
    uncoded.onset, uncoded.outcome, uncoded.follow_up = "delayed", "resolved", "advice"
    uncoded.save()
    after = {line["reference"] for line in lines(api(staff_a).get(URL, MARCH).content)}
    assert after == before | {reference("DC", uncoded.pk)}


def test_the_layout_document_lists_every_column_and_code():
    from dblood.haemovigilance import codes

    doc = (Path(__file__).resolve().parents[3] / "docs" / "haemovigilance-export.md").read_text()
    table = [line.split("|")[2].strip(" `") for line in doc.splitlines() if re.match(r"\| \d+ \| `", line)]
    assert table == list(COLUMNS)
    vocabularies = (
        codes.ComplicationCategory, codes.ComplicationSeverity, codes.Onset, codes.ComplicationOutcome,
        codes.FollowUp, codes.ReactionCategory, codes.ReactionSeverity, codes.Imputability, codes.Sign,
        DonationType, Component,
    )  # fmt: skip
    missing = [code for vocabulary in vocabularies for code in vocabulary.values if f"`{code}`" not in doc]
    assert not missing
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    assert "docs/haemovigilance-export.md" in readme

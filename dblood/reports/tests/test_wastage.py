"""Wastage: discards and expiries by component and reason, and the wastage rate, recomputed here
from the unit rows and their events in Python."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from dblood.audit.models import AuditEvent
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.inventory.tests.factories import make_unit
from dblood.reports.models import ReportDownload

from .helpers import csv_sections, local, number, place, xlsx_sheets

URL = "/api/v1/reports/wastage"
MARCH = {"month": "2026-03"}
START, END = local(2026, 3, 1), local(2026, 4, 1)


def made(site, component, when):
    unit = make_unit(site=site, component=component, state="quarantined")
    place(BloodUnit, unit.pk, created_at=when)
    return unit


def gone(unit, to, reason, when):
    event = UnitEvent.objects.create(unit=unit, from_state="available", to_state=to, reason=reason)
    place(UnitEvent, event.pk, at=when)
    BloodUnit.objects.filter(pk=unit.pk).update(state=to, discard_reason=reason if to == "discarded" else "")


def build(bank_a, bank_b, scale=1):
    """Units made and lost around March 2026 in Jakarta, the month's edges included."""
    for _ in range(scale):
        prc = [made(bank_a, "PRC", local(2026, 3, 10)) for _ in range(4)]
        plt = [made(bank_a, "PLT", local(2026, 3, 1, 0, 30)) for _ in range(2)]  # 1 March 00:30 local
        gone(prc[0], "discarded", "Broken bag", local(2026, 3, 12))
        gone(prc[1], "discarded", "Broken bag", local(2026, 3, 31, 23, 30))  # last half hour of March
        gone(prc[2], "expired", "Shelf life ended.", local(2026, 3, 20))
        gone(plt[0], "discarded", "Clumped", local(2026, 3, 2))
        gone(plt[1], "expired", "Shelf life ended.", local(2026, 4, 1, 0, 5))  # April: not counted
        old = made(bank_a, "FFP", local(2026, 2, 28, 23, 0))  # made in February
        gone(old, "discarded", "Haemolysed", local(2026, 3, 5))
        other = made(bank_b, "PRC", local(2026, 3, 10))  # another bank: never in bank A's report
        gone(other, "discarded", "Broken bag", local(2026, 3, 11))


def expected(site_ids):
    """The report recomputed row by row in Python: the independent count."""
    events = [
        e
        for e in UnitEvent.objects.select_related("unit")
        if e.to_state in ("discarded", "expired") and START <= e.at < END and e.unit.site_id in site_ids
    ]
    by_reason = Counter((e.unit.component, e.to_state, e.reason) for e in events)
    units_made = Counter(
        u.component for u in BloodUnit.objects.all() if START <= u.created_at < END and u.site_id in site_ids
    )
    wasted = Counter(e.unit.component for e in events)
    rate = {c: round(100 * wasted[c] / units_made[c], 1) if units_made[c] else None for c in {*units_made, *wasted}}
    return by_reason, units_made, rate, len(events)


def test_wastage_matches_the_unit_rows(api, staff_a, bank_a, bank_b):
    build(bank_a, bank_b)
    answer = api(staff_a).get(URL, MARCH)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    by_reason, units_made, rate, wasted = expected({bank_a.pk})
    assert {(r["component"], r["outcome"], r["reason"]): r["units"] for r in body["rows"]} == by_reason
    assert by_reason == {
        ("PRC", "discarded", "Broken bag"): 2,
        ("PRC", "expired", "Shelf life ended."): 1,
        ("PLT", "discarded", "Clumped"): 1,
        ("FFP", "discarded", "Haemolysed"): 1,
    }
    per = {r["component"]: r for r in body["totals"]["by_component"]}
    assert {c: r["made"] for c, r in per.items() if r["made"]} == units_made
    assert {c: r["wastage_rate"] for c, r in per.items()} == rate
    # FFP: one lost, none made in March: no rate (not 0 %, not infinity).
    assert per["FFP"]["wastage_rate"] is None and per["PRC"]["wastage_rate"] == 75.0
    totals = body["totals"]
    assert totals["made"] == sum(units_made.values()) == 6
    assert totals["discarded"] + totals["expired"] == wasted == 5
    assert totals["wastage_rate"] == round(100 * 5 / 6, 1)
    assert body["site_ids"] == [bank_a.pk] and body["timezone"] == "Asia/Jakarta"
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}


def test_csv_and_xlsx_carry_the_same_numbers_and_are_audited(api, staff_a, bank_a, bank_b):
    build(bank_a, bank_b)
    client = api(staff_a)
    body = client.get(URL, MARCH).json()
    rows = [[r["component"], r["outcome"], r["reason"], r["units"]] for r in body["rows"]]
    # The outcome code is written as its label, in the language of each file's reader.
    outcomes = {
        "en": {"discarded": "Discarded", "expired": "Expired"},
        "id": {"discarded": "Dimusnahkan", "expired": "Kedaluwarsa"},
    }
    words = {lang: [[c, table[o], r, n] for c, o, r, n in rows] for lang, table in outcomes.items()}
    per = [
        [r["component"], r["made"], r["discarded"], r["expired"], r["wastage_rate"]]
        for r in body["totals"]["by_component"]
    ]

    as_csv = client.get(f"{URL}.csv", MARCH, HTTP_ACCEPT_LANGUAGE="en")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert as_csv["Cache-Control"] == "no-store"
    main, totals, by_component = csv_sections(as_csv.content)
    assert main[0] == ["Component", "Outcome", "Reason", "Units"]
    assert [[*line[:3], number(line[3])] for line in main[1:]] == words["en"]
    assert ["Wastage rate (%)", str(body["totals"]["wastage_rate"])] in totals
    assert [[line[0], *map(number, line[1:])] for line in by_component[2:]] == per

    as_xlsx = client.get(f"{URL}.xlsx", MARCH, HTTP_ACCEPT_LANGUAGE="id")
    assert as_xlsx.status_code == 200 and as_xlsx["Cache-Control"] == "no-store"
    sheets = list(xlsx_sheets(as_xlsx.content).values())
    assert sheets[0][0] == ["Komponen", "Hasil", "Alasan", "Unit"]  # the caller's language
    assert [list(line) for line in sheets[0][1:]] == words["id"]
    assert [list(line) for line in sheets[2][1:]] == per

    downloads = ReportDownload.objects.filter(by=staff_a, report="wastage").order_by("id")
    assert [(d.format, d.site_ids, str(d.first_day), str(d.last_day)) for d in downloads] == [
        ("csv", [bank_a.pk], "2026-03-01", "2026-03-31"),
        ("xlsx", [bank_a.pk], "2026-03-01", "2026-03-31"),
    ]
    logged = AuditEvent.objects.filter(model="reports.ReportDownload", action="create")
    assert {e.actor_id for e in logged} == {staff_a.pk} and logged.count() == 2


def test_a_reason_typed_as_a_formula_stays_text(api, staff_a, bank_a):
    unit = made(bank_a, "PRC", local(2026, 3, 3))
    gone(unit, "discarded", '=HYPERLINK("http://x")', local(2026, 3, 4))
    client = api(staff_a)
    main = csv_sections(client.get(f"{URL}.csv", MARCH).content)[0]
    assert main[1][2] == '\'=HYPERLINK("http://x")'
    sheet = list(xlsx_sheets(client.get(f"{URL}.xlsx", MARCH).content).values())[0]
    assert sheet[1][2] == '\'=HYPERLINK("http://x")'


def test_admin_sees_the_nation_or_one_bank(api, admin_user, bank_a, bank_b):
    build(bank_a, bank_b)
    client = api(admin_user)
    national = client.get(URL, MARCH).json()
    assert national["site_ids"] is None
    assert national["totals"]["made"] == expected({bank_a.pk, bank_b.pk})[1].total() == 7
    one = client.get(URL, {**MARCH, "site": bank_b.pk}).json()
    assert one["totals"]["made"] == 1 and one["totals"]["discarded"] == 1


def test_queries_do_not_grow_with_the_rows(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    client = api(staff_a)
    build(bank_a, bank_b)
    client.get(URL, MARCH)  # warm the token cache
    with django_assert_num_queries(3):  # the banks' zones, the losses, the units made
        small = client.get(URL, MARCH).json()
    build(bank_a, bank_b, scale=3)
    with django_assert_num_queries(3):
        large = client.get(URL, MARCH).json()
    assert large["totals"]["made"] == 4 * small["totals"]["made"]


@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who):
    user = request.getfixturevalue(who)
    for suffix in ("", ".csv", ".xlsx"):
        assert api(user).get(f"{URL}{suffix}", MARCH).status_code == 403
    assert api().get(URL, MARCH).status_code == 401
    assert not ReportDownload.objects.exists()


def test_staff_may_not_ask_for_another_bank(api, staff_a, bank_b):
    answer = api(staff_a).get(URL, {**MARCH, "site": bank_b.pk})
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "period"),
        ({"day": "2026-02-30"}, "day"),
        ({"month": "2026-13"}, "month"),
        ({"from": "2026-01-01"}, "to"),
        ({"to": "2026-01-01"}, "from"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),  # 367 days
        ({"day": "2026-03-01", "month": "2026-03"}, "day"),
        ({"month": "2026-03", "site": "x"}, "site"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_field(api, staff_a, query, field):
    for suffix in ("", ".csv", ".xlsx"):
        answer = api(staff_a).get(f"{URL}{suffix}", query)
        assert answer.status_code == 400, (suffix, answer.content)
        assert field in answer.json()["fields"]


def test_366_days_and_a_single_day_are_accepted(api, staff_a, bank_a):
    made(bank_a, "PRC", datetime(2026, 3, 9, 17, 30, tzinfo=UTC))  # 10 March 00:30 in Jakarta
    client = api(staff_a)
    assert client.get(URL, {"from": "2025-03-11", "to": "2026-03-11"}).status_code == 200
    assert client.get(URL, {"day": "2026-03-10"}).json()["totals"]["made"] == 1
    assert client.get(URL, {"day": "2026-03-09"}).json()["totals"]["made"] == 0


def test_days_are_the_banks_own_local_days(api, staff_a, bank_a):
    bank_a.timezone = "Asia/Jayapura"  # UTC+9
    bank_a.save()
    made(bank_a, "PRC", datetime(2026, 3, 31, 16, 0, tzinfo=UTC))  # 1 April 01:00 in Jayapura
    client = api(staff_a)
    march = client.get(URL, MARCH).json()
    assert march["timezone"] == "Asia/Jayapura" and march["totals"]["made"] == 0
    assert client.get(URL, {"day": "2026-04-01"}).json()["totals"]["made"] == 1

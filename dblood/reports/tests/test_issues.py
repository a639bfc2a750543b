"""Issues by hospital and component, recomputed from the units' issue events."""

from collections import Counter

import pytest

from dblood.inventory.models import UnitEvent
from dblood.inventory.tests.factories import make_unit
from dblood.sites.models import Site
from testing.personas import make_site

from .helpers import assert_files_agree, local, place

URL = "/api/v1/reports/issues"
MARCH = {"month": "2026-03"}
START, END = local(2026, 3, 1), local(2026, 4, 1)


def issue(bank, hospital, component, when):
    unit = make_unit(site=bank, component=component, state="issued", issued_to=hospital, issued_at=when)
    event = UnitEvent.objects.create(unit=unit, from_state="reserved", to_state="issued")
    place(UnitEvent, event.pk, at=when)
    return unit


def build(bank_a, bank_b, hospital, scale=1):
    other = Site.objects.filter(code="rs-2").first() or make_site("rs-2", kind=Site.Kind.HOSPITAL, name="RS Dua")
    for _ in range(scale):
        issue(bank_a, hospital, "PRC", local(2026, 3, 2))
        issue(bank_a, hospital, "PRC", local(2026, 3, 1, 0, 10))  # the month's first minutes, local
        issue(bank_a, hospital, "FFP", local(2026, 3, 20))
        issue(bank_a, other, "PRC", local(2026, 3, 31, 23, 50))
        issue(bank_a, other, "PRC", local(2026, 2, 28, 23, 50))  # February
        issue(bank_b, other, "PRC", local(2026, 3, 5))  # another bank's issue
    return other


def expected(site_ids):
    events = [
        e
        for e in UnitEvent.objects.select_related("unit__issued_to")
        if e.to_state == "issued" and START <= e.at < END and e.unit.site_id in site_ids
    ]
    return Counter((e.unit.issued_to.name, e.unit.component) for e in events)


def test_issues_match_the_issue_events(api, staff_a, bank_a, bank_b, hospital):
    build(bank_a, bank_b, hospital)
    body = api(staff_a).get(URL, MARCH).json()
    counts = expected({bank_a.pk})
    assert {(r["hospital"], r["component"]): r["units"] for r in body["rows"]} == counts
    assert counts == {(hospital.name, "PRC"): 2, (hospital.name, "FFP"): 1, ("RS Dua", "PRC"): 1}
    assert body["totals"]["units"] == counts.total() == 4
    assert {r["hospital_id"] for r in body["rows"]} == {hospital.pk, Site.objects.get(code="rs-2").pk}


def test_csv_and_xlsx_agree_with_the_json(api, staff_a, bank_a, bank_b, hospital):
    build(bank_a, bank_b, hospital)
    assert assert_files_agree(api(staff_a), URL, MARCH)["totals"]["units"] == 4


def test_staff_of_the_other_bank_see_only_theirs(api, staff_b, bank_a, bank_b, hospital):
    build(bank_a, bank_b, hospital)
    body = api(staff_b).get(URL, MARCH).json()
    assert [(r["hospital"], r["units"]) for r in body["rows"]] == [("RS Dua", 1)]


def test_queries_do_not_grow_with_the_rows(api, staff_a, bank_a, bank_b, hospital, django_assert_num_queries):
    client = api(staff_a)
    build(bank_a, bank_b, hospital)
    client.get(URL, MARCH)
    with django_assert_num_queries(2):  # the banks' zones, the issues
        client.get(URL, MARCH)
    build(bank_a, bank_b, hospital, scale=3)
    with django_assert_num_queries(2):
        assert client.get(URL, MARCH).json()["totals"]["units"] == 16


@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who):
    for suffix in ("", ".csv", ".xlsx"):
        assert api(request.getfixturevalue(who)).get(f"{URL}{suffix}", MARCH).status_code == 403


def test_a_bad_month_is_a_400(api, staff_a):
    answer = api(staff_a).get(f"{URL}.xlsx", {"month": "March"})
    assert answer.status_code == 400 and "month" in answer.json()["fields"]

"""Returns, donor complications and transfusion reactions, recomputed from their rows."""

from collections import Counter
from datetime import timedelta

import pytest

from dblood.haemovigilance.models import DonorComplication, TransfusionReaction
from dblood.inventory.tests.factories import make_donation, make_unit
from dblood.returns.models import UnitReturn

from .helpers import assert_files_agree, local

MARCH = {"month": "2026-03"}
START, END = local(2026, 3, 1), local(2026, 4, 1)


def returned(bank, hospital, component, decision, when):
    unit = make_unit(site=bank, component=component, state="available" if decision == "restocked" else "issued")
    return UnitReturn.objects.create(
        unit=unit,
        hospital=hospital,
        bank=bank,
        left_storage_at=when - timedelta(minutes=20),
        temperature_c=5,
        validated_box=True,
        returned_at=when,
        minutes_out=20,
        decision=decision,
    )


def build_returns(bank_a, bank_b, hospital, scale=1):
    for _ in range(scale):
        returned(bank_a, hospital, "PRC", "restocked", local(2026, 3, 2))
        returned(bank_a, hospital, "PRC", "restocked", local(2026, 3, 31, 23, 45))
        returned(bank_a, hospital, "FFP", "discarded", local(2026, 3, 8))
        returned(bank_a, hospital, "PRC", "", local(2026, 3, 9))  # awaiting inspection
        returned(bank_a, hospital, "PRC", "restocked", local(2026, 4, 1, 0, 15))  # April
        returned(bank_b, hospital, "PRC", "discarded", local(2026, 3, 9))  # the other bank's


def test_returns_match_the_rows(api, staff_a, bank_a, bank_b, hospital):
    build_returns(bank_a, bank_b, hospital)
    body = api(staff_a).get("/api/v1/reports/returns", MARCH).json()
    mine = [
        r for r in UnitReturn.objects.select_related("unit") if START <= r.returned_at < END and r.bank_id == bank_a.pk
    ]
    want = Counter((r.hospital_id, r.unit.component, r.decision) for r in mine)
    assert {(r["hospital_id"], r["component"], r["decision"]): r["returns"] for r in body["rows"]} == want
    assert body["totals"] == {"returns": 4, "restocked": 2, "discarded": 1, "pending": 1}
    assert_files_agree(api(staff_a), "/api/v1/reports/returns", MARCH)


def complication(site, when, category="", severity="", status="recorded"):
    coded = dict(onset="during", outcome="resolved", follow_up="none_needed") if status == "recorded" else {}
    return DonorComplication.objects.create(
        donation=make_donation(site=site),
        site=site,
        status=status,
        category=category,
        severity=severity,
        occurred_at=when,
        reported_at=when,
        donor_symptoms=[] if status == "recorded" else ["faint"],
        **coded,
    )


def build_complications(bank_a, bank_b, scale=1):
    for _ in range(scale):
        complication(bank_a, local(2026, 3, 1, 0, 20), "haematoma", "non_severe")
        complication(bank_a, local(2026, 3, 5), "haematoma", "non_severe")
        complication(bank_a, local(2026, 3, 6), "vasovagal_delayed_injury", "severe")
        complication(bank_a, local(2026, 3, 7), status="reported")  # the donor's report, not coded yet
        complication(bank_a, local(2026, 2, 28, 23), "haematoma", "non_severe")  # February
        complication(bank_b, local(2026, 3, 5), "haematoma", "severe")  # the other bank's


def test_complications_match_the_rows(api, staff_a, bank_a, bank_b):
    build_complications(bank_a, bank_b)
    body = api(staff_a).get("/api/v1/reports/complications", MARCH).json()
    mine = [c for c in DonorComplication.objects.all() if START <= c.occurred_at < END and c.site_id == bank_a.pk]
    want = Counter((c.category, c.severity) for c in mine)
    assert {(r["category"], r["severity"]): r["complications"] for r in body["rows"]} == want
    assert want[("haematoma", "non_severe")] == 2 and want[("", "")] == 1
    assert body["totals"] == {"complications": 4, "uncoded": 1}
    assert_files_agree(api(staff_a), "/api/v1/reports/complications", MARCH)


def reaction(bank, hospital, when, category, severity, concluded=None):
    values = dict(
        hospital=hospital,
        bank=bank,
        category=category,
        severity=severity,
        imputability="possible",
        transfusion_started_at=when - timedelta(minutes=30),
        onset_at=when - timedelta(minutes=10),
        minutes_from_start=20,
        signs=["fever"],
        reported_at=when,
    )
    if concluded:
        values.update(
            status="concluded",
            concluded_category=concluded[0],
            concluded_severity=concluded[1],
            concluded_imputability="likely",
            conclusion="Reviewed.",
            concluded_at=when + timedelta(days=1),
        )
    return TransfusionReaction.objects.create(**values)


def build_reactions(bank_a, bank_b, hospital, scale=1):
    for _ in range(scale):
        reaction(bank_a, hospital, local(2026, 3, 3), "fnhtr", "non_severe")
        reaction(bank_a, hospital, local(2026, 3, 4), "allergic", "non_severe", concluded=("fnhtr", "non_severe"))
        reaction(bank_a, hospital, local(2026, 3, 5), "taco", "severe", concluded=("trali", "life_threatening"))
        reaction(bank_a, hospital, local(2026, 4, 1, 1), "fnhtr", "non_severe")  # April
        reaction(bank_b, hospital, local(2026, 3, 5), "fnhtr", "non_severe")  # the other bank's


def test_reactions_are_counted_as_the_bank_concluded_them(api, staff_a, bank_a, bank_b, hospital):
    build_reactions(bank_a, bank_b, hospital)
    body = api(staff_a).get("/api/v1/reports/reactions", MARCH).json()
    mine = [r for r in TransfusionReaction.objects.all() if START <= r.reported_at < END and r.bank_id == bank_a.pk]
    final = Counter((r.concluded_category or r.category, r.concluded_severity or r.severity) for r in mine)
    done = Counter((r.concluded_category, r.concluded_severity) for r in mine if r.status == "concluded")
    got = {(r["category"], r["severity"]): r for r in body["rows"]}
    assert {k: r["reactions"] for k, r in got.items()} == final
    assert {k: r["concluded"] for k, r in got.items() if r["concluded"]} == done
    assert final == {("fnhtr", "non_severe"): 2, ("trali", "life_threatening"): 1}
    assert body["totals"] == {"reactions": 3, "concluded": 2}
    assert_files_agree(api(staff_a), "/api/v1/reports/reactions", MARCH)


@pytest.mark.parametrize("name", ["returns", "complications", "reactions"])
def test_queries_do_not_grow_with_the_rows(api, staff_a, bank_a, bank_b, hospital, name, django_assert_num_queries):
    build = {
        "returns": lambda n: build_returns(bank_a, bank_b, hospital, n),
        "complications": lambda n: build_complications(bank_a, bank_b, n),
        "reactions": lambda n: build_reactions(bank_a, bank_b, hospital, n),
    }[name]
    client = api(staff_a)
    url = f"/api/v1/reports/{name}"
    build(1)
    small = client.get(url, MARCH).json()["totals"]
    with django_assert_num_queries(2):  # the banks' zones, the rows
        client.get(url, MARCH)
    build(3)
    with django_assert_num_queries(2):
        large = client.get(url, MARCH).json()["totals"]
    assert large == {key: 4 * value for key, value in small.items()}


@pytest.mark.parametrize("name", ["returns", "complications", "reactions"])
def test_admin_sees_the_nation(api, admin_user, bank_a, bank_b, hospital, name):
    build_returns(bank_a, bank_b, hospital)
    build_complications(bank_a, bank_b)
    build_reactions(bank_a, bank_b, hospital)
    totals = api(admin_user).get(f"/api/v1/reports/{name}", MARCH).json()["totals"]
    assert totals[name] == {"returns": 5, "complications": 5, "reactions": 4}[name]


@pytest.mark.parametrize("name", ["returns", "complications", "reactions"])
@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who, name):
    # Hospital staff report reactions, but the bank's counts across hospitals are not theirs.
    assert api(request.getfixturevalue(who)).get(f"/api/v1/reports/{name}", MARCH).status_code == 403

"""Stock at the end of a chosen day, reconstructed from the unit events; checked here by replaying
each unit's events in Python."""

from collections import Counter

import pytest

from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.inventory.tests.factories import make_unit

from .helpers import assert_files_agree, local, place

URL = "/api/v1/reports/daily_stock"
DAY = {"day": "2026-03-10"}
T = local(2026, 3, 11)  # the end of 10 March in Jakarta


def unit_with(site, history, *, component="PRC", abo="O", rhd="+", expires=None):
    """A unit and its state changes: [(to_state, when), ...] starting from quarantine."""
    unit = make_unit(site=site, component=component, abo=abo, rhd=rhd, state=history[-1][0])
    place(BloodUnit, unit.pk, expires_at=expires or local(2026, 4, 30))
    state = "quarantined"
    for to, when in history:
        event = UnitEvent.objects.create(unit=unit, from_state=state, to_state=to)
        place(UnitEvent, event.pk, at=when)
        state = to
    return unit


def build(bank_a, bank_b, scale=1):
    for _ in range(scale):
        unit_with(bank_a, [("available", local(2026, 3, 1)), ("reserved", local(2026, 3, 12))])  # on the shelf at T
        unit_with(
            bank_a,
            [("available", local(2026, 3, 1)), ("reserved", local(2026, 3, 5)), ("issued", local(2026, 3, 6))],
        )  # gone before T, one issue in the window
        unit_with(bank_a, [("available", local(2026, 3, 1))], expires=local(2026, 3, 10, 12))  # expired by T
        unit_with(bank_a, [("available", local(2026, 3, 11, 0, 5))])  # shelved after T
        unit_with(
            bank_a,
            [("available", local(2026, 3, 2)), ("quarantined", local(2026, 3, 3)), ("available", local(2026, 3, 4))],
            component="TC",
            abo="A",
            rhd="-",
        )  # back on the shelf after a quarantine
        unit_with(
            bank_a,
            [("available", local(2026, 1, 1)), ("reserved", local(2026, 1, 2)), ("issued", local(2026, 1, 3))],
            expires=local(2026, 6, 1),
        )  # issued before the demand window
        unit_with(bank_b, [("available", local(2026, 3, 1))])  # the other bank's


def replayed(site_ids):
    """Each unit's state at T by replaying its events: the independent count."""
    shelf, issued = Counter(), Counter()
    for unit in BloodUnit.objects.filter(site_id__in=site_ids).prefetch_related("events"):
        before = sorted((e for e in unit.events.all() if e.at < T), key=lambda e: (e.at, e.id))
        key = (unit.abo, unit.rhd, unit.component)
        if before and before[-1].to_state == "available" and unit.expires_at > T:
            shelf[key] += 1
        issued[key] += sum(1 for e in before if e.to_state == "issued" and (T - e.at).days < 30)
    return shelf, issued


def test_the_shelf_at_the_end_of_the_day_is_the_replayed_events(api, staff_a, bank_a, bank_b):
    build(bank_a, bank_b)
    body = api(staff_a).get(URL, DAY).json()
    shelf, issued = replayed({bank_a.pk})
    got = {(r["abo"], r["rhd"], r["component"]): r for r in body["rows"]}
    assert {k: r["available"] for k, r in got.items() if r["available"]} == +shelf
    assert {k: r["issued_in_window"] for k, r in got.items() if r["issued_in_window"]} == +issued
    assert +shelf == {("O", "+", "PRC"): 1, ("A", "-", "TC"): 1}
    assert got[("O", "+", "PRC")]["days_of_supply"] == round(1 / (1 / 30), 1) == 30.0
    assert got[("A", "-", "TC")]["days_of_supply"] is None  # no issues: unbounded, not 0
    assert body["totals"] == {"available": 2, "window_days": 30}
    assert_files_agree(api(staff_a), URL, DAY)


def test_a_month_or_a_range_is_refused(api, staff_a):
    for query in ({"month": "2026-03"}, {"from": "2026-03-01", "to": "2026-03-02"}):
        answer = api(staff_a).get(URL, query)
        assert answer.status_code == 400 and "day" in answer.json()["fields"]


def test_queries_do_not_grow_with_the_rows(api, staff_a, bank_a, bank_b, django_assert_num_queries):
    client = api(staff_a)
    build(bank_a, bank_b)
    client.get(URL, DAY)
    with django_assert_num_queries(3):  # the banks' zones, the shelf, the issues
        client.get(URL, DAY)
    build(bank_a, bank_b, scale=3)
    with django_assert_num_queries(3):
        assert client.get(URL, DAY).json()["totals"]["available"] == 8


def test_admin_counts_the_nation(api, admin_user, bank_a, bank_b):
    build(bank_a, bank_b)
    assert api(admin_user).get(URL, DAY).json()["totals"]["available"] == 3


@pytest.mark.parametrize("who", ["hospital_user", "donor"])
def test_hospital_staff_and_donors_are_refused(api, request, who):
    assert api(request.getfixturevalue(who)).get(f"{URL}.xlsx", DAY).status_code == 403

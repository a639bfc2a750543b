"""The ranking stated once (`ranking.rank`), and the head of the ranking (`selectors._head`): the
ORM ranking orders units exactly as `rank` does, and the head (read shelf by shelf: an O patient's
plasma from banks that hold none ranked 133,000 units) is the top of that same ranking."""

import itertools
import random
import threading

import pytest
from django.db import connection, transaction

from dblood.core.blood import ABO, RhD
from dblood.core.geo import haversine_km
from dblood.inventory.models import BloodUnit
from dblood.notifications.tests.factories import make_unit
from dblood.requests import selectors
from dblood.requests.ranking import rank
from dblood.requests.selectors import SKIP_MARGIN, best_units, best_units_locked, proposable_units
from dblood.requests.services import allocation_auto
from testing.personas import make_site

GROUPS = [(abo, rhd) for abo in ABO.values for rhd in RhD.values]


@pytest.fixture
def country(bank_a, bank_b):
    """Five blood banks (one inactive) and a hospital, with a seeded mix of units of every group,
    three components and expiries that tie across banks. The target bank (bank_a) has no plasma."""
    banks = [
        bank_a,
        bank_b,
        make_site("bank-c", name="UDD C", latitude=-7.25, longitude=112.75),
        make_site("bank-d", name="UDD D", latitude=-6.3, longitude=106.9),
        make_site("bank-x", name="UDD X", latitude=-6.21, longitude=106.84, is_active=False),
    ]
    shelves = [*banks, make_site("hosp-z", kind="hospital", name="RS Z", latitude=-6.2, longitude=106.8)]
    rng = random.Random(8)
    for site in shelves:
        for component in ("PRC", "FFP", "TC"):
            if site == bank_a and component == "FFP":
                continue
            for _ in range(7):
                abo, rhd = rng.choice(GROUPS)
                make_unit(site, abo=abo, rhd=rhd, component=component, days_left=rng.choice([1, 2, 2, 5, 30]))
    make_unit(bank_b, abo="O", rhd="-", component="PRC", state="reserved")
    return banks


def _ranked_in_python(blood_request, candidates):
    target = blood_request.target_bank

    def key(unit):
        distance = haversine_km(target.latitude, target.longitude, unit.site.latitude, unit.site.longitude)
        return rank(
            patient_abo=blood_request.patient_abo,
            patient_rhd=blood_request.patient_rhd,
            target_site_id=target.pk,
            unit_abo=unit.abo,
            unit_rhd=unit.rhd,
            unit_site_id=unit.site_id,
            distance_km=round(distance, 6),
            expires_at=unit.expires_at,
            unit_id=unit.pk,
        )

    return [unit.pk for unit in sorted(candidates, key=key)]


@pytest.mark.django_db
def test_the_orm_ranking_is_rank(country, make_request):
    """`proposable_units` orders its units as `ranking.rank` sorts them (the SQL statements are
    checked against `proposable_units` below): a key reordered or changed in one place fails here."""
    cases = itertools.product(("PRC", "FFP", "TC"), ABO.values, RhD.values, (False, True))
    compared = 0
    for component, abo, rhd, female_cbp in cases:
        blood_request = make_request(
            component=component, patient_abo=abo, patient_rhd=rhd, patient_female_cbp=female_cbp, units=1
        )
        ranked = list(proposable_units(blood_request=blood_request).select_related("site"))
        # The same candidates, in the order `rank` gives them (distances agree to well under a metre).
        assert [unit.pk for unit in ranked] == _ranked_in_python(blood_request, ranked), (component, abo, rhd)
        compared += len(ranked) > 1
    assert compared > 30  # most cases have several candidates to order


@pytest.mark.django_db
def test_the_head_is_the_top_of_the_whole_ranking(country, make_request, django_assert_num_queries):
    cases = itertools.product(("PRC", "FFP", "TC"), ABO.values, RhD.values, (False, True))
    for component, abo, rhd, female_cbp in cases:
        for limit in (1, 2, 3, 5):
            blood_request = make_request(
                component=component, patient_abo=abo, patient_rhd=rhd, patient_female_cbp=female_cbp, units=limit
            )
            expected = [unit.pk for unit in proposable_units(blood_request=blood_request)[:limit]]
            # One statement when the stock covers the request; the whole ranking only when it is short.
            with django_assert_num_queries(1 if len(expected) == limit else 2):
                chosen = best_units(blood_request=blood_request, limit=limit)
            assert [unit.pk for unit in chosen] == expected, (component, abo, rhd, female_cbp, limit)
            with transaction.atomic(), django_assert_num_queries(1 if len(expected) == limit else 2):
                locked = best_units_locked(blood_request=blood_request, limit=limit)
                dins = [unit.donation.din for unit in locked]  # read with the units
            assert [unit.pk for unit in locked] == expected, (component, abo, rhd, female_cbp, limit)
            din_of = dict(BloodUnit.objects.filter(pk__in=expected).values_list("pk", "donation__din"))
            assert dins == [din_of[pk] for pk in expected]


@pytest.mark.django_db
def test_without_lateral_the_whole_ranking_is_read(country, make_request, monkeypatch, django_assert_num_queries):
    """SQLite (`make run`) has no LATERAL: one statement ranking everything, the same answer."""
    blood_request = make_request(component="FFP", patient_abo="O", patient_rhd="+", units=3)
    expected = [unit.pk for unit in proposable_units(blood_request=blood_request)[:3]]

    class SQLite:
        vendor = "sqlite"

    monkeypatch.setattr(selectors, "connection", SQLite())
    with django_assert_num_queries(1):
        chosen = best_units(blood_request=blood_request, limit=3)
    assert [unit.pk for unit in chosen] == expected
    with transaction.atomic(), django_assert_num_queries(1):
        locked = best_units_locked(blood_request=blood_request, limit=3)
    assert [unit.pk for unit in locked] == expected


def _hold_locks(unit_ids, locked: threading.Event, release: threading.Event):
    """Another clerk's transaction, holding these unit rows locked until `release`."""
    try:
        with transaction.atomic():
            list(BloodUnit.objects.select_for_update().filter(pk__in=unit_ids))
            locked.set()
            release.wait(timeout=30)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held", [3, SKIP_MARGIN + 2])
def test_units_other_clerks_hold_are_skipped_however_many(make_request, staff_a, bank_a, held):
    """Held units are skipped, not waited for: a few come out of the head's margin; more than the
    margin, and the whole ranking is read, so the clerk still gets the next free units."""
    units = [make_unit(bank_a, abo="A", rhd="+", days_left=day) for day in range(1, SKIP_MARGIN + 6)]
    locked, release = threading.Event(), threading.Event()
    other = threading.Thread(target=_hold_locks, args=([u.pk for u in units[:held]], locked, release))
    other.start()
    try:
        assert locked.wait(timeout=30)
        blood_request = make_request(units=2)
        allocations = allocation_auto(blood_request=blood_request, by=staff_a)
    finally:
        release.set()
        other.join(timeout=30)
    assert sorted(a.unit_id for a in allocations) == [u.pk for u in units[held : held + 2]]

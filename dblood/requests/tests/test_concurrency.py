"""No unit is ever in two requests, even when many clerks allocate at once (real PostgreSQL)."""

import threading

import pytest
from django.db import connection

from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_auto, allocation_reserve

THREADS = 24
SCARCE = 5


def _race(work, items):
    barrier = threading.Barrier(len(items))
    results: list[str] = []
    lock = threading.Lock()

    def run(item):
        try:
            barrier.wait()
            work(item)
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # noqa: BLE001 - any other failure is reported by the test
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _assert_each_unit_in_at_most_one_request():
    for unit in BloodUnit.objects.all():
        active = Allocation.objects.filter(unit=unit, status__in=Allocation.ACTIVE).count()
        assert active == (1 if unit.state == BloodUnit.State.RESERVED else 0), unit


@pytest.mark.django_db(transaction=True)
def test_concurrent_auto_allocations_over_scarce_units(make_request, staff_a, bank_a):
    units = [make_unit(bank_a, abo="O", rhd="-") for _ in range(SCARCE)]
    requests = [make_request(patient_abo="O", patient_rhd="-", units=1) for _ in range(THREADS)]
    results = _race(lambda r: allocation_auto(blood_request=r, by=staff_a), requests)
    assert len(results) == THREADS
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("ok") == SCARCE
    assert Allocation.objects.filter(status="reserved").count() == SCARCE
    assert set(Allocation.objects.values_list("unit_id", flat=True)) == {u.pk for u in units}
    _assert_each_unit_in_at_most_one_request()


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_of_the_same_units(make_request, staff_a, bank_a):
    units = [make_unit(bank_a, abo="A", rhd="+") for _ in range(2)]
    requests = [make_request(units=2) for _ in range(THREADS)]
    # Half list the units one way round, half the other: sorted locking means no deadlock.
    orders = [[units[0].pk, units[1].pk], [units[1].pk, units[0].pk]]
    items = [(r, orders[i % 2]) for i, r in enumerate(requests)]
    results = _race(lambda item: allocation_reserve(blood_request=item[0], unit_ids=item[1], by=staff_a), items)
    assert not [r for r in results if r.startswith("error")], results
    assert results.count("ok") == 1
    assert Allocation.objects.count() == 2
    assert len(set(Allocation.objects.values_list("request_id", flat=True))) == 1
    _assert_each_unit_in_at_most_one_request()


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_allocation(make_request, bank_a):
    from django.db import IntegrityError

    unit = make_unit(bank_a, abo="A", rhd="+")
    Allocation.objects.create(request=make_request(), unit=unit)
    with pytest.raises(IntegrityError):
        Allocation.objects.create(request=make_request(), unit=unit)


@pytest.mark.django_db(transaction=True)
def test_concurrent_multi_unit_auto_allocations_share_out_scarce_units(make_request, staff_a, bank_a, bank_b):
    # Several units per request, from two banks: each clerk picks and locks a batch in one statement.
    units = [make_unit(bank, abo="O", rhd="-") for bank in (bank_a, bank_b) for _ in range(4)]
    requests = [make_request(patient_abo="O", patient_rhd="-", units=3) for _ in range(THREADS)]
    results = _race(lambda r: allocation_auto(blood_request=r, by=staff_a), requests)
    assert not [r for r in results if r.startswith("error")], results
    reserved = Allocation.objects.filter(status="reserved")
    assert reserved.count() == len(units)
    assert set(reserved.values_list("unit_id", flat=True)) == {u.pk for u in units}
    for blood_request in requests:
        blood_request.refresh_from_db()
        mine = reserved.filter(request=blood_request).count()
        expected = {0: "submitted", 3: "allocated"}.get(mine, "partly_allocated")
        assert blood_request.status == expected, (blood_request.pk, mine)
    _assert_each_unit_in_at_most_one_request()

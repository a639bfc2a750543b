"""Races settled in PostgreSQL: many clerks act on one unit, one transfer, one screening test at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from dblood.core.errors import Conflict
from dblood.donations.lab import screening_record
from dblood.inventory.labels import label_print
from dblood.inventory.models import BloodUnit, Transfer, UnitEvent
from dblood.inventory.services import unit_transition
from dblood.inventory.transfers import transfer_receive, transfer_send
from dblood.inventory.verification import label_verify
from testing.labels import label_scans

from .factories import make_donation, make_unit, screen_and_release

CLIENTS = 20


def race(action) -> tuple[int, int, list]:
    """Run `action` in CLIENTS threads released together; count successes and 409s."""
    barrier = threading.Barrier(CLIENTS)
    ok, conflicts, errors = [], [], []

    def work():
        try:
            barrier.wait()
            action()
            ok.append(1)
        except Conflict:
            conflicts.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(ok), len(conflicts), errors


@pytest.mark.django_db(transaction=True)
def test_one_unit_reserved_once(bank_a):
    unit = make_unit(site=bank_a)
    assert race(lambda: unit_transition(unit=BloodUnit.objects.get(pk=unit.pk), to="reserved")) == (1, 19, [])
    assert UnitEvent.objects.filter(unit=unit).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_transfer_received_once(bank_a, bank_b):
    transfer = transfer_send(unit=make_unit(site=bank_a), to_site=bank_b)
    scans = label_scans(transfer.unit)
    book_in = lambda: transfer_receive(  # noqa: E731
        transfer=Transfer.objects.get(pk=transfer.pk),
        din_scan=scans["din"],
        product_scan=scans["product_code"],
        temperature_c=Decimal("4.0"),
    )
    assert race(book_in) == (1, 19, [])
    assert UnitEvent.objects.filter(unit=transfer.unit, to_state="available").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_final_result_per_test(bank_a):
    donation = make_donation(site=bank_a)
    assert race(lambda: screening_record(donation=donation, test="hiv", reactive=False)) == (1, 19, [])
    assert list(donation.screening_results.values_list("attempt", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_one_label_check_releases_a_unit_once(bank_a, staff_a):
    unit = make_unit(site=bank_a, state="quarantined", donation=screen_and_release(make_donation(site=bank_a)))
    label_print(unit=unit, by=staff_a, fmt="zpl")
    scans = label_scans(unit)
    check = lambda: label_verify(  # noqa: E731
        unit=BloodUnit.objects.get(pk=unit.pk),
        by=staff_a,
        din_scan=scans["din"],
        product_scan=scans["product_code"],
    )
    assert race(check) == (20, 0, [])  # every clerk's check is recorded ...
    assert UnitEvent.objects.filter(unit=unit, to_state="available").count() == 1  # ... the unit released once
    assert unit.label_verifications.filter(matched=True).count() == 20

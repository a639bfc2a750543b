"""Races settled in PostgreSQL: many clerks act on one unit, one transfer, one screening test at once."""

import threading

import pytest
from django.db import connection

from dblood.core.errors import Conflict
from dblood.donations.lab import screening_record
from dblood.inventory.models import BloodUnit, Transfer, UnitEvent
from dblood.inventory.services import unit_transition
from dblood.inventory.transfers import transfer_receive, transfer_send

from .factories import make_donation, make_unit

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
    assert race(lambda: transfer_receive(transfer=Transfer.objects.get(pk=transfer.pk))) == (1, 19, [])
    assert UnitEvent.objects.filter(unit=transfer.unit, to_state="available").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_final_result_per_test(bank_a):
    donation = make_donation(site=bank_a)
    assert race(lambda: screening_record(donation=donation, test="hiv", reactive=False)) == (1, 19, [])
    assert list(donation.screening_results.values_list("attempt", flat=True)) == [1]

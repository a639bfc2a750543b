"""Moving many units at once keeps every guarantee of moving one: legal moves only, an event and an
audit record per unit, the stock cache invalidated once; and it costs the same statements for 1 or 4."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.audit.models import AuditEvent
from dblood.core.errors import Conflict
from dblood.inventory import stock
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.inventory.services import unit_transition, units_transition
from dblood.inventory.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def _updates(unit) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model="inventory.BloodUnit", object_id=str(unit.pk), action="update"))


def test_many_units_move_together_each_with_its_event_and_audit_record(bank_a, staff_a, hospital):
    units = [make_unit(site=bank_a, state="reserved") for _ in range(3)]
    moved = units_transition(units=units, to="issued", by=staff_a, reason="request 7", issued_to=hospital)
    assert [u.state for u in moved] == ["issued"] * 3
    for unit in units:
        assert unit.state == "issued" and unit.issued_to_id == hospital.pk  # the caller's instances too
        unit.refresh_from_db()
        assert unit.state == "issued" and unit.issued_to_id == hospital.pk
        assert list(unit.events.values_list("from_state", "to_state", "by", "reason")) == [
            ("reserved", "issued", staff_a.pk, "request 7")
        ]
        (event,) = _updates(unit)
        assert event.before["state"] == "reserved" and event.after["state"] == "issued"
        assert event.before["issued_to_id"] is None and event.after["issued_to_id"] == hospital.pk


def test_one_illegal_move_stops_them_all_naming_both_states(bank_a):
    good, bad = make_unit(site=bank_a, state="available"), make_unit(site=bank_a, state="transfused")
    with pytest.raises(Conflict) as caught:
        units_transition(units=[good, bad], to="reserved")
    assert caught.value.extra == {"from_state": "transfused", "to_state": "reserved"}
    assert str(caught.value.detail) == "A unit cannot go from transfused to reserved."
    good.refresh_from_db()
    assert good.state == "available"
    assert not UnitEvent.objects.exists() and not _updates(good)


def test_the_stock_cache_is_invalidated_once_on_commit(bank_a, django_capture_on_commit_callbacks):
    units = [make_unit(site=bank_a) for _ in range(4)]
    with mock.patch.object(stock, "invalidate") as invalidate:
        with django_capture_on_commit_callbacks(execute=True):
            units_transition(units=units, to="discarded", reason="fridge failed")
    assert invalidate.call_count == 1
    assert set(BloodUnit.objects.values_list("discard_reason", flat=True)) == {"fridge failed"}


def test_the_same_statements_for_one_unit_and_for_four(bank_a):
    counts = []
    for n in (1, 4):
        units = [make_unit(site=bank_a) for _ in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            units_transition(units=units, to="reserved")
        counts.append(len(ctx.captured_queries))
    # Lock, UPDATE, UnitEvents, audit events (inside the test's transaction: no savepoint of its own).
    assert counts == [4, 4]


def test_one_unit_is_not_read_again_for_the_audit_log(bank_a):
    unit = make_unit(site=bank_a)
    with CaptureQueriesContext(connection) as ctx:
        unit_transition(unit=unit, to="reserved")
    reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "inventory_bloodunit"')]
    assert len(reads) == 1 and reads[0].endswith("FOR UPDATE")
    (event,) = _updates(unit)
    assert event.before["state"] == "available" and event.after["state"] == "reserved"

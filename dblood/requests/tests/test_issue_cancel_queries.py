"""Issuing and cancelling move all of a request's units in the same statements for 1 or 3 units."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.audit.models import AuditEvent
from dblood.inventory.models import BloodUnit
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve, request_cancel, request_issue

pytestmark = pytest.mark.django_db


def _reserved_request(make_request, staff_a, bank_a, n):
    blood_request = make_request(units=n)
    units = [make_unit(bank_a, abo="A", rhd="+") for _ in range(n)]
    allocation_reserve(blood_request=blood_request, unit_ids=[u.pk for u in units], by=staff_a)
    return blood_request, units


def _count(work) -> int:
    with CaptureQueriesContext(connection) as ctx:
        work()
    # Telling each donor where their blood went is one message per unit (each in its own savepoint).
    return len([q for q in ctx.captured_queries if not re.search("notifications_notification|SAVEPOINT", q["sql"])])


def test_issue_costs_the_same_for_one_unit_and_for_three(make_request, staff_a, bank_a, hospital):
    counts = []
    for n in (1, 3):
        blood_request, units = _reserved_request(make_request, staff_a, bank_a, n)
        counts.append(_count(lambda r=blood_request: request_issue(blood_request=r, by=staff_a)))
        assert {u.state for u in BloodUnit.objects.filter(pk__in=[u.pk for u in units])} == {"issued"}
        assert set(Allocation.objects.filter(request=blood_request).values_list("status", flat=True)) == {"issued"}
        for unit in units:
            event = AuditEvent.objects.filter(model="inventory.BloodUnit", object_id=str(unit.pk)).latest("id")
            assert event.after["state"] == "issued" and event.after["issued_to_id"] == hospital.pk
    assert counts[0] == counts[1]


def test_cancel_costs_the_same_for_one_unit_and_for_three(make_request, staff_a, bank_a):
    counts = []
    for n in (1, 3):
        blood_request, units = _reserved_request(make_request, staff_a, bank_a, n)
        counts.append(_count(lambda r=blood_request: request_cancel(blood_request=r, by=staff_a)))
        assert {u.state for u in BloodUnit.objects.filter(pk__in=[u.pk for u in units])} == {"available"}
        assert set(Allocation.objects.filter(request=blood_request).values_list("status", flat=True)) == {"released"}
    assert counts[0] == counts[1]

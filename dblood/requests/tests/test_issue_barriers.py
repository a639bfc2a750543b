"""Issuing re-checks every barrier on the unit rows as locked at the moment of issue: each failure is a
409 naming its barrier, and nothing is issued (not even the request's other, good units)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from dblood.donations.models import Donation
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_donation
from dblood.inventory.tests.factories import make_unit as make_bare_unit
from dblood.notifications.tests.factories import make_unit
from dblood.requests.models import Allocation
from dblood.requests.services import allocation_reserve

pytestmark = pytest.mark.django_db


def _issue(api, staff, blood_request, **body):
    return api(staff).post(f"/api/v1/requests/{blood_request.pk}/issue", body, format="json")


def _refused(response, code, *units):
    assert response.status_code == 409, response.content
    body = response.json()
    assert (body["code"], body["barrier"]) == (code, code)
    for unit in units:
        unit.refresh_from_db()
        assert unit.state == BloodUnit.State.RESERVED
        assert unit.issued_to_id is None
        assert Allocation.objects.get(unit=unit).status == Allocation.Status.RESERVED
    return body


def test_a_good_unit_is_issued(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    assert _issue(api, staff_a, blood_request).status_code == 200


def test_issue_refuses_a_unit_whose_donation_was_never_released(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=2)
    good = make_unit(bank_a, abo="A", rhd="+")
    # On the shelf without the lab's results (as an import or a bug might leave it).
    unscreened = make_bare_unit(site=bank_a, abo="A", rhd="+", donation=make_donation(site=bank_a))
    allocation_reserve(blood_request=blood_request, unit_ids=[good.pk, unscreened.pk], by=staff_a)
    body = _refused(_issue(api, staff_a, blood_request), "unit_not_released", good, unscreened)
    assert body["unit"] == unscreened.pk
    assert any("typing" in reason for reason in body["blockers"])


def test_issue_refuses_a_unit_whose_donation_turned_reactive_after_reservation(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    Donation.objects.filter(pk=unit.donation_id).update(status=Donation.Status.REJECTED)
    _refused(_issue(api, staff_a, blood_request), "unit_not_released", unit)


@override_settings(SCREENING_MALARIA=True)
def test_issue_refuses_a_unit_missing_a_screen_now_required(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1)
    with override_settings(SCREENING_MALARIA=False):
        unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    body = _refused(_issue(api, staff_a, blood_request), "unit_not_released", unit)
    assert any("malaria" in reason for reason in body["blockers"])


def test_issue_refuses_a_reserved_unit_that_expired_before_the_sweep_ran(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1, needed_by=timezone.now() + timedelta(hours=1))
    unit = make_unit(bank_a, abo="A", rhd="+", days_left=1)
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    with time_machine.travel(timedelta(days=2)):
        # No sweep has run: the unit is still RESERVED, its expiry in the past.
        _refused(_issue(api, staff_a, blood_request), "unit_expired", unit)


def test_issue_refuses_a_unit_that_expires_before_the_request_needs_it(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1, needed_by=timezone.now() + timedelta(days=3))
    unit = make_unit(bank_a, abo="A", rhd="+", days_left=1)
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    _refused(_issue(api, staff_a, blood_request), "unit_expires_before_needed", unit)


def test_issue_refuses_a_unit_that_is_not_at_the_issuing_bank(api, make_request, staff_a, bank_a, bank_b):
    blood_request = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    # The bag is on another bank's shelf by now (however its record got there).
    BloodUnit.objects.filter(pk=unit.pk).update(site=bank_b)
    body = _refused(_issue(api, staff_a, blood_request), "unit_not_here", unit)
    assert body["site"] == bank_b.pk


def test_issue_refuses_a_unit_relabelled_incompatible_after_reservation(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1, patient_abo="A", patient_rhd="+")
    unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    BloodUnit.objects.filter(pk=unit.pk).update(abo="B")
    _refused(_issue(api, staff_a, blood_request), "unit_incompatible", unit)


def test_issue_refuses_a_unit_no_longer_reserved(api, make_request, staff_a, bank_a):
    blood_request = make_request(units=1)
    unit = make_unit(bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=blood_request, unit_ids=[unit.pk], by=staff_a)
    BloodUnit.objects.filter(pk=unit.pk).update(state=BloodUnit.State.DISCARDED)
    response = _issue(api, staff_a, blood_request)
    assert (response.status_code, response.json()["code"]) == (409, "not_reserved")
    assert Allocation.objects.get(unit=unit).status == Allocation.Status.RESERVED

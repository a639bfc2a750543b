"""Twenty clerks recording the return of one bag at once leave one return, on the suite's PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dblood.accounts.models import Membership, User
from dblood.inventory.tests.factories import make_unit
from dblood.returns.models import UnitReturn
from dblood.returns.services import unit_return
from dblood.sites.models import Site
from testing.personas import make_site, make_user
from testing.races import race


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_returns_of_one_unit_leave_one():
    assert connection.vendor == "postgresql"
    bank = make_site("race-return-bank")
    hospital = make_site("race-return-rs", kind=Site.Kind.HOSPITAL, verified_by=bank)
    nurse = make_user("race.nurse@example.org", User.Role.HOSPITAL_STAFF)
    Membership.objects.create(user=nurse, site=hospital)
    assert nurse.site_ids == {hospital.pk}  # computed once, before the threads share it
    issued_at = timezone.now() - timedelta(hours=1)
    unit = make_unit(site=bank, state="issued", issued_to=hospital, issued_at=issued_at)
    left = timezone.now() - timedelta(minutes=10)
    call = lambda: unit_return(unit_id=unit.pk, by=nurse, left_storage_at=left, temperature_c=4, validated_box=False)  # noqa: E731
    outcomes = race([call] * 20, done="returned")
    assert outcomes.count("returned") == 1, outcomes
    assert set(outcomes) == {"returned", "already_returned"}
    assert UnitReturn.objects.filter(unit=unit).count() == 1

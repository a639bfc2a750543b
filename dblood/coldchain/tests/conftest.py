from decimal import Decimal

import pytest

from dblood.coldchain.models import StorageLocation
from dblood.coldchain.services import unit_move


def make_location(site, code="K1", kind=StorageLocation.Kind.FRIDGE, low="2", high="6") -> StorageLocation:
    return StorageLocation.objects.create(
        site=site, code=code, name=f"{kind} {code}", kind=kind, min_c=Decimal(low), max_c=Decimal(high)
    )


def place(unit, location, by=None):
    unit_move(unit=unit, to_location=location, by=by)
    unit.refresh_from_db()
    return unit


@pytest.fixture
def fridge(bank_a):
    return make_location(bank_a, "K1")


@pytest.fixture
def other_fridge(bank_a):
    return make_location(bank_a, "K2")


@pytest.fixture
def freezer(bank_a):
    return make_location(bank_a, "F1", StorageLocation.Kind.FREEZER, "-40", "-18")

import pytest

from dblood.accounts import demo as accounts_demo
from dblood.coldchain import demo
from dblood.coldchain.models import Excursion, StorageLocation, TemperatureReading
from dblood.inventory import demo as inventory_demo
from dblood.inventory.models import BloodUnit
from dblood.sites import demo as sites_demo

pytestmark = pytest.mark.django_db


def test_demo_banks_get_a_fridge_a_freezer_and_an_agitator_with_units_in_them():
    accounts_demo.load()
    sites_demo.load()
    inventory_demo.load()
    demo.load()
    demo.load()  # idempotent
    banks = set(StorageLocation.objects.values_list("site__code", flat=True))
    assert len(banks) >= 5 and StorageLocation.objects.count() == 3 * len(banks)
    assert TemperatureReading.objects.filter(in_range=True).count() == 18 * len(banks)
    stored = BloodUnit.objects.filter(state__in=["available", "reserved", "quarantined"])
    assert not stored.filter(storage_location__isnull=True).exists()
    assert not stored.filter(component="PRC").exclude(storage_location__kind="fridge").exists()
    assert not stored.filter(component="FFP").exclude(storage_location__kind="freezer").exists()
    assert not stored.filter(component="TC").exclude(storage_location__kind="agitator").exists()
    excursion = Excursion.objects.get()
    assert excursion.location.site.code == demo.EXCURSION_BANK and excursion.held.exists()
    assert set(excursion.held.values_list("unit__storage_location__kind", flat=True)) == {"agitator"}

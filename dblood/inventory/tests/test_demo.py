import pytest
from django.utils import timezone

from dblood.accounts import demo as accounts_demo
from dblood.donations.models import Donation
from dblood.inventory import demo, stock
from dblood.inventory.models import BloodUnit, Transfer
from dblood.sites import demo as sites_demo

pytestmark = pytest.mark.django_db


def test_demo_stock_is_realistic_and_idempotent(api, django_assert_max_num_queries):
    accounts_demo.load()
    sites_demo.load()
    demo.load()
    count = BloodUnit.objects.count()
    demo.load()
    assert BloodUnit.objects.count() == count > 500
    body = api().get("/api/v1/stock").json()
    levels = {row["level"] for row in body["results"] if row["component"] == "PRC" and row["available"]}
    assert {"critical", "adequate"} <= levels | {row["level"] for row in body["results"]}
    assert any(row["level"] == "critical" and row["days_of_supply"] is not None for row in body["results"])
    assert any(row["level"] == "adequate" and row["available"] > 5 for row in body["results"])
    soon = timezone.now() + timezone.timedelta(days=3)
    assert BloodUnit.objects.filter(state="available", expires_at__lte=soon, component="PRC").exists()
    assert BloodUnit.objects.filter(state="quarantined").exists()
    mine = Donation.objects.filter(donor__user__email="donor@dblood.local")
    assert mine.count() == 2 and mine.filter(units__issued_to__code="rs-cipto").exists()
    assert stock.table()["results"]
    assert Transfer.objects.filter(status="in_transit").count() == 2
    assert Transfer.objects.filter(status="received").count() == 1
    assert BloodUnit.objects.filter(state="discarded").exclude(discard_reason="").count() == 4

"""Each unit carries its ISBT 128 product code (product description code + donation type + division),
set at separation from the component-type table, shown in the api and in the audit trail."""

import pytest

from dblood.audit.models import AuditEvent
from dblood.donations.tests.test_lab import separate
from dblood.inventory.models import BloodUnit, ComponentType

from .factories import make_donation

pytestmark = pytest.mark.django_db


def test_separation_sets_each_units_product_code(api, staff_a, bank_a):
    donation = make_donation(site=bank_a)
    response = separate(api(staff_a), donation, "PRC", "FFP", "TC")
    assert response.status_code == 201, response.content
    expected = {row.code: f"{row.isbt_product_codes[0]}V00" for row in ComponentType.objects.all()}
    assert {u["component"]: u["product_code"] for u in response.json()["units"]} == {
        code: expected[code] for code in ("PRC", "FFP", "TC")
    }
    for unit in donation.units.all():
        assert len(unit.product_code) == 8 and unit.product_code == expected[unit.component]


def test_the_product_code_is_in_the_unit_api_and_the_audit_trail(api, staff_a, bank_a):
    donation = make_donation(site=bank_a)
    separate(api(staff_a), donation, "PRC")
    unit = donation.units.get()
    body = api(staff_a).get(f"/api/v1/units/{unit.pk}").json()
    assert body["product_code"] == unit.product_code == "E0002V00"
    created = AuditEvent.objects.get(model="inventory.BloodUnit", object_id=str(unit.pk), action="create")
    assert created.after["product_code"] == "E0002V00"


def test_the_product_code_follows_the_table_and_the_donation_type_setting(api, staff_a, bank_a, settings):
    row = ComponentType.objects.get(code="PRC")
    row.isbt_product_codes = ["E4321", "E0002"]
    row.save()
    settings.ISBT_DONATION_TYPE_CODE = "0"
    donation = make_donation(site=bank_a)
    separate(api(staff_a), donation, "PRC")
    assert donation.units.get().product_code == "E43210" + "00"


def test_a_component_with_no_product_description_code_is_not_made(api, staff_a, bank_a):
    row = ComponentType.objects.get(code="TC")
    row.isbt_product_codes = []
    row.save()
    donation = make_donation(site=bank_a)
    response = separate(api(staff_a), donation, "PRC", "TC")
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"], body["component"]) == ("no_product_code", "components", "TC")
    assert not BloodUnit.objects.filter(donation=donation).exists()

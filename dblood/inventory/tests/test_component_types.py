"""Component types are data: the seeded table holds docs/domain.md's defaults, and editing a row changes
shelf life, processing window, consumption, compatibility and call-outs with no code change."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dblood.core.blood import Component
from dblood.donations.tests.test_lab import separate
from dblood.inventory import components
from dblood.inventory.component_defaults import DEFAULTS
from dblood.inventory.models import ComponentType
from dblood.requests.compatibility import is_compatible

from .factories import make_donation

pytestmark = pytest.mark.django_db


def edit(code: str, **values) -> None:
    """An admin's edit: a save, which drops the cached table."""
    row = ComponentType.objects.get(code=code)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()


def test_the_migration_seeds_every_component_with_facts_defaults():
    rows = {row.code: row for row in ComponentType.objects.all()}
    assert set(rows) == set(Component.values) == {row["code"] for row in DEFAULTS}
    assert (rows["PRC"].shelf_life, rows["TC"].shelf_life, rows["FFP"].shelf_life) == (35, 5, 365)
    assert (rows["TC"].max_hours_to_processing, rows["FFP"].max_hours_to_processing) == (24, 8)
    assert rows["AHF"].consumes == "FFP" and rows["CPP"].consumes == "FFP"
    assert rows["LP"].shelf_life is None  # set per profile: not made by default
    assert rows["TC"].name_id == "Konsentrat trombosit"
    assert components.shelf_life("FFP") == timedelta(days=365)


def test_editing_a_shelf_life_changes_the_expiry_of_new_units(api, staff_a, bank_a):
    edit("TC", shelf_life=72, shelf_life_period="hours")
    donation = make_donation(site=bank_a)
    assert separate(api(staff_a), donation, "PRC", "TC").status_code == 201
    units = {u.component: u for u in donation.units.all()}
    assert units["TC"].expires_at - donation.collected_at == timedelta(hours=72)
    assert units["PRC"].expires_at - donation.collected_at == timedelta(days=35)


def test_a_component_given_a_shelf_life_is_made_and_stocked(api, staff_a, bank_a):
    assert "LP" not in components.stocked_components()
    assert separate(api(staff_a), make_donation(site=bank_a), "LP").status_code == 400
    edit("LP", shelf_life=26)
    assert "LP" in components.stocked_components()
    assert separate(api(staff_a), make_donation(site=bank_a), "LP").status_code == 201


def test_editing_the_processing_window_changes_what_may_be_made(api, staff_a, bank_a):
    late = make_donation(site=bank_a, collected_at=timezone.now() - timedelta(hours=10))
    refused = separate(api(staff_a), late, "FFP")
    assert refused.status_code == 409 and refused.json()["code"] == "processing_window_passed"
    edit("FFP", max_hours_to_processing=24)
    assert separate(api(staff_a), late, "FFP").status_code == 201


def test_editing_the_donation_types_changes_what_a_donation_yields(api, staff_a, bank_a):
    apheresis = make_donation(site=bank_a, donation_type="apheresis_platelets")
    assert separate(api(staff_a), apheresis, "FFP").status_code == 400
    edit("FFP", donation_types=["whole_blood", "apheresis_plasma", "apheresis_platelets"])
    assert separate(api(staff_a), apheresis, "FFP").status_code == 201


def test_editing_the_compatibility_kind_changes_who_may_receive_it():
    # A0 plasma for an O patient: plasma rules allow it, red-cell rules do not.
    assert is_compatible(component="FFP", patient_abo="O", patient_rhd="+", unit_abo="A", unit_rhd="+")
    edit("FFP", compatibility="red_cells")
    assert not is_compatible(component="FFP", patient_abo="O", patient_rhd="+", unit_abo="A", unit_rhd="+")


def test_editing_the_refill_donation_type_changes_whom_a_call_out_asks():
    assert components.refill_donation_type("TC") == "apheresis_platelets"
    edit("TC", refill_donation_type="whole_blood")
    assert components.refill_donation_type("TC") == "whole_blood"


def test_the_cache_is_dropped_on_save_and_kept_otherwise(django_assert_num_queries):
    with django_assert_num_queries(0):
        components.shelf_life("PRC")
    edit("PRC", shelf_life=42)
    with django_assert_num_queries(1):
        assert components.shelf_life("PRC") == timedelta(days=42)
        assert components.shelf_life("TC") == timedelta(days=5)


def test_the_admin_refuses_a_malformed_row():
    row = ComponentType.objects.get(code="AHF")
    row.donation_types = ["bone_marrow"]
    row.isbt_product_codes = ["X12"]
    row.consumes = "AHF"
    row.storage_min_c, row.storage_max_c = 5, -18
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert {"donation_types", "isbt_product_codes", "consumes", "storage_max_c"} <= set(caught.value.message_dict)


def test_staff_edit_component_types_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    row = ComponentType.objects.get(code="TC")
    assert client.get(f"/admin/inventory/componenttype/{row.pk}/change/").status_code == 200
    assert client.get("/admin/inventory/componenttype/").status_code == 200

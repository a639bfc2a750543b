"""The component-type table's defaults (docs/domain.md, PMI practice): the seed migration's data and the
test suite's (a flushed test database is seeded again from here). One source: edit a deployment's
rules in the admin, not here.

Transport ranges (docs/domain.md "Processing, returns and lookback"): refrigerated components
1-10 °C, platelets 20-24 °C, frozen components stay frozen (-18 °C or colder).

ISBT 128 product description codes below are placeholders for tests and demos; production loads
the ICCBBA-licensed product table into the admin.
"""

from dblood.core.blood import CompatibilityKind as K
from dblood.core.blood import Component as C
from dblood.core.blood import DonationType as D

WB, TC_A, PLASMA_A = D.WHOLE_BLOOD.value, D.APHERESIS_PLATELETS.value, D.APHERESIS_PLASMA.value
SPLIT_BAGS = ["double", "triple", "quadruple"]

DEFAULTS: list[dict] = [
    dict(
        code=C.WB.value,
        name_en="Whole blood",
        name_id="Darah lengkap",
        isbt_product_codes=["E0001"],
        donation_types=[WB],
        bag_types=["single", *SPLIT_BAGS],
        storage_min_c="2",
        storage_max_c="6",
        transport_min_c="1",
        transport_max_c="10",
        shelf_life=35,  # CPDA-1
        shelf_life_period="days",
        max_hours_to_processing=None,  # kept as it is: nothing to process
        whole_bag=True,
        compatibility=K.WHOLE_BLOOD.value,
        default_volume_ml=450,
        refill_donation_type=WB,
        recruit_on_shortage=True,
    ),
    dict(
        code=C.PRC.value,
        name_en="Packed red cells",
        name_id="Sel darah merah pekat",
        isbt_product_codes=["E0002"],
        donation_types=[WB],
        bag_types=SPLIT_BAGS,
        storage_min_c="2",
        storage_max_c="6",
        transport_min_c="1",
        transport_max_c="10",
        shelf_life=35,  # CPDA-1; additive solution 42
        shelf_life_period="days",
        max_hours_to_processing=24,  # whole blood is separated within 24 h
        compatibility=K.RED_CELLS.value,
        default_volume_ml=250,
        refill_donation_type=WB,
        recruit_on_shortage=True,
    ),
    dict(
        code=C.TC.value,
        name_en="Thrombocyte concentrate (platelets)",
        name_id="Konsentrat trombosit",
        isbt_product_codes=["E0003"],
        donation_types=[WB, TC_A],
        bag_types=["triple", "quadruple", "apheresis"],
        storage_min_c="20",
        storage_max_c="24",
        transport_min_c="20",
        transport_max_c="24",
        shelf_life=5,
        shelf_life_period="days",
        max_hours_to_processing=24,
        compatibility=K.PLATELETS.value,
        default_volume_ml=50,
        refill_donation_type=TC_A,
        recruit_on_shortage=True,
    ),
    dict(
        code=C.FFP.value,
        name_en="Fresh frozen plasma",
        name_id="Plasma segar beku",
        isbt_product_codes=["E0004"],
        donation_types=[WB, PLASMA_A],
        bag_types=[*SPLIT_BAGS, "apheresis"],
        storage_min_c=None,
        storage_max_c="-18",
        transport_min_c=None,
        transport_max_c="-18",
        shelf_life=365,
        shelf_life_period="days",
        max_hours_to_processing=8,  # separated and frozen within 8 h (AABB); later it is PF24
        compatibility=K.PLASMA.value,
        default_volume_ml=200,
        refill_donation_type=WB,
    ),
    dict(
        code=C.LP.value,
        name_en="Liquid plasma",
        name_id="Plasma cair",
        isbt_product_codes=["E0005"],
        donation_types=[WB, PLASMA_A],
        bag_types=[*SPLIT_BAGS, "apheresis"],
        storage_min_c="1",
        storage_max_c="6",
        transport_min_c="1",
        transport_max_c="10",
        shelf_life=None,  # set per profile: not made until a deployment gives it one
        shelf_life_period="days",
        max_hours_to_processing=35 * 24,  # within the whole blood's shelf life
        compatibility=K.PLASMA.value,
        default_volume_ml=200,
        refill_donation_type=WB,
    ),
    dict(
        code=C.AHF.value,
        name_en="Cryoprecipitate (AHF)",
        name_id="Kriopresipitat (AHF)",
        isbt_product_codes=["E0006"],
        donation_types=[WB],
        bag_types=SPLIT_BAGS,
        storage_min_c=None,
        storage_max_c="-18",
        transport_min_c=None,
        transport_max_c="-18",
        shelf_life=365,
        shelf_life_period="days",
        max_hours_to_processing=8,  # from plasma frozen as FFP within 8 h
        consumes=C.FFP.value,
        compatibility=K.PLASMA.value,
        default_volume_ml=30,
        refill_donation_type=WB,
    ),
    dict(
        code=C.CPP.value,
        name_en="Cryo-poor plasma",
        name_id="Plasma miskin kriopresipitat",
        isbt_product_codes=["E0007"],
        donation_types=[WB],
        bag_types=SPLIT_BAGS,
        storage_min_c=None,
        storage_max_c="-18",
        transport_min_c=None,
        transport_max_c="-18",
        shelf_life=365,  # as the FFP it comes from
        shelf_life_period="days",
        max_hours_to_processing=8,
        consumes=C.FFP.value,
        compatibility=K.PLASMA.value,
        default_volume_ml=170,
        refill_donation_type=WB,
    ),
]


def component_types_seed(model=None) -> int:
    """Create every default row whose code is missing (edited rows are left alone); returns how many.

    `model` is the migration's historical ComponentType; fields it does not have yet are skipped.
    """
    if model is None:
        from .models import ComponentType as model
    fields = {field.name for field in model._meta.get_fields()}
    existing = set(model.objects.values_list("code", flat=True))
    rows = [
        model(**{name: value for name, value in row.items() if name in fields})
        for row in DEFAULTS
        if row["code"] not in existing
    ]
    model.objects.bulk_create(rows)
    return len(rows)

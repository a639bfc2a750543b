"""Exhaustive: every component x every patient group x every unit group, against docs/domain.md's tables
written out here independently as strings."""

import itertools

import pytest

from dblood.core.blood import CompatibilityKind, Component
from dblood.inventory.components import kinds, refill_donation_type
from dblood.requests.compatibility import RULES, compatible_groups, is_compatible

pytestmark = pytest.mark.django_db

GROUPS = ["O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"]

# docs/domain.md, "may receive red cells from"
RED = {"O": "O", "A": "A O", "B": "B O", "AB": "AB A B O"}
# docs/domain.md, "may receive plasma from"
PLASMA = {"O": "O A B AB", "A": "A AB", "B": "B AB", "AB": "AB"}


def split(group):
    return group[:-1], group[-1]


def expected(component, patient, unit, female_cbp):
    p_abo, p_rhd = split(patient)
    u_abo, u_rhd = split(unit)
    if component == "WB":
        abo_ok = u_abo == p_abo
    elif component == "PRC":
        abo_ok = u_abo in RED[p_abo].split()
    else:
        abo_ok = u_abo in PLASMA[p_abo].split()
    if component in ("WB", "PRC"):
        rhd_ok = not (p_rhd == "-" and u_rhd == "+")
    elif component == "TC":
        rhd_ok = not (p_rhd == "-" and u_rhd == "+" and female_cbp)
    else:
        rhd_ok = True
    return abo_ok and rhd_ok


CASES = list(itertools.product(Component.values, GROUPS, GROUPS, [False, True]))


@pytest.mark.parametrize(("component", "patient", "unit", "female_cbp"), CASES)
def test_every_pairing(component, patient, unit, female_cbp):
    p_abo, p_rhd = split(patient)
    u_abo, u_rhd = split(unit)
    got = is_compatible(
        component=component,
        patient_abo=p_abo,
        patient_rhd=p_rhd,
        unit_abo=u_abo,
        unit_rhd=u_rhd,
        female_cbp=female_cbp,
    )
    assert got is expected(component, patient, unit, female_cbp)


def test_every_component_has_a_rule_and_a_donation_type():
    assert set(RULES) == set(CompatibilityKind.values)
    assert set(kinds()) == set(Component.values)
    assert all(refill_donation_type(code) for code in Component.values)


def test_o_negative_red_cells_go_to_everyone_and_ab_plus_takes_all():
    for patient in GROUPS:
        assert ("O", "-") in compatible_groups(
            component="PRC", patient_abo=split(patient)[0], patient_rhd=split(patient)[1]
        )
    assert len(compatible_groups(component="PRC", patient_abo="AB", patient_rhd="+")) == 8
    assert compatible_groups(component="FFP", patient_abo="AB", patient_rhd="-") == [("AB", "-"), ("AB", "+")]


def test_preferred_order_is_identical_first():
    assert compatible_groups(component="PRC", patient_abo="A", patient_rhd="+") == [
        ("A", "+"),
        ("A", "-"),
        ("O", "+"),
        ("O", "-"),
    ]
    assert compatible_groups(component="TC", patient_abo="O", patient_rhd="-", female_cbp=True)[0] == ("O", "-")
    assert ("A", "+") not in compatible_groups(component="TC", patient_abo="O", patient_rhd="-", female_cbp=True)

"""Who may receive what: the compatibility tables of docs/domain.md, as data, in one place.

Every rule about which unit (or which donor's blood) suits which patient is read from here:
allocation proposals, reserve checks, emergency call-outs and shortage recruitment.

- Red cells (PRC): the recipient's plasma must not attack the donor's cells (table RED_CELLS).
- Whole blood (WB): ABO-identical only (it carries both cells and plasma).
- Plasma, FFP, cryo (AHF): the other way round (table PLASMA); RhD does not matter.
- Platelets (TC): ABO-identical preferred, then plasma-compatible; an RhD-negative woman of
  childbearing potential gets RhD-negative platelets.
- RhD for red cells and whole blood: an RhD-negative recipient gets RhD-negative units; RhD-positive
  only as a recorded emergency override (never by default).
"""

from dataclasses import dataclass

from dblood.core.blood import ABO, CompatibilityKind, RhD
from dblood.inventory.components import compatibility_kind

from .ranking import preference

# recipient ABO -> donor ABO groups whose red cells they may receive
RED_CELLS: dict[str, frozenset[str]] = {
    ABO.O: frozenset({ABO.O}),
    ABO.A: frozenset({ABO.A, ABO.O}),
    ABO.B: frozenset({ABO.B, ABO.O}),
    ABO.AB: frozenset({ABO.AB, ABO.A, ABO.B, ABO.O}),
}

# recipient ABO -> donor ABO groups whose plasma they may receive
PLASMA: dict[str, frozenset[str]] = {
    ABO.O: frozenset({ABO.O, ABO.A, ABO.B, ABO.AB}),
    ABO.A: frozenset({ABO.A, ABO.AB}),
    ABO.B: frozenset({ABO.B, ABO.AB}),
    ABO.AB: frozenset({ABO.AB}),
}

IDENTICAL: dict[str, frozenset[str]] = {abo: frozenset({abo}) for abo in ABO.values}


@dataclass(frozen=True)
class Rule:
    """How one component is matched: its ABO table and whether RhD-negative patients need RhD-negative."""

    abo_table: dict[str, frozenset[str]]
    # "always": RhD-negative recipients get RhD-negative units; "female_cbp": only women of
    # childbearing potential; "never": RhD does not matter.
    rhd_negative_needs_negative: str


# Each component's kind is a column of the ComponentType table (dblood.inventory.components).
RULES: dict[str, Rule] = {
    CompatibilityKind.WHOLE_BLOOD: Rule(IDENTICAL, "always"),
    CompatibilityKind.RED_CELLS: Rule(RED_CELLS, "always"),
    CompatibilityKind.PLATELETS: Rule(PLASMA, "female_cbp"),
    CompatibilityKind.PLASMA: Rule(PLASMA, "never"),
}


def rule_for(component: str) -> Rule:
    return RULES[compatibility_kind(component)]


def _rhd_ok(rule: Rule, patient_rhd: str, unit_rhd: str, female_cbp: bool) -> bool:
    if patient_rhd == RhD.POSITIVE or unit_rhd == RhD.NEGATIVE:
        return True
    if rule.rhd_negative_needs_negative == "always":
        return False
    if rule.rhd_negative_needs_negative == "female_cbp":
        return not female_cbp
    return True


def is_compatible(
    *, component: str, patient_abo: str, patient_rhd: str, unit_abo: str, unit_rhd: str, female_cbp: bool = False
) -> bool:
    """May a patient of this group receive this unit of `component` under the default rules?"""
    rule = rule_for(component)
    return unit_abo in rule.abo_table[patient_abo] and _rhd_ok(rule, patient_rhd, unit_rhd, female_cbp)


def compatible_groups(
    *, component: str, patient_abo: str, patient_rhd: str, female_cbp: bool = False
) -> list[tuple[str, str]]:
    """Every (ABO, RhD) whose units (or donors) suit the patient, most preferred first (`ranking.preference`)."""
    groups = [
        (abo, rhd)
        for abo in ABO.values
        for rhd in RhD.values
        if is_compatible(
            component=component,
            patient_abo=patient_abo,
            patient_rhd=patient_rhd,
            unit_abo=abo,
            unit_rhd=rhd,
            female_cbp=female_cbp,
        )
    ]
    return sorted(
        groups, key=lambda g: preference(patient_abo=patient_abo, patient_rhd=patient_rhd, unit_abo=g[0], unit_rhd=g[1])
    )

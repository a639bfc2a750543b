"""Blood groups, donation types and components: the vocabulary every app shares.

Rules over them (compatibility, shelf lives, eligibility) live with the app that applies them,
as data; this module only names things.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ABO(models.TextChoices):
    O = "O", "O"  # noqa: E741 - the blood group is called O
    A = "A", "A"
    B = "B", "B"
    AB = "AB", "AB"


class RhD(models.TextChoices):
    POSITIVE = "+", "RhD positive"
    NEGATIVE = "-", "RhD negative"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"


class DonationType(models.TextChoices):
    WHOLE_BLOOD = "whole_blood", _("Whole blood")
    APHERESIS_PLATELETS = "apheresis_platelets", _("Apheresis platelets")
    APHERESIS_PLASMA = "apheresis_plasma", _("Apheresis plasma")


class Component(models.TextChoices):
    """docs/domain.md component codes."""

    WB = "WB", _("Whole blood")
    PRC = "PRC", _("Packed red cells")
    TC = "TC", _("Thrombocyte concentrate (platelets)")
    FFP = "FFP", _("Fresh frozen plasma")
    LP = "LP", _("Liquid plasma")
    AHF = "AHF", _("Cryoprecipitate (AHF)")
    CPP = "CPP", _("Cryo-poor plasma")


class CompatibilityKind(models.TextChoices):
    """Which of docs/domain.md's compatibility rules a component follows (dblood.requests.compatibility)."""

    WHOLE_BLOOD = "whole_blood", "Whole blood: ABO-identical, RhD-negative to RhD-negative"
    RED_CELLS = "red_cells", "Red cells: red-cell table, RhD-negative to RhD-negative"
    PLATELETS = "platelets", "Platelets: plasma table, RhD-negative women of childbearing potential"
    PLASMA = "plasma", "Plasma: plasma table, RhD does not matter"


BLOOD_GROUPS = [f"{abo}{rhd}" for abo in ("O", "A", "B", "AB") for rhd in ("+", "-")]

"""The coded vocabularies of haemovigilance (docs/domain.md "Haemovigilance
categories"), in one place: donor complications after the ISBT 2014 standard for surveillance of
complications related to blood donation, transfusion reactions after the ISBT/IHN definitions
(2011, revised 2013), their severity and imputability. Codes are stored; labels are translated.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplicationCategory(models.TextChoices):
    """ISBT 2014: A local (injury, pain, inflammation), B generalised (vasovagal), C apheresis,
    D allergic, E other serious (cardiovascular), F other."""

    HAEMATOMA = "haematoma", _("Local: haematoma (bruise)")
    ARTERIAL_PUNCTURE = "arterial_puncture", _("Local: arterial puncture")
    DELAYED_BLEEDING = "delayed_bleeding", _("Local: delayed bleeding")
    NERVE_INJURY = "nerve_injury", _("Local: nerve injury or irritation")
    TENDON_INJURY = "tendon_injury", _("Local: other injury (tendon)")
    PAINFUL_ARM = "painful_arm", _("Local: painful arm")
    THROMBOPHLEBITIS = "thrombophlebitis", _("Local: thrombophlebitis or local infection")
    VASOVAGAL_IMMEDIATE = "vasovagal_immediate", _("Vasovagal reaction, immediate, without injury")
    VASOVAGAL_IMMEDIATE_INJURY = "vasovagal_immediate_injury", _("Vasovagal reaction, immediate, with injury")
    VASOVAGAL_DELAYED = "vasovagal_delayed", _("Vasovagal reaction, delayed, without injury")
    VASOVAGAL_DELAYED_INJURY = "vasovagal_delayed_injury", _("Vasovagal reaction, delayed, with injury")
    APHERESIS_CITRATE = "apheresis_citrate", _("Apheresis: citrate reaction")
    APHERESIS_HAEMOLYSIS = "apheresis_haemolysis", _("Apheresis: haemolysis")
    APHERESIS_AIR_EMBOLISM = "apheresis_air_embolism", _("Apheresis: air embolism")
    APHERESIS_INFILTRATION = "apheresis_infiltration", _("Apheresis: infiltration")
    ALLERGIC_LOCAL = "allergic_local", _("Allergic reaction, local")
    ALLERGIC_GENERALISED = "allergic_generalised", _("Allergic reaction, generalised (anaphylaxis)")
    CARDIOVASCULAR = "cardiovascular", _("Other serious: cardiovascular event")
    OTHER = "other", _("Other")


class ComplicationSeverity(models.TextChoices):
    """ISBT 2014: severe is hospitalisation, an intervention to prevent permanent damage, or
    symptoms lasting more than a year (and death)."""

    NON_SEVERE = "non_severe", _("Non-severe")
    SEVERE = "severe", _("Severe")


class Onset(models.TextChoices):
    DURING = "during", _("During the donation")
    AFTER = "after", _("After the donation, before leaving")
    DELAYED = "delayed", _("Delayed, after leaving the site")


class ComplicationOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    MINOR_SEQUELAE = "minor_sequelae", _("Resolved with minor sequelae")
    MAJOR_SEQUELAE = "major_sequelae", _("Resolved with major sequelae (over a year)")
    ONGOING = "ongoing", _("Not yet resolved")
    DEATH = "death", _("Death")
    UNKNOWN = "unknown", _("Unknown (lost to follow-up)")


class FollowUp(models.TextChoices):
    NONE_NEEDED = "none_needed", _("None needed")
    ADVICE = "advice", _("Advice given")
    CALL_BACK = "call_back", _("Donor to be called back")
    TREATED_ON_SITE = "treated_on_site", _("Treated on site")
    REFERRED = "referred", _("Referred to a doctor")
    HOSPITALISED = "hospitalised", _("Hospitalised")


class DonorSymptom(models.TextChoices):
    """What a donor can say of a delayed reaction in their own words (staff code it)."""

    BRUISE = "bruise", _("Bruise or swelling where the needle went in")
    BLEEDING = "bleeding", _("Bleeding again from the needle site")
    ARM_PAIN = "arm_pain", _("Pain, tingling or numbness in the arm")
    FAINT = "faint", _("Felt faint, dizzy or fainted")
    FALL = "fall", _("Fell or was injured")
    RASH = "rash", _("Itching or rash")
    OTHER = "other", _("Something else")


class ReactionCategory(models.TextChoices):
    """ISBT/IHN definitions of transfusion reactions."""

    FNHTR = "fnhtr", _("Febrile non-haemolytic reaction (FNHTR)")
    ALLERGIC = "allergic", _("Allergic reaction")
    ANAPHYLACTIC = "anaphylactic", _("Anaphylactic reaction")
    AHTR = "ahtr", _("Acute haemolytic reaction (AHTR)")
    DHTR = "dhtr", _("Delayed haemolytic reaction (DHTR)")
    DSTR = "dstr", _("Delayed serologic reaction (DSTR)")
    TACO = "taco", _("Transfusion-associated circulatory overload (TACO)")
    TRALI = "trali", _("Transfusion-related acute lung injury (TRALI)")
    TAD = "tad", _("Transfusion-associated dyspnoea (TAD)")
    HYPOTENSIVE = "hypotensive", _("Hypotensive reaction")
    PTP = "ptp", _("Post-transfusion purpura (PTP)")
    TA_GVHD = "ta_gvhd", _("Transfusion-associated graft-versus-host disease (TA-GvHD)")
    TTI = "tti", _("Transfusion-transmitted infection (TTI)")
    OTHER = "other", _("Other")


class ReactionSeverity(models.TextChoices):
    NON_SEVERE = "non_severe", _("Non-severe")
    SEVERE = "severe", _("Severe")
    LIFE_THREATENING = "life_threatening", _("Life-threatening")
    DEATH = "death", _("Death")


class Imputability(models.TextChoices):
    """How strongly the transfusion is linked to the reaction (ISBT)."""

    EXCLUDED = "excluded", _("Excluded")
    UNLIKELY = "unlikely", _("Unlikely")
    POSSIBLE = "possible", _("Possible")
    LIKELY = "likely", _("Likely (probable)")
    CERTAIN = "certain", _("Certain (definite)")


class Sign(models.TextChoices):
    """Signs and symptoms a hospital reports with a reaction (one or more)."""

    FEVER = "fever", _("Fever (at least 38 °C and 1 °C above baseline)")
    CHILLS = "chills", _("Chills or rigors")
    URTICARIA = "urticaria", _("Urticaria or rash")
    PRURITUS = "pruritus", _("Itching")
    ANGIOEDEMA = "angioedema", _("Angioedema")
    HYPOTENSION = "hypotension", _("Hypotension")
    HYPERTENSION = "hypertension", _("Hypertension")
    TACHYCARDIA = "tachycardia", _("Tachycardia")
    DYSPNOEA = "dyspnoea", _("Dyspnoea")
    HYPOXAEMIA = "hypoxaemia", _("Hypoxaemia")
    WHEEZE = "wheeze", _("Wheeze or bronchospasm")
    CHEST_PAIN = "chest_pain", _("Chest pain")
    LOIN_PAIN = "loin_pain", _("Back or loin pain")
    HAEMOGLOBINURIA = "haemoglobinuria", _("Haemoglobinuria (dark urine)")
    JAUNDICE = "jaundice", _("Jaundice")
    BLEEDING = "bleeding", _("Unexpected bleeding")
    NAUSEA = "nausea", _("Nausea or vomiting")
    SHOCK = "shock", _("Shock")
    OTHER = "other", _("Other")


# ISBT 2014's definition of a severe donor complication, as codes: one that led to hospitalisation,
# to sequelae lasting more than a year, or to death is severe, whatever was first thought of it.
SEVERE_COMPLICATION_OUTCOMES = frozenset({ComplicationOutcome.MAJOR_SEQUELAE, ComplicationOutcome.DEATH})
SEVERE_COMPLICATION_FOLLOW_UPS = frozenset({FollowUp.HOSPITALISED})


def complication_is_severe_by_definition(*, outcome: str, follow_up: str) -> bool:
    return outcome in SEVERE_COMPLICATION_OUTCOMES or follow_up in SEVERE_COMPLICATION_FOLLOW_UPS


# A reaction this severe reaches the bank's medical officer at once.
SEVERE_REACTIONS = frozenset({ReactionSeverity.SEVERE, ReactionSeverity.LIFE_THREATENING, ReactionSeverity.DEATH})

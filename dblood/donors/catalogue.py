"""Seed data: the eligibility profiles and the deferral-reason catalogue (docs/domain.md).

Where docs/domain.md gives no number for a profile, the PMI value is used and marked "PMI value" or
"not in docs/domain.md"; every number is editable in the admin afterwards. The data migration
0003 loads these; `catalogue_ensure` restores missing rows (a flushed test database, a
deleted row) without overwriting edits.
"""

from decimal import Decimal as D

from django.utils.translation import gettext, gettext_noop

PROFILES = [
    dict(
        code="pmi",
        name="Indonesia: PMI (Permenkes 91/2015)",
        source="Permenkes 91/2015; PMI donor selection",
        min_age=17,  # 17 with parental consent
        max_age=60,
        max_age_regular=65,  # regular (repeat) donors
        min_weight_kg=D("45"),
        hb_min_male=D("12.5"),
        hb_min_female=D("12.5"),
        hb_max=D("17.0"),
        bp_systolic_min=100,
        bp_systolic_max=170,
        bp_diastolic_min=70,
        bp_diastolic_max=100,
        pulse_min=50,
        pulse_max=100,
        temp_min=D("36.6"),
        temp_max=D("37.5"),
        whole_blood_after_whole_blood_days=60,  # ">= 2 months"
        apheresis_after_apheresis_days=14,  # 2 weeks
        apheresis_after_whole_blood_days=30,  # 1 month
        whole_blood_after_apheresis_days=14,  # not in docs/domain.md: the apheresis gap
        max_whole_blood_per_year=5,
        max_apheresis_per_year=24,  # not in docs/domain.md: the US cap
    ),
    dict(
        code="us",
        name="United States: FDA / American Red Cross",
        source="21 CFR 630.10; American Red Cross",
        min_age=17,  # 16 in some states, with consent
        max_age=None,
        max_age_regular=None,
        min_weight_kg=D("50"),
        hb_min_male=D("13.0"),
        hb_min_female=D("12.5"),
        hb_max=D("20.0"),
        bp_systolic_min=90,
        bp_systolic_max=180,
        bp_diastolic_min=50,
        bp_diastolic_max=100,
        pulse_min=50,
        pulse_max=100,
        temp_min=D("35.0"),
        temp_max=D("37.5"),
        whole_blood_after_whole_blood_days=56,
        apheresis_after_apheresis_days=7,
        apheresis_after_whole_blood_days=7,
        whole_blood_after_apheresis_days=7,
        max_whole_blood_per_year=6,
        max_apheresis_per_year=24,
    ),
    dict(
        code="who",
        name="WHO blood donor selection guidelines",
        source="WHO, Blood donor selection (2012); intervals are national: PMI values",
        min_age=18,
        max_age=65,
        max_age_regular=None,
        min_weight_kg=D("45"),  # 350 mL bag; 50 kg for 450 mL
        hb_min_male=D("13.0"),
        hb_min_female=D("12.0"),
        hb_max=D("20.0"),
        bp_systolic_min=100,  # PMI value
        bp_systolic_max=170,
        bp_diastolic_min=70,
        bp_diastolic_max=100,
        pulse_min=50,
        pulse_max=100,
        temp_min=D("36.6"),
        temp_max=D("37.5"),
        whole_blood_after_whole_blood_days=60,  # PMI value
        apheresis_after_apheresis_days=14,
        apheresis_after_whole_blood_days=30,
        whole_blood_after_apheresis_days=14,
        max_whole_blood_per_year=5,
        max_apheresis_per_year=24,
    ),
]

# code, name, permanent, default_days, default_months: a temporary reason's usual length, in days
# or in calendar months ("6 months" ends on the same day six months later, not after 180 days);
# neither: the end date is given when recording.
REASONS = [
    # PMI temporary deferrals
    ("tattoo-piercing", gettext_noop("Tattoo or piercing"), False, None, 6),
    ("minor-surgery", gettext_noop("Minor surgery"), False, None, 6),
    ("major-surgery", gettext_noop("Major surgery"), False, None, 12),
    ("dental-surgery", gettext_noop("Dental surgery (72 hours)"), False, 3, None),
    ("vaccine-inactivated", gettext_noop("Inactivated vaccine (24 hours)"), False, 1, None),
    ("vaccine-live", gettext_noop("Live vaccine (2 weeks)"), False, 14, None),
    ("rabies-treatment", gettext_noop("Rabies treatment"), False, None, 12),
    ("transfusion-received", gettext_noop("Received a transfusion"), False, None, 6),
    ("pregnancy", gettext_noop("Pregnancy (until 6 months after delivery)"), False, None, None),
    ("fever-flu", gettext_noop("Fever or flu (1 week after recovery)"), False, 7, None),
    # PMI permanent deferrals
    ("hiv-reactive", gettext_noop("Reactive HIV test"), True, None, None),
    ("hbv-reactive", gettext_noop("Reactive hepatitis B test"), True, None, None),
    ("hcv-reactive", gettext_noop("Reactive hepatitis C test"), True, None, None),
    ("syphilis-reactive", gettext_noop("Reactive syphilis test"), True, None, None),
    ("bleeding-disorder", gettext_noop("Bleeding disorder"), True, None, None),
    ("cancer", gettext_noop("Cancer"), True, None, None),
    ("drug-dependence", gettext_noop("Drug dependence"), True, None, None),
    # Recorded by the lab and at the chair (donations app)
    ("tti-reactive", gettext_noop("Reactive screening result; contact the blood bank"), True, None, None),
    ("low-hemoglobin", gettext_noop("Hemoglobin below the minimum"), False, 7, None),
    # Above the profile's maximum (17.0 g/dL for PMI): its own reason, since it calls for a doctor's
    # look (polycythaemia), not a rest like a high pulse. Not in docs/domain.md: the low-hemoglobin length.
    ("high-hemoglobin", gettext_noop("Hemoglobin above the maximum"), False, 7, None),
    ("vitals-out-of-range", gettext_noop("Blood pressure, pulse or temperature out of range"), False, 1, None),
    ("underweight", gettext_noop("Weight below the minimum"), False, 90, None),
    ("questionnaire", gettext_noop("Pre-donation questionnaire answer"), False, 1, None),
    # Recorded by the bank investigating a transfusion reaction (haemovigilance): a donor implicated
    # in TRALI gives no plasma-rich component again; another implicated donor until an end date.
    (
        "trali-implicated",
        gettext_noop("Implicated in a transfusion-related acute lung injury (TRALI)"),
        True,
        None,
        None,
    ),
    ("transfusion-reaction", gettext_noop("Implicated in a transfusion reaction, under review"), False, None, None),
]


def reason_label(name: str) -> str:
    """A deferral reason's name in the reader's language: a seeded name has its Indonesian in the
    catalogue; a name edited in the admin shows as it was typed."""
    return gettext(name) if name else name


def catalogue_ensure(*, profile_model=None, reason_model=None) -> None:
    """Create any missing seeded profile or reason; existing rows (maybe edited) are left alone."""
    if profile_model is None or reason_model is None:
        from .models import DeferralReason, EligibilityProfile

        profile_model, reason_model = EligibilityProfile, DeferralReason
    for values in PROFILES:
        values = dict(values)
        profile_model.objects.get_or_create(code=values.pop("code"), defaults=values)
    # The historical model of an early migration may not have every column yet.
    columns = {field.name for field in reason_model._meta.get_fields()}
    for code, name, permanent, days, months in REASONS:
        values = dict(name=name, permanent=permanent, default_days=days, default_months=months)
        reason_model.objects.get_or_create(code=code, defaults={k: v for k, v in values.items() if k in columns})

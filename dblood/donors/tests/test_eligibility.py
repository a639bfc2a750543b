"""The eligibility selector at each rule's boundary, under PMI and after switching profiles."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from dblood.core.blood import DonationType
from dblood.donors.eligibility import active_profile, measurement_problems
from dblood.donors.models import EligibilityProfile
from dblood.donors.selectors import donor_eligibility
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import give_donation, make_donor

WB = DonationType.WHOLE_BLOOD
PLT = DonationType.APHERESIS_PLATELETS
DAY0 = date(2026, 3, 2)


@pytest.fixture
def d(donor):
    return make_donor(donor)


def test_default_profile_is_pmi_with_60_days_between_whole_blood(db):
    profile = active_profile()
    assert profile.code == "pmi"
    assert profile.whole_blood_after_whole_blood_days == 60
    assert set(EligibilityProfile.objects.values_list("code", flat=True)) >= {"pmi", "us", "who"}


def test_unknown_profile_setting_is_a_configuration_error(db, settings):
    settings.ELIGIBILITY_PROFILE = "atlantis"
    with pytest.raises(ImproperlyConfigured, match="atlantis"):
        active_profile()


def test_clean_donor_is_eligible_for_everything(d):
    result = donor_eligibility(donor=d, on=DAY0)
    assert result.profile == "pmi"
    for kind in DonationType.values:
        assert result.for_type(kind).eligible
        assert result.for_type(kind).reasons == []
        assert result.for_type(kind).next_eligible_on == DAY0


def test_whole_blood_day_59_no_day_60_yes_under_pmi(d, bank_a):
    give_donation(d, bank_a, DAY0)
    day59 = donor_eligibility(donor=d, on=DAY0 + timedelta(days=59)).for_type(WB)
    assert not day59.eligible
    assert "60 days" in day59.reasons[0]
    assert day59.next_eligible_on == DAY0 + timedelta(days=60)
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=60)).for_type(WB).eligible


def test_switching_to_the_us_profile_uses_56_days(d, bank_a, settings):
    give_donation(d, bank_a, DAY0)
    settings.ELIGIBILITY_PROFILE = "us"
    assert not donor_eligibility(donor=d, on=DAY0 + timedelta(days=55)).for_type(WB).eligible
    day56 = donor_eligibility(donor=d, on=DAY0 + timedelta(days=56))
    assert day56.profile == "us"
    assert day56.for_type(WB).eligible


def test_admin_edit_of_the_profile_applies_at_once(d, bank_a):
    give_donation(d, bank_a, DAY0)
    EligibilityProfile.objects.filter(code="pmi").update(whole_blood_after_whole_blood_days=90)
    assert not donor_eligibility(donor=d, on=DAY0 + timedelta(days=89)).for_type(WB).eligible
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=90)).for_type(WB).eligible


def test_apheresis_after_whole_blood_and_after_apheresis(d, bank_a):
    give_donation(d, bank_a, DAY0)
    day29 = donor_eligibility(donor=d, on=DAY0 + timedelta(days=29))
    assert not day29.for_type(PLT).eligible
    assert day29.for_type(PLT).next_eligible_on == DAY0 + timedelta(days=30)
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=30)).for_type(PLT).eligible

    give_donation(d, bank_a, DAY0 + timedelta(days=30), PLT)
    on = DAY0 + timedelta(days=43)
    result = donor_eligibility(donor=d, on=on)
    assert not result.for_type(PLT).eligible  # 13 days after apheresis
    assert not result.for_type(DonationType.APHERESIS_PLASMA).eligible
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=44)).for_type(PLT).eligible


def test_incomplete_donation_does_not_count(d, bank_a):
    give_donation(d, bank_a, DAY0, outcome="incomplete")
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=1)).for_type(WB).eligible


def test_adverse_event_donation_counts(d, bank_a):
    give_donation(d, bank_a, DAY0, outcome="adverse_event")
    assert not donor_eligibility(donor=d, on=DAY0 + timedelta(days=1)).for_type(WB).eligible


def test_yearly_cap_counts_any_365_days(d, bank_a):
    EligibilityProfile.objects.filter(code="pmi").update(max_whole_blood_per_year=2)
    give_donation(d, bank_a, DAY0)
    give_donation(d, bank_a, DAY0 + timedelta(days=100))
    on = DAY0 + timedelta(days=200)
    result = donor_eligibility(donor=d, on=on).for_type(WB)
    assert not result.eligible
    assert any("At most 2" in reason for reason in result.reasons)
    assert result.next_eligible_on == DAY0 + timedelta(days=365)
    assert donor_eligibility(donor=d, on=DAY0 + timedelta(days=365)).for_type(WB).eligible


def test_age_boundaries(d):
    d.birth_date = date(2009, 6, 10)
    d.save()
    day_before = donor_eligibility(donor=d, on=date(2026, 6, 9)).for_type(WB)
    assert not day_before.eligible
    assert day_before.next_eligible_on == date(2026, 6, 10)
    assert donor_eligibility(donor=d, on=date(2026, 6, 10)).for_type(WB).eligible

    d.birth_date = date(1965, 6, 10)  # 61 on 2026-06-10: too old for a first donation under PMI
    d.save()
    too_old = donor_eligibility(donor=d, on=date(2026, 6, 10)).for_type(WB)
    assert not too_old.eligible and too_old.next_eligible_on is None
    assert donor_eligibility(donor=d, on=date(2026, 6, 9)).for_type(WB).eligible  # still 60


def test_regular_donor_may_give_until_65(d, bank_a):
    d.birth_date = date(1964, 1, 1)  # 62 in 2026
    d.save()
    assert not donor_eligibility(donor=d, on=DAY0).for_type(WB).eligible
    give_donation(d, bank_a, date(2023, 1, 5))
    assert donor_eligibility(donor=d, on=DAY0).for_type(WB).eligible


def test_weight_boundary_and_missing_profile_facts(d):
    d.weight_kg = Decimal("44.9")
    d.save()
    assert not donor_eligibility(donor=d, on=DAY0).for_type(WB).eligible
    d.weight_kg = Decimal("45.0")
    d.save()
    assert donor_eligibility(donor=d, on=DAY0).for_type(WB).eligible
    d.weight_kg = None
    d.birth_date = None
    d.save()
    result = donor_eligibility(donor=d, on=DAY0).for_type(WB)
    assert len(result.reasons) == 2 and result.next_eligible_on is None


def test_temporary_deferral_lapses_by_itself(d):
    deferral = deferral_record(donor=d, reason_code="tattoo-piercing", starts_on=DAY0)
    assert deferral.ends_on == date(2026, 9, 2)  # "6 months": the same day six calendar months later
    before = donor_eligibility(donor=d, on=date(2026, 9, 1))  # 183 days on: still deferred
    for kind in DonationType.values:
        assert not before.for_type(kind).eligible
        assert before.for_type(kind).next_eligible_on == deferral.ends_on
    assert "Tattoo" in before.for_type(WB).reasons[0]
    assert donor_eligibility(donor=d, on=deferral.ends_on).for_type(WB).eligible


def test_permanent_deferral_blocks_every_type_for_good(d, staff_a):
    deferral = deferral_record(donor=d, reason_code="tti-reactive", recorded_by=staff_a, starts_on=DAY0)
    assert deferral.permanent and deferral.ends_on is None and deferral.recorded_by == staff_a
    later = donor_eligibility(donor=d, on=DAY0 + timedelta(days=3000))
    for kind in DonationType.values:
        assert not later.for_type(kind).eligible
        assert later.for_type(kind).next_eligible_on is None


def test_every_reason_is_listed_and_next_date_is_the_latest(d, bank_a):
    give_donation(d, bank_a, DAY0)
    deferral_record(donor=d, reason_code="low-hemoglobin", starts_on=DAY0)
    d.weight_kg = Decimal("40")
    d.save()
    result = donor_eligibility(donor=d, on=DAY0 + timedelta(days=1)).for_type(WB)
    assert len(result.reasons) == 3
    assert result.next_eligible_on is None  # weight has no date
    d.weight_kg = Decimal("50")
    d.save()
    result = donor_eligibility(donor=d, on=DAY0 + timedelta(days=1)).for_type(WB)
    assert result.next_eligible_on == DAY0 + timedelta(days=60)


def test_measurement_problems_at_the_chair(db):
    profile = active_profile()
    ok = measurement_problems(
        profile=profile,
        sex="F",
        hemoglobin_g_dl="12.5",
        weight_kg=45,
        bp_systolic=100,
        bp_diastolic=70,
        pulse=50,
        temperature_c="37.5",
    )
    assert ok == []
    bad = measurement_problems(
        profile=profile, sex="F", hemoglobin_g_dl="12.4", weight_kg=44, bp_systolic=171, pulse=101, temperature_c="36.5"
    )
    codes = [p.reason_code for p in bad]
    assert codes.count("low-hemoglobin") == 1 and codes.count("underweight") == 1
    assert codes.count("vitals-out-of-range") == 3


def test_measurement_thresholds_follow_the_profile(db, settings):
    assert [p.reason_code for p in measurement_problems(profile=active_profile(), sex="F", hemoglobin_g_dl="12.2")] == [
        "low-hemoglobin"
    ]
    settings.ELIGIBILITY_PROFILE = "who"
    assert measurement_problems(profile=active_profile(), sex="F", hemoglobin_g_dl="12.2") == []
    assert measurement_problems(profile=active_profile(), sex="M", hemoglobin_g_dl="12.9")[0].reason_code == (
        "low-hemoglobin"
    )


def test_a_deleted_seed_profile_comes_back(db):
    EligibilityProfile.objects.filter(code="pmi").delete()
    assert active_profile().whole_blood_after_whole_blood_days == 60


@pytest.mark.parametrize(
    ("code", "starts_on", "ends_on"),
    [
        ("tattoo-piercing", date(2026, 1, 31), date(2026, 7, 31)),  # 181 days, not 180
        ("minor-surgery", date(2026, 8, 31), date(2027, 3, 1)),  # no 31 February: never shorter
        ("major-surgery", date(2026, 2, 28), date(2027, 2, 28)),
        ("transfusion-received", date(2026, 6, 15), date(2026, 12, 15)),
        ("dental-surgery", date(2026, 6, 15), date(2026, 6, 18)),  # hours and days stay days
    ],
)
def test_month_deferrals_end_on_the_same_day_months_later(d, code, starts_on, ends_on):
    assert deferral_record(donor=d, reason_code=code, starts_on=starts_on).ends_on == ends_on


def test_a_hemoglobin_above_the_maximum_is_its_own_reason(d):
    profile = active_profile()
    [problem] = measurement_problems(profile=profile, sex=d.sex, hemoglobin_g_dl=profile.hb_max + 1)
    assert problem.reason_code == "high-hemoglobin"
    assert not measurement_problems(profile=profile, sex=d.sex, hemoglobin_g_dl=profile.hb_max)

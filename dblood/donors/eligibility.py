"""The active eligibility profile, and the pre-donation checks measured at the chair.

Which rules apply is data (`EligibilityProfile` rows, editable in the admin); the setting
ELIGIBILITY_PROFILE names the row in force. Scheduling rules (age, intervals, deferrals) are
answered by `dblood.donors.selectors.donor_eligibility`; the checks below need measurements
taken on the day (hemoglobin, vitals, weight) and are called by the donations app.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from .catalogue import catalogue_ensure
from .models import Donor, EligibilityProfile


def _cache_key(code: str) -> str:
    return f"eligibility:profile:{code}"


# Scopes of cached eligibility answers (dblood.core.answers): one per donor's user, and the rules.
def eligibility_scope(user_id: int) -> str:
    return f"eligibility:user:{user_id}"


def profile_scope(code: str) -> str:
    return f"eligibility:profile:{code}"


def eligibility_scopes_of(row) -> tuple[str, ...]:
    """The scopes a saved or deleted Donor, Donation or Deferral row changes: its donor's. A donor
    the caller loaded with the row costs nothing; otherwise one query finds the user."""
    if isinstance(row, Donor):
        return (eligibility_scope(row.user_id),)
    field = type(row).donor
    if field.is_cached(row):
        return (eligibility_scope(row.donor.user_id),)
    user_id = Donor.objects.filter(pk=row.donor_id).values_list("user_id", flat=True).first()
    return () if user_id is None else (eligibility_scope(user_id),)


def answer_scopes(user_id: int) -> list[str]:
    """What a donor's cached eligibility answer depends on."""
    return [eligibility_scope(user_id), profile_scope(settings.ELIGIBILITY_PROFILE)]


def active_profile() -> EligibilityProfile:
    """The profile named by settings.ELIGIBILITY_PROFILE, from the cache when it is there (every
    eligibility answer needs it); saving or deleting a profile drops it (`forget_profile`), so admin
    edits apply at once."""
    code = settings.ELIGIBILITY_PROFILE
    profile = cache.get(_cache_key(code))
    if profile is not None:
        return profile
    profile = EligibilityProfile.objects.filter(code=code).first()
    if profile is not None:
        cache.set(_cache_key(code), profile, None)
        return profile
    # A seeded profile deleted by mistake (or a flushed test database) comes back with its defaults.
    catalogue_ensure()
    try:
        return EligibilityProfile.objects.get(code=code)
    except EligibilityProfile.DoesNotExist as exc:
        raise ImproperlyConfigured(
            f"ELIGIBILITY_PROFILE={code!r} names no eligibility profile; create it in the admin or pick "
            f"one of {list(EligibilityProfile.objects.values_list('code', flat=True))}."
        ) from exc


def forget_profile(sender, instance, **kwargs) -> None:
    """post_save / post_delete of an EligibilityProfile: the next read loads it again."""
    cache.delete(_cache_key(instance.code))


@dataclass(frozen=True)
class Problem:
    """A measurement outside the profile's range: the deferral reason code to record and why."""

    reason_code: str
    message: str


def _num(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def measurement_problems(
    *,
    profile: EligibilityProfile,
    sex: str,
    hemoglobin_g_dl=None,
    weight_kg=None,
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    pulse: int | None = None,
    temperature_c=None,
) -> list[Problem]:
    """Every measurement outside the profile's limits (None means not measured, not checked).

    Reason codes are DeferralReason codes: low-hemoglobin, high-hemoglobin, underweight, vitals-out-of-range.
    """
    problems: list[Problem] = []
    hb = _num(hemoglobin_g_dl)
    if hb is not None:
        hb_min = profile.hb_min(sex)
        if hb < hb_min:
            problems.append(
                Problem("low-hemoglobin", _("Hemoglobin %(hb)s g/dL is below %(min)s.") % {"hb": hb, "min": hb_min})
            )
        elif hb > profile.hb_max:
            problems.append(
                Problem(
                    "high-hemoglobin",
                    _("Hemoglobin %(hb)s g/dL is above %(max)s.") % {"hb": hb, "max": profile.hb_max},
                )
            )
    weight = _num(weight_kg)
    if weight is not None and weight < profile.min_weight_kg:
        problems.append(
            Problem(
                "underweight", _("Weight %(w)s kg is below %(min)s kg.") % {"w": weight, "min": profile.min_weight_kg}
            )
        )
    ranges = [
        (_("Systolic blood pressure"), _num(bp_systolic), profile.bp_systolic_min, profile.bp_systolic_max),
        (_("Diastolic blood pressure"), _num(bp_diastolic), profile.bp_diastolic_min, profile.bp_diastolic_max),
        (_("Pulse"), _num(pulse), profile.pulse_min, profile.pulse_max),
        (_("Temperature"), _num(temperature_c), profile.temp_min, profile.temp_max),
    ]
    for label, value, low, high in ranges:
        if value is not None and not (low <= value <= high):
            problems.append(
                Problem(
                    "vitals-out-of-range",
                    _("%(label)s %(value)s is outside %(low)s-%(high)s.")
                    % {"label": label, "value": value, "low": low, "high": high},
                )
            )
    return problems

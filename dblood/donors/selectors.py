"""Reads for donors: eligibility on a date, per donation type, with every reason why not."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dblood.core.blood import DonationType

from .eligibility import active_profile
from .models import Deferral, Donor, EligibilityProfile

# Yearly caps count donations in any window of this many days.
YEAR_DAYS = 365
# Outcomes of a Donation that count as having donated (an incomplete bag does not).
COUNTED_OUTCOMES = ("completed", "adverse_event")


@dataclass(frozen=True)
class TypeEligibility:
    donation_type: str
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    # Eligible: `on` itself. Not eligible: the first day every blocking rule has lapsed, or None
    # when no date can be given (permanent deferral, too old, profile incomplete).
    next_eligible_on: date | None = None


@dataclass(frozen=True)
class Eligibility:
    """A donor's eligibility on one date, for every DonationType, under one profile."""

    on: date
    profile: str
    types: dict[str, TypeEligibility]

    def for_type(self, donation_type: str) -> TypeEligibility:
        return self.types[str(donation_type)]

    @property
    def eligible_for_any(self) -> bool:
        return any(t.eligible for t in self.types.values())


@dataclass(frozen=True)
class _History:
    """The facts the rules need, fetched once: past donations (local date, type) and deferrals."""

    donations: list[tuple[date, str]]
    deferrals: list[Deferral]


def _history(donor: Donor) -> _History:
    from dblood.donations.models import Donation

    rows = Donation.objects.filter(donor=donor, outcome__in=COUNTED_OUTCOMES).values_list(
        "collected_at", "donation_type"
    )
    donations = sorted(((timezone.localdate(at), kind) for at, kind in rows), reverse=True)
    deferrals = list(
        Deferral.objects.filter(donor=donor)
        .filter(Q(permanent=True) | Q(ends_on__isnull=False))
        .select_related("reason")
    )
    return _History(donations=donations, deferrals=deferrals)


def _is_apheresis(kind: str) -> bool:
    return kind != DonationType.WHOLE_BLOOD


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _blockers(*, donor: Donor, profile: EligibilityProfile, history: _History, kind: str, on: date):
    """(reason, first day it no longer applies or None) for every rule that blocks `kind` on `on`."""
    out: list[tuple[str, date | None]] = []
    past = [(day, k) for day, k in history.donations if day <= on]

    # Profile facts the donor must give before any rule can be applied.
    if donor.birth_date is None:
        out.append((_("Add your birth date to your profile."), None))
    else:
        age = _age_on(donor.birth_date, on)
        max_age = profile.max_age_regular if past and profile.max_age_regular else profile.max_age
        if age < profile.min_age:
            first = _add_years(donor.birth_date, profile.min_age)
            out.append((_("Donors must be at least %(min)d years old.") % {"min": profile.min_age}, first))
        elif max_age is not None and age > max_age:
            out.append((_("Donors may give blood until they are %(max)d years old.") % {"max": max_age}, None))
    if donor.weight_kg is None:
        out.append((_("Add your weight to your profile."), None))
    elif donor.weight_kg < profile.min_weight_kg:
        out.append((_("Donors must weigh at least %(min)s kg.") % {"min": profile.min_weight_kg.normalize()}, None))

    # Deferrals block every donation type. A temporary one lapses on its end date by itself.
    for deferral in history.deferrals:
        if deferral.starts_on > on:
            continue
        if deferral.permanent:
            out.append((_("Permanently deferred: %(reason)s.") % {"reason": deferral.reason.name}, None))
        elif deferral.ends_on > on:
            out.append(
                (
                    _("Deferred until %(day)s: %(reason)s.")
                    % {"day": deferral.ends_on, "reason": deferral.reason.name},
                    deferral.ends_on,
                )
            )

    # Minimum interval since the latest donation of each kind (PMI: 60 days between whole blood).
    latest: dict[bool, tuple[date, str]] = {}
    for day, k in past:
        latest.setdefault(_is_apheresis(k), (day, k))
    for day, k in latest.values():
        gap = profile.interval_days(previous=k, planned=kind)
        if (on - day).days < gap:
            first = day + timedelta(days=gap)
            out.append(
                (
                    _("At least %(gap)d days must pass after your last %(previous)s donation (%(day)s).")
                    % {"gap": gap, "previous": DonationType(k).label.lower(), "day": day},
                    first,
                )
            )

    # At most N donations of this kind within any 365 days (the new one included).
    cap = profile.max_per_year(kind)
    window = [day for day, k in past if _is_apheresis(k) == _is_apheresis(kind) and (on - day).days < YEAR_DAYS]
    if len(window) >= cap:
        # The (len - cap + 1)-th oldest must drop out of the window first.
        oldest_to_drop = sorted(window)[len(window) - cap] if cap else None
        first = oldest_to_drop + timedelta(days=YEAR_DAYS) if oldest_to_drop else None
        label = _("whole-blood") if kind == DonationType.WHOLE_BLOOD else _("apheresis")
        out.append((_("At most %(cap)d %(kind)s donations a year.") % {"cap": cap, "kind": label}, first))
    return out


def _evaluate(*, donor, profile, history, kind, on) -> TypeEligibility:
    blockers = _blockers(donor=donor, profile=profile, history=history, kind=kind, on=on)
    if not blockers:
        return TypeEligibility(donation_type=kind, eligible=True, reasons=[], next_eligible_on=on)
    dates = [first for _reason, first in blockers]
    candidate = None if any(d is None for d in dates) else max(dates)
    # A later rule may still block on the candidate day (a yearly cap, an age limit): look again.
    for _attempt in range(5):
        if candidate is None:
            break
        later = _blockers(donor=donor, profile=profile, history=history, kind=kind, on=candidate)
        if not later:
            break
        later_dates = [first for _reason, first in later]
        candidate = None if any(d is None for d in later_dates) else max(later_dates)
    else:
        candidate = None
    return TypeEligibility(
        donation_type=kind, eligible=False, reasons=[reason for reason, _first in blockers], next_eligible_on=candidate
    )


def donor_eligibility(*, donor: Donor, on: date, profile: EligibilityProfile | None = None) -> Eligibility:
    """May `donor` give each kind of donation on `on`? Every reason why not, and from when they may.

    Rules (numbers from the active EligibilityProfile): age, weight, active deferrals, minimum
    intervals since the latest whole-blood and apheresis donation, and yearly caps. Hemoglobin and
    vitals are measured on the day (`dblood.donors.eligibility.measurement_problems`).
    Three queries (profile, donations, deferrals) unless `profile` is given.
    """
    profile = profile or active_profile()
    history = _history(donor)
    types = {
        kind: _evaluate(donor=donor, profile=profile, history=history, kind=kind, on=on) for kind in DonationType.values
    }
    return Eligibility(on=on, profile=profile.code, types=types)

"""Reads for donors: eligibility on a date, per donation type, with every reason why not."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
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
            out.append((_("Permanently deferred: %(reason)s.") % {"reason": deferral.reason.label}, None))
        elif deferral.ends_on > on:
            out.append(
                (
                    _("Deferred until %(day)s: %(reason)s.")
                    % {"day": date_format(deferral.ends_on), "reason": deferral.reason.label},
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
                    % {"gap": gap, "previous": DonationType(k).label.lower(), "day": date_format(day)},
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


def _local_day_start(day: date) -> datetime:
    """The first instant of `day` in the current time zone (donation days are local dates)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def eligible_donors_q(*, on: date, donation_type: str, profile: EligibilityProfile) -> Q:
    """`donor_eligibility(...).for_type(donation_type).eligible` as a filter on Donor, in SQL.

    The same rules as `_blockers` (age, weight, deferrals, intervals, yearly cap) for many donors
    in one statement: the profile's numbers and `on` become constants, the history `NOT EXISTS`
    subqueries over donations (indexed by donor, type, collected_at) and deferrals. A test keeps
    the two in agreement (donors/tests/test_eligible_donors_q.py).
    """
    from dblood.donations.models import Donation

    kind = str(donation_type)
    wb = DonationType.WHOLE_BLOOD
    cap = profile.max_per_year(kind)
    if cap <= 0:
        return Q(pk__in=[])
    end = _local_day_start(on + timedelta(days=1))  # donations on or before `on`
    counted = Donation.objects.filter(donor=OuterRef("pk"), outcome__in=COUNTED_OUTCOMES, collected_at__lt=end)

    def same_class(qs, as_kind: str):
        return qs.filter(donation_type=wb) if as_kind == wb else qs.exclude(donation_type=wb)

    # Age: the profile's limits as birth-date cut-offs; a donor who has given before may have a
    # different upper limit (max_age_regular).
    q = Q(birth_date__isnull=False, birth_date__lte=_add_years(on, -profile.min_age))
    has_given = Exists(counted)
    if profile.max_age_regular:
        regular = Q(birth_date__gt=_add_years(on, -(profile.max_age_regular + 1)))
        first_time = Q(birth_date__gt=_add_years(on, -(profile.max_age + 1))) if profile.max_age is not None else Q()
        q &= (Q(has_given) & regular) | (~Q(has_given) & first_time)
    elif profile.max_age is not None:
        q &= Q(birth_date__gt=_add_years(on, -(profile.max_age + 1)))
    q &= Q(weight_kg__isnull=False, weight_kg__gte=profile.min_weight_kg)

    # Deferrals block every type: permanent ones, and temporary ones not yet ended on `on`.
    q &= ~Exists(
        Deferral.objects.filter(donor=OuterRef("pk"), starts_on__lte=on).filter(Q(permanent=True) | Q(ends_on__gt=on))
    )
    # Minimum interval since the latest whole-blood and the latest apheresis donation.
    for previous in (wb, DonationType.APHERESIS_PLATELETS):
        gap = profile.interval_days(previous=previous, planned=kind)
        if gap > 0:
            since = _local_day_start(on - timedelta(days=gap - 1))
            q &= ~Exists(same_class(counted, previous).filter(collected_at__gte=since))
    # At most `cap` donations of this class within 365 days, the new one included.
    window = same_class(counted, kind).filter(collected_at__gte=_local_day_start(on - timedelta(days=YEAR_DAYS - 1)))
    q &= ~Exists(window.order_by().values("donor").annotate(n=Count("pk")).filter(n__gte=cap))
    return q

"""One door to the donors app's eligibility rules, for reminders, call-outs and recruitment.

The rules themselves live in `dblood.donors.selectors.donor_eligibility` (owned by the donors
area). Until that selector is on main, a minimal stand-in applies the FACTS.md defaults (active
deferrals; 2 months after whole blood, 2 weeks after apheresis) so this area can be built and
tested; it is used only when the real selector cannot be imported.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from dblood.core.blood import DonationType

_STAND_IN_INTERVAL_DAYS = {
    DonationType.WHOLE_BLOOD: 60,
    DonationType.APHERESIS_PLATELETS: 14,
    DonationType.APHERESIS_PLASMA: 14,
}


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    next_eligible_on: date | None


def _stand_in(donor, donation_type: str, on: date) -> Verdict:
    from dblood.donations.models import Donation
    from dblood.donors.models import Deferral

    blocking = Deferral.objects.filter(Q(permanent=True) | Q(ends_on__gt=on), donor=donor, starts_on__lte=on)
    if any(d.permanent for d in blocking):
        return Verdict(False, None)
    ends = [d.ends_on for d in blocking]
    last = (
        Donation.objects.filter(donor=donor, donation_type=donation_type, outcome__in=["completed", "adverse_event"])
        .order_by("-collected_at")
        .values_list("collected_at", flat=True)
        .first()
    )
    if last is not None:
        ends.append(last.date() + timedelta(days=_STAND_IN_INTERVAL_DAYS[donation_type]))
    first_free = max([on, *ends])
    return Verdict(first_free <= on, first_free)


def donor_verdict(*, donor, donation_type: str, on: date) -> Verdict:
    """May `donor` give `donation_type` on `on`, and from which day."""
    try:
        from dblood.donors.selectors import donor_eligibility
    except ImportError:
        return _stand_in(donor, donation_type, on)
    result = donor_eligibility(donor=donor, on=on).for_type(donation_type)
    return Verdict(result.eligible, result.next_eligible_on)

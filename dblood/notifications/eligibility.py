"""One door to the donors app's eligibility rules, for reminders, call-outs and recruitment.

The rules live in `dblood.donors.selectors.donor_eligibility`; this wraps it so a batch of
donors shares one profile lookup.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    next_eligible_on: date | None


def donor_verdict(*, donor, donation_type: str, on: date, profile=None) -> Verdict:
    """May `donor` give `donation_type` on `on`, and from which day."""
    from dblood.donors.selectors import donor_eligibility

    result = donor_eligibility(donor=donor, on=on, profile=profile).for_type(donation_type)
    return Verdict(result.eligible, result.next_eligible_on)

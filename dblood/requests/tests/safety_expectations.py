"""What the safety invariant expects, computed from the rows with its own tables (docs/domain.md written out
again), never with the barriers' own functions: a test of the barriers cannot lean on them.

`World` reads everything once (a few queries: the state machine's data is small); `issue_problems` says
why one issue broke the invariant; `World.released_problems` and `World.lookback_starts` are the release
rule and the lookback window as the domain states them.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from dblood.donations.models import Donation, ScreeningResult
from dblood.donors.models import Donor
from dblood.inventory.models import BloodUnit, LabelVerification, Transfer, UnitEvent
from dblood.recalls.models import Recall
from dblood.requests.models import Allocation, BloodRequest
from dblood.returns.models import UnitReturn

RED_CELLS = {"O": {"O"}, "A": {"A", "O"}, "B": {"B", "O"}, "AB": {"AB", "A", "B", "O"}}
PLASMA = {"O": {"O", "A", "B", "AB"}, "A": {"A", "AB"}, "B": {"B", "AB"}, "AB": {"AB"}}
IDENTICAL = {abo: {abo} for abo in RED_CELLS}
# component -> (ABO table, when an RhD-negative patient needs an RhD-negative unit)
MATCHING = {
    "WB": (IDENTICAL, "always"),
    "PRC": (RED_CELLS, "always"),
    "TC": (PLASMA, "female_cbp"),
    "FFP": (PLASMA, "never"),
    "LP": (PLASMA, "never"),
    "AHF": (PLASMA, "never"),
    "CPP": (PLASMA, "never"),
}


def required_screens() -> list[str]:
    return ["hiv", "hbv", "hcv", "syphilis"] + (["malaria"] if settings.SCREENING_MALARIA else [])


def screen_verdict(runs: dict[int, bool]) -> str:
    """Repeat-reactive: attempt 1 non-reactive, or reactive then both duplicate repeats non-reactive."""
    if 1 not in runs:
        return "pending"
    if not runs[1]:
        return "non_reactive"
    if runs.get(2) or runs.get(3):
        return "reactive"
    return "non_reactive" if 2 in runs and 3 in runs else "pending"


def months_before(moment: datetime, months: int) -> datetime:
    local = timezone.localtime(moment)
    year, month = divmod(local.year * 12 + local.month - 1 - months, 12)
    for day in range(local.day, 0, -1):
        try:
            return local.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise AssertionError(moment)


class World:
    """Everything the invariant needs, read once after each step (a few queries; the data is small)."""

    def __init__(self):
        self.units = {u.pk: u for u in BloodUnit.objects.order_by("pk")}
        self.donations = {d.pk: d for d in Donation.objects.order_by("pk")}
        self.donors = {
            d.pk: d for d in Donor.objects.filter(pk__in={d.donor_id for d in self.donations.values()}).order_by("pk")
        }
        self.runs: dict[int, dict[str, dict[int, bool]]] = {}
        for r in ScreeningResult.objects.all():
            self.runs.setdefault(r.donation_id, {}).setdefault(r.test, {})[r.attempt] = r.reactive
        self.requests = {r.pk: r for r in BloodRequest.objects.order_by("pk")}
        self.allocations = list(Allocation.objects.order_by("pk"))
        self.transfers = list(Transfer.objects.order_by("pk"))
        self.returns = list(UnitReturn.objects.order_by("pk"))
        self.recalls = list(Recall.objects.order_by("pk"))
        self.checked_labels: dict[int, list[dict]] = {}  # unit -> what each label it was matched against said
        for check in LabelVerification.objects.filter(matched=True).select_related("label_print"):
            self.checked_labels.setdefault(check.unit_id, []).append(check.label_print.content)

    def verdicts(self, donation: Donation) -> dict[str, str]:
        runs = self.runs.get(donation.pk, {})
        return {test: screen_verdict(runs.get(test, {})) for test in required_screens()}

    def released_problems(self, unit: BloodUnit) -> list[str]:
        donation = self.donations[unit.donation_id]
        donor = self.donors[donation.donor_id]
        problems = [
            f"{test} {verdict}" for test, verdict in self.verdicts(donation).items() if verdict != "non_reactive"
        ]
        typed = (donation.typed_abo, donation.typed_rhd)
        if donation.outcome != "completed":
            problems.append(f"collection {donation.outcome}")
        if not all(typed):
            problems.append("not typed")
        elif not donor.group_confirmed or (donor.abo, donor.rhd) != typed:
            problems.append(f"typed {typed} disagrees with the donor's {(donor.abo, donor.rhd)}")
        if (unit.abo, unit.rhd) != typed:
            problems.append(f"labelled {(unit.abo, unit.rhd)}, typed {typed}")
        return problems

    def label_problems(self, unit: BloodUnit) -> list[str]:
        """A unit in stock was let in by a matched scan of a label that says what the unit is."""
        donation = self.donations[unit.donation_id]
        says = {"din": donation.din, "abo": unit.abo, "rhd": unit.rhd, "product_code": unit.product_code}
        labels = self.checked_labels.get(unit.pk, [])
        if not any(all(label.get(key) == value for key, value in says.items()) for label in labels):
            return [f"no matched check of a label saying {says} (checked: {labels})"]
        return []

    def lookback_starts(self) -> dict[int, datetime]:
        """donor -> the earliest start of a lookback window of one of their finally reactive donations."""
        starts: dict[int, datetime] = {}
        for donation in self.donations.values():
            if "reactive" not in self.verdicts(donation).values():
                continue
            start = months_before(donation.collected_at, settings.LOOKBACK_MONTHS)
            for earlier in self.donations.values():
                clean = all(v == "non_reactive" for v in self.verdicts(earlier).values())
                if earlier.donor_id == donation.donor_id and clean and start <= earlier.collected_at:
                    if earlier.collected_at < donation.collected_at:
                        start = earlier.collected_at
            starts[donation.donor_id] = min(start, starts.get(donation.donor_id, start))
        return starts

    def in_lookback(self, unit: BloodUnit, starts: dict[int, datetime]) -> bool:
        donation = self.donations[unit.donation_id]
        start = starts.get(donation.donor_id)
        return start is not None and donation.collected_at >= start

    def fingerprint(self) -> tuple:
        return (
            [(u.pk, u.state, u.site_id, u.abo, u.rhd, u.issued_to_id) for u in self.units.values()],
            [(d.pk, d.status, d.typed_abo, d.typed_rhd) for d in self.donations.values()],
            sorted((k, t, tuple(sorted(r.items()))) for k, v in self.runs.items() for t, r in v.items()),
            [(r.pk, r.status) for r in self.requests.values()],
            [(a.pk, a.status, a.outcome) for a in self.allocations],
            [(t.pk, t.status, t.reserved) for t in self.transfers],
            [(r.pk, r.decision) for r in self.returns],
            [(r.pk, r.status) for r in self.recalls],
            [(d.pk, d.abo, d.rhd, d.group_confirmed) for d in self.donors.values()],
        )


def suits(blood_request: BloodRequest, unit: BloodUnit) -> tuple[bool, bool]:
    """(ABO and component fine, RhD fine) for this patient."""
    table, rhd_rule = MATCHING[blood_request.component]
    abo_ok = unit.component == blood_request.component and unit.abo in table[blood_request.patient_abo]
    needs_negative = blood_request.patient_rhd == "-" and (
        rhd_rule == "always" or (rhd_rule == "female_cbp" and blood_request.patient_female_cbp)
    )
    return abo_ok, not needs_negative or unit.rhd == "-"


def issue_problems(world: World, unit: BloodUnit, event: UnitEvent, starts) -> list[str]:
    """Why issuing `unit` (its event just now) broke the invariant: empty when it was safe."""
    held = [a for a in world.allocations if a.unit_id == unit.pk and a.status == Allocation.Status.ISSUED]
    if len(held) != 1:
        return [f"issued with {len(held)} issued allocations"]
    allocation = held[0]
    blood_request = world.requests[allocation.request_id]
    problems = world.released_problems(unit)
    issued_at = allocation.issued_at
    if issued_at is None or unit.issued_at != issued_at or abs(event.at - issued_at) > timedelta(seconds=1):
        problems.append(f"issue times disagree: {issued_at}, {unit.issued_at}, {event.at}")
        issued_at = event.at
    if unit.expires_at <= issued_at or unit.expires_at <= blood_request.needed_by:
        problems.append(f"expires {unit.expires_at}, issued {issued_at}, needed by {blood_request.needed_by}")
    if unit.site_id != blood_request.target_bank_id:
        problems.append(f"at site {unit.site_id}, issued by {blood_request.target_bank_id}")
    if unit.issued_to_id != blood_request.hospital_id:
        problems.append(f"issued to {unit.issued_to_id}, requested by {blood_request.hospital_id}")
    if world.in_lookback(unit, starts):
        problems.append("inside a reactive donor's lookback window")
    abo_ok, rhd_ok = suits(blood_request, unit)
    if not abo_ok:
        problems.append(f"{unit.component} {unit.abo} for a {blood_request.component} {blood_request.patient_abo}")
    elif not rhd_ok:
        permitted = (
            blood_request.urgency == BloodRequest.Urgency.EMERGENCY
            and allocation.override_reason.strip()
            and (allocation.override_acknowledged or not blood_request.patient_female_cbp)
        )
        if not permitted:
            problems.append(f"RhD {unit.rhd} for {blood_request.patient_rhd} without a permitted override")
    return problems

"""The safety invariant, over any sequence of actions (a Hypothesis state machine on the suite's PostgreSQL).

Random sequences of collections, typing and screening results (late reactive ones too, which open a
lookback), separations, transfers between two banks, requests for patients of any group, reservations
(with and without override reasons, routine to emergency), automatic allocations, issues, outcomes,
returns and their decisions, discards, recall closures, cancellations, time moved forward (days and
months) and expiry sweeps, all through the services the api calls. After every step:

- every unit ever issued was, at the moment of issue: reserved for that request, released (typed, its
  label the typed group, which agrees with the donor's confirmed group; every required screen finally
  non-reactive), unexpired and not expiring before the request's needed_by, at the issuing bank,
  outside every reactive donor's lookback window, and compatible with the patient or carrying an
  override the policy permits (RhD only, emergency, a reason, acknowledged for a woman of childbearing
  potential);
- no unit of a reactive donor's lookback window is available or reserved, and no available unit is
  unreleased;
- a refused action (an api 4xx: Conflict, ValidationError, PermissionDenied, NotFound) changed nothing.

The expectations are computed here from the rows, with their own tables (not the barriers' functions).
Each example runs inside a savepoint that is rolled back, at a frozen clock that only the machine moves.
"""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from dblood.core.errors import Conflict
from dblood.donations import lab
from dblood.donations.models import Donation
from dblood.donations.services import donation_record, donation_separate
from dblood.donors.models import Donor
from dblood.donors.tests.factories import make_donor
from dblood.inventory import transfers
from dblood.inventory.labels import label_print
from dblood.inventory.models import BloodUnit, Transfer, UnitEvent
from dblood.inventory.services import unit_discard, units_expire_due
from dblood.inventory.stock import forget_recent
from dblood.inventory.verification import label_verify
from dblood.recalls.models import Recall
from dblood.recalls.services import recall_close
from dblood.requests import services as requests
from dblood.requests.models import Allocation, BloodRequest
from dblood.requests.tests.safety_expectations import World, issue_problems, required_screens
from dblood.returns.models import UnitReturn
from dblood.returns.services import unit_return, unit_return_decide
from testing.labels import label_scans
from testing.personas import make_user

pytestmark = pytest.mark.django_db

# The api's 4xx answers: a service refusing an action. Anything else is a failure of the test.
REFUSALS = (Conflict, ValidationError, PermissionDenied, NotFound)
S = BloodUnit.State
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
GROUPS = [(abo, rhd) for abo in ("O", "A", "B", "AB") for rhd in ("+", "-")]
DONOR_GROUPS = [("O", "+"), ("A", "+"), ("O", "-"), ("B", "+"), ("A", "-"), ("O", "+"), ("AB", "-"), ("B", "-")]
# Patients: every group, the common ones (as among the donors) more often.
PATIENT_GROUPS = DONOR_GROUPS + GROUPS
COMPONENT_SETS = [("PRC", "FFP"), ("PRC", "TC", "FFP"), ("PRC", "AHF", "CPP"), ("WB",)]
# What an apheresis donation yields (a donor may give one a week or a month after whole blood).
APHERESIS = {"apheresis_platelets": ("TC",), "apheresis_plasma": ("FFP",)}


class SafetyMachine(RuleBasedStateMachine):
    """Set `people` (staff per bank, the hospital's nurse, the hospital, donors) before running."""

    people: dict = {}

    def __init__(self):
        super().__init__()
        self.p = self.people
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self._clock = time_machine.travel(START, tick=False)
        self.clock = self._clock.start()
        self.last_issue_event = UnitEvent.objects.filter(to_state=S.ISSUED).order_by("-pk").values_list("pk", flat=True)
        self.last_issue_event = self.last_issue_event.first() or 0
        self.world = World()

    def teardown(self):
        self._clock.stop()
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)
        cache.clear()
        forget_recent()

    @contextmanager
    def may_refuse(self, *, after_writes: bool = False):
        """A refusal (api 4xx) is an answer, and leaves every row as it was (as read after the last step,
        or just now when this step has already written)."""
        before = World().fingerprint() if after_writes else self.world.fingerprint()
        try:
            yield
        except REFUSALS:
            assert World().fingerprint() == before, "a refused action changed something"

    def bank_staff(self, site_id: int):
        return self.p["staff"][site_id]

    def pick(self, data, values):
        return data.draw(st.sampled_from(sorted(values)))

    # --- the collection and the lab --------------------------------------------------------------------------------
    def _collect(self, donor: int, bank: int, donation_type: str = "whole_blood") -> Donation | None:
        site = self.p["banks"][bank]
        with self.may_refuse():
            return donation_record(
                by=self.bank_staff(site.pk),
                donor=self.p["donors"][donor],
                site=site,
                donation_type=donation_type,
                bag_type="apheresis" if donation_type in APHERESIS else "triple",
                volume_ml=450,
                hemoglobin_g_dl=Decimal("14.0"),
            ).donation
        return None

    def _separate(self, donation: Donation, components, *, after_writes: bool = False) -> None:
        with self.may_refuse(after_writes=after_writes):
            donation_separate(
                donation=donation,
                components=[{"component": c} for c in components],
                by=self.bank_staff(donation.site_id),
            )

    @precondition(lambda self: len(self.unseparated()) < 2)
    @rule(donor=st.integers(0, len(DONOR_GROUPS) - 1), bank=st.integers(0, 1))
    def collect(self, donor, bank):
        self._collect(donor, bank)

    @rule(
        donor=st.integers(0, len(DONOR_GROUPS) - 1),
        bank=st.integers(0, 1),
        components=st.sampled_from(COMPONENT_SETS),
        lab_says=st.sampled_from(["clear", "clear", "clear", "clear", "pending", "reactive"]),
        apheresis=st.sampled_from(["", "", "", *APHERESIS]),
    )
    def collect_and_process(self, donor, bank, components, lab_says, apheresis):
        """The common path in one step: collected, separated, typed as declared, and screened."""
        if apheresis:
            components = APHERESIS[apheresis]
        donation = self._collect(donor, bank, apheresis or "whole_blood")
        if donation is None:
            return
        self._separate(donation, components, after_writes=True)
        staff = self.bank_staff(donation.site_id)
        lab.typing_record(donation=donation, abo=donation.donor.abo, rhd=donation.donor.rhd, by=staff)
        if lab_says == "reactive":  # initial and repeat reactive: finally reactive, a lookback opens
            lab.screening_record(donation=donation, test="hcv", reactive=True, by=staff)
            lab.screening_record(donation=donation, test="hcv", reactive=True, by=staff)
        for test in required_screens()[: 2 if lab_says == "pending" else None]:
            if lab_says != "reactive" or test != "hcv":
                lab.screening_record(donation=donation, test=test, reactive=False, by=staff)
        for unit in donation.units.filter(state=S.QUARANTINED).order_by("pk"):
            if lab_says == "clear":  # the final label printed and scanned: into stock
                self._label_check(unit, scans="match", after_writes=True)

    def _label_check(self, unit: BloodUnit, *, scans: str, after_writes: bool = False) -> None:
        """Print the unit's label and scan it: both barcodes of its own label, or one from another bag's."""
        staff = self.bank_staff(unit.site_id)
        with self.may_refuse(after_writes=after_writes):
            label_print(unit=unit, by=staff, fmt="zpl")
        if not unit.label_prints.exists():
            return
        din, product = self._scans(unit, scans)
        with self.may_refuse(after_writes=True):
            label_verify(unit=unit, by=staff, din_scan=din, product_scan=product)

    def _scans(self, unit: BloodUnit, scans: str) -> tuple[str, str]:
        """What the scanner reads: the unit's last label, or with one barcode from another unit's label."""
        own = label_scans(unit)
        other = next((u for u in BloodUnit.objects.exclude(pk=unit.pk).order_by("pk") if u.label_prints.exists()), None)
        if scans == "match" or other is None:
            return own["din"], own["product_code"]
        theirs = label_scans(other)
        if scans == "other_din" and theirs["din"] != own["din"]:
            return theirs["din"], own["product_code"]
        if scans == "other_product" and theirs["product_code"] != own["product_code"]:
            return own["din"], theirs["product_code"]
        return own["din"], own["product_code"]

    @initialize(stock=st.lists(st.sampled_from(COMPONENT_SETS), min_size=4, max_size=len(DONOR_GROUPS)))
    def opening_stock(self, stock):
        """Some released stock at both banks to start with (each donor at most once: one collection a day)."""
        for donor, components in enumerate(stock):
            self.collect_and_process(donor=donor, bank=donor % 2, components=components, lab_says="clear", apheresis="")

    def unseparated(self):
        with_units = {u.donation_id for u in self.world.units.values()}
        return [d.pk for d in self.world.donations.values() if d.din and d.pk not in with_units]

    @precondition(lambda self: self.unseparated())
    @rule(data=st.data(), components=st.sampled_from(COMPONENT_SETS + [("FFP", "AHF")]))
    def separate(self, data, components):
        self._separate(self.world.donations[self.pick(data, self.unseparated())], components)

    def testable(self):
        return [d.pk for d in self.world.donations.values() if d.status in ("in_testing", "held")]

    def typable(self):
        return [
            pk
            for pk in self.testable()
            if self.world.donations[pk].status == "held" or not self.world.donations[pk].typed_abo
        ]

    @precondition(lambda self: self.typable())
    @rule(data=st.data(), agree=st.booleans(), group=st.sampled_from(GROUPS))
    def type_donation(self, data, agree, group):
        donation = self.world.donations[self.pick(data, self.typable())]
        donor = Donor.objects.get(pk=donation.donor_id)
        abo, rhd = (donor.abo, donor.rhd) if agree else group
        with self.may_refuse():
            lab.typing_record(donation=donation, abo=abo, rhd=rhd, by=self.bank_staff(donation.site_id))

    @precondition(lambda self: self.testable())
    @rule(
        data=st.data(),
        test=st.sampled_from(["hiv", "hbv", "hcv", "syphilis"]),
        reactive=st.sampled_from([False, False, True]),
    )
    def screen(self, data, test, reactive):
        donation = self.world.donations[self.pick(data, self.testable())]
        with self.may_refuse():
            lab.screening_record(donation=donation, test=test, reactive=reactive, by=self.bank_staff(donation.site_id))

    @precondition(lambda self: self.testable())
    @rule(data=st.data())
    def screen_all_clear(self, data):
        donation = self.world.donations[self.pick(data, self.testable())]
        pending = [t for t, v in self.world.verdicts(donation).items() if v in ("pending",)]
        for test in pending:
            lab.screening_record(donation=donation, test=test, reactive=False, by=self.bank_staff(donation.site_id))

    # --- stock ----------------------------------------------------------------------------------------------------
    def units_in(self, *states):
        return [u.pk for u in self.world.units.values() if u.state in states]

    @precondition(lambda self: self.units_in(S.QUARANTINED))
    @rule(data=st.data(), scans=st.sampled_from(["match", "match", "other_din", "other_product"]))
    def label_check(self, data, scans):
        """The final label printed and scanned (a quarantine label while the donation is in testing)."""
        self._label_check(BloodUnit.objects.get(pk=self.pick(data, self.units_in(S.QUARANTINED))), scans=scans)

    @precondition(lambda self: self.units_in(S.AVAILABLE) and not self.units_in(S.IN_TRANSIT))
    @rule(data=st.data())
    def send(self, data):
        unit = self.world.units[self.pick(data, self.units_in(S.AVAILABLE))]
        to_site = next(b for b in self.p["banks"] if b.pk != unit.site_id)
        with self.may_refuse():
            transfers.transfer_send(unit=unit, to_site=to_site, by=self.bank_staff(unit.site_id))

    def transfers_in(self, status):
        return [t.pk for t in self.world.transfers if t.status == status]

    @precondition(lambda self: self.transfers_in(Transfer.Status.REQUESTED))
    @rule(data=st.data())
    def dispatch(self, data):
        transfer = Transfer.objects.get(pk=self.pick(data, self.transfers_in(Transfer.Status.REQUESTED)))
        with self.may_refuse():
            transfers.transfer_dispatch(transfer=transfer, by=self.bank_staff(transfer.from_site_id))

    @precondition(lambda self: self.transfers_in(Transfer.Status.IN_TRANSIT))
    @rule(
        data=st.data(),
        scans=st.sampled_from(["match", "match", "other_din", "other_product"]),
        # On arrival: in range for red cells, platelets or frozen plasma, or out of every range.
        temperature=st.sampled_from(["4.0", "22.0", "-25.0", "14.0"]),
    )
    def receive(self, data, scans, temperature):
        transfer = Transfer.objects.get(pk=self.pick(data, self.transfers_in(Transfer.Status.IN_TRANSIT)))
        din, product = self._scans(BloodUnit.objects.get(pk=transfer.unit_id), scans)
        with self.may_refuse(after_writes=True):
            transfers.transfer_receive(
                transfer=transfer,
                by=self.bank_staff(transfer.to_site_id),
                din_scan=din,
                product_scan=product,
                temperature_c=Decimal(temperature),
            )

    @precondition(lambda self: self.units_in(S.QUARANTINED, S.UNSAFE))
    @rule(data=st.data())
    def discard(self, data):
        """Destroy a unit the lab or a lookback holds (what settles a recall)."""
        unit = self.world.units[self.pick(data, self.units_in(S.QUARANTINED, S.UNSAFE))]
        with self.may_refuse():
            unit_discard(unit=unit, reason="Bag leaking.", by=self.bank_staff(unit.site_id))

    @rule(
        hours=st.sampled_from([1, 7, 30, 24 * 4, 24 * 6, 24 * 20, 24 * 60]), sweep=st.sampled_from([False, False, True])
    )
    def time_passes(self, hours, sweep):
        """The clock moves on (by up to two months); the expiry sweep runs then, or not yet."""
        self.clock.shift(timedelta(hours=hours))
        if sweep:
            units_expire_due(now=timezone.now())

    # --- requests -------------------------------------------------------------------------------------------------
    @precondition(lambda self: len(self.open_requests()) < 4)
    @rule(
        bank=st.integers(0, 1),
        group=st.sampled_from(PATIENT_GROUPS),
        component=st.sampled_from(["PRC", "PRC", "FFP", "TC", "TC", "WB", "AHF"]),
        units=st.integers(1, 2),
        urgency=st.sampled_from(["routine", "urgent", "emergency"]),
        female_cbp=st.booleans(),
        hours=st.sampled_from([1, 1, 12, 48, 24 * 10]),
        then_allocate=st.booleans(),
    )
    def request(self, bank, group, component, units, urgency, female_cbp, hours, then_allocate):
        """A hospital asks for blood (and the bank allocates at once, or later)."""
        blood_request = None
        with self.may_refuse():
            blood_request = requests.request_create(
                by=self.p["nurse"],
                hospital=self.p["hospital"],
                target_bank=self.p["banks"][bank],
                patient_abo=group[0],
                patient_rhd=group[1],
                patient_female_cbp=female_cbp,
                component=component,
                units=units,
                urgency=urgency,
                needed_by=timezone.now() + timedelta(hours=hours),
            )
        if blood_request is not None and then_allocate:
            with self.may_refuse(after_writes=True):
                requests.allocation_auto(blood_request=blood_request, by=self.bank_staff(blood_request.target_bank_id))

    def open_requests(self):
        return [r.pk for r in self.world.requests.values() if r.status in BloodRequest.OPEN]

    @precondition(lambda self: self.open_requests() and self.world.units)
    @rule(
        data=st.data(),
        how_many=st.integers(1, 2),
        reason=st.sampled_from(["", "Massive haemorrhage, no RhD-negative stock."]),
        acknowledged=st.booleans(),
    )
    def reserve(self, data, how_many, reason, acknowledged):
        blood_request = self.world.requests[self.pick(data, self.open_requests())]
        same = [u.pk for u in self.world.units.values() if u.component == blood_request.component]
        on_shelf = [pk for pk in same if self.world.units[pk].state == S.AVAILABLE]
        candidates = on_shelf if on_shelf and data.draw(st.booleans()) else same or list(self.world.units)
        units = data.draw(st.lists(st.sampled_from(sorted(candidates)), min_size=1, max_size=how_many))
        with self.may_refuse():
            requests.allocation_reserve(
                blood_request=blood_request,
                unit_ids=units,
                by=self.bank_staff(blood_request.target_bank_id),
                override_reason=reason,
                override_acknowledged=acknowledged,
            )

    @precondition(lambda self: self.open_requests())
    @rule(data=st.data())
    def allocate_automatically(self, data):
        blood_request = self.world.requests[self.pick(data, self.open_requests())]
        with self.may_refuse():
            requests.allocation_auto(
                blood_request=BloodRequest(pk=blood_request.pk), by=self.bank_staff(blood_request.target_bank_id)
            )

    def reserved_requests(self):
        return sorted({a.request_id for a in self.world.allocations if a.status == Allocation.Status.RESERVED})

    @precondition(lambda self: self.reserved_requests())
    @rule(data=st.data(), one=st.booleans(), later=st.sampled_from([0, 0, 0, 24 * 6, 24 * 40]))
    def issue(self, data, one, later):
        """The bank issues what it reserved: now, or days later (before any expiry sweep has run)."""
        self.clock.shift(timedelta(hours=later))
        blood_request = self.world.requests[self.pick(data, self.reserved_requests())]
        held = [
            a.unit_id for a in self.world.allocations if a.request_id == blood_request.pk and a.status == "reserved"
        ]
        with self.may_refuse():
            requests.request_issue(
                blood_request=blood_request,
                by=self.bank_staff(blood_request.target_bank_id),
                unit_ids=[self.pick(data, held)] if one else None,
            )

    @precondition(lambda self: self.open_requests())
    @rule(data=st.data(), by_hospital=st.booleans())
    def cancel(self, data, by_hospital):
        blood_request = self.world.requests[self.pick(data, self.open_requests())]
        by = self.p["nurse"] if by_hospital else self.bank_staff(blood_request.target_bank_id)
        with self.may_refuse():
            requests.request_cancel(blood_request=blood_request, by=by, reason="No longer needed.")

    # --- after issue: outcomes, returns, recalls ------------------------------------------------------------------
    def issued_allocations(self):
        return [a.pk for a in self.world.allocations if a.status == Allocation.Status.ISSUED and not a.outcome]

    @precondition(lambda self: self.issued_allocations())
    @rule(data=st.data(), transfused=st.booleans())
    def outcome(self, data, transfused):
        allocation = Allocation.objects.get(pk=self.pick(data, self.issued_allocations()))
        with self.may_refuse():
            requests.allocation_record_outcome(allocation=allocation, by=self.p["nurse"], transfused=transfused)

    @precondition(lambda self: self.units_in(S.ISSUED))
    @rule(
        data=st.data(),
        minutes=st.sampled_from([10, 45]),
        temperature=st.sampled_from(["4.0", "12.0"]),
        validated_box=st.booleans(),
    )
    def give_back(self, data, minutes, temperature, validated_box):
        unit = self.world.units[self.pick(data, self.units_in(S.ISSUED))]
        left = max(unit.issued_at, timezone.now() - timedelta(minutes=minutes))
        with self.may_refuse():
            unit_return(
                unit_id=unit.pk,
                by=self.p["nurse"],
                left_storage_at=left,
                temperature_c=Decimal(temperature),
                validated_box=validated_box,
            )

    def pending_returns(self):
        return [r.pk for r in self.world.returns if not r.decision]

    @precondition(lambda self: self.pending_returns())
    @rule(data=st.data(), restock=st.booleans(), seal_intact=st.booleans())
    def decide_return(self, data, restock, seal_intact):
        unit_return_row = UnitReturn.objects.get(pk=self.pick(data, self.pending_returns()))
        with self.may_refuse():
            unit_return_decide(
                unit_return=unit_return_row,
                by=self.bank_staff(unit_return_row.bank_id),
                decision=UnitReturn.Decision.RESTOCKED if restock else UnitReturn.Decision.DISCARDED,
                seal_intact=seal_intact,
            )

    def open_recalls(self):
        return [r.pk for r in self.world.recalls if r.status == Recall.Status.OPEN]

    @precondition(lambda self: self.open_recalls())
    @rule(data=st.data())
    def close_recall(self, data):
        recall = Recall.objects.get(pk=self.pick(data, self.open_recalls()))
        with self.may_refuse():
            recall_close(recall=recall, by=self.bank_staff(recall.site_id))

    # --- the invariant --------------------------------------------------------------------------------------------
    @invariant()
    def nothing_unsafe_reaches_a_patient_or_a_shelf(self):
        self.world = world = World()
        starts = world.lookback_starts()
        new_issues = list(UnitEvent.objects.filter(to_state=S.ISSUED, pk__gt=self.last_issue_event).order_by("pk"))
        for event in new_issues:
            problems = issue_problems(world, world.units[event.unit_id], event, starts)
            assert not problems, f"unit {event.unit_id} was issued unsafely: {problems}"
            self.last_issue_event = event.pk
        for unit in world.units.values():
            if unit.state in (S.AVAILABLE, S.RESERVED):
                assert not world.in_lookback(unit, starts), f"unit {unit.pk} of a lookback window is {unit.state}"
                problems = world.released_problems(unit)
                assert not problems, f"unit {unit.pk} is {unit.state} but not released: {problems}"
                problems = world.label_problems(unit)
                assert not problems, f"unit {unit.pk} is {unit.state} without its label checked: {problems}"


@pytest.fixture
def people(bank_a, bank_b, hospital, staff_a, staff_b, hospital_user):
    donors = [
        make_donor(make_user(f"invariant{n}@example.org"), abo=abo, rhd=rhd, sex="F" if n % 2 else "M")
        for n, (abo, rhd) in enumerate(DONOR_GROUPS)
    ]
    return {
        "banks": [bank_a, bank_b],
        "staff": {bank_a.pk: staff_a, bank_b.pk: staff_b},
        "nurse": hospital_user,
        "hospital": hospital,
        "donors": donors,
    }


def test_no_sequence_of_actions_issues_an_unsafe_unit_or_shelves_a_lookback_unit(people):
    SafetyMachine.people = people
    run_state_machine_as_test(
        SafetyMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=100,
            derandomize=True,
            database=None,
            deadline=None,
            print_blob=False,
            suppress_health_check=list(HealthCheck),
        ),
    )

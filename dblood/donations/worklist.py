"""The lab's worklist: the donations of the staff member's banks that still need the lab, oldest
deadline first, each with what is left to do (codes the web labels in the reader's language).

Steps, in the order a lab works them:
    typing            ABO/RhD not typed yet
    group_mismatch    the typed group disagrees with the donor's confirmed group (held)
    screen:<test>     a required screen without a result
    repeat:<test>     a first reactive result waiting for its duplicate repeat
    separation        no components made yet (the earliest processing window gives `separate_by`)
    label_check       released by the lab, a unit still in quarantine until its final label is
                      printed and scanned (inventory.verification)
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dblood.coldchain.selectors import excursion_held_q
from dblood.inventory import components as catalogue
from dblood.inventory.models import BloodUnit
from dblood.recalls.selectors import held_units_q

from .models import Donation
from .release import Outcome, required_tests, screening_summary


@dataclass
class WorkItem:
    donation: Donation
    steps: list[str] = field(default_factory=list)
    separate_by: datetime | None = None

    @property
    def late(self) -> bool:
        return self.separate_by is not None and self.separate_by <= timezone.now()


def _separate_by(donation: Donation) -> datetime | None:
    """The end of the shortest processing window among the components this donation type yields."""
    windows = [
        kind.processing_window
        for kind in catalogue.kinds().values()
        if donation.donation_type in kind.donation_types and kind.processing_window
    ]
    return donation.collected_at + min(windows) if windows else None


def lab_worklist(*, user) -> list[WorkItem]:
    """Two queries whatever the number: the donations (with their site, donor and whether any unit
    was made), and their screening results."""
    separated = Exists(BloodUnit.objects.filter(donation_id=OuterRef("pk")))
    # In date and held by no recall: what a matched label check would let into stock.
    awaiting_check = Exists(
        BloodUnit.objects.filter(
            donation_id=OuterRef("pk"), state=BloodUnit.State.QUARANTINED, expires_at__gt=timezone.now()
        )
        .exclude(held_units_q())
        .exclude(excursion_held_q())
    )
    donations = (
        Donation.objects.filter(site_id__in=user.site_ids, outcome=Donation.Outcome.COMPLETED)
        .exclude(Q(din="") | Q(din__isnull=True))  # a collection with no DIN has no bag for the lab
        .exclude(status=Donation.Status.REJECTED)
        .annotate(separated=separated, awaiting_check=awaiting_check)
        .filter(
            Q(status__in=[Donation.Status.IN_TESTING, Donation.Status.HELD])
            | Q(separated=False)
            | Q(status=Donation.Status.RELEASED, awaiting_check=True)
        )
        .select_related("site", "donor")
        .prefetch_related("screening_results")
        .order_by("collected_at", "id")
    )
    tests = required_tests()
    items = []
    for donation in donations:
        item = WorkItem(donation=donation)
        if not donation.is_typed:
            item.steps.append("typing")
        if donation.status == Donation.Status.HELD:
            item.steps.append("group_mismatch")
        summary = screening_summary(donation, donation.screening_results.all())
        item.steps += [f"screen:{test}" for test in tests if summary.get(test) == Outcome.PENDING]
        item.steps += [f"repeat:{test}" for test in tests if summary.get(test) == Outcome.REPEAT_PENDING]
        if not donation.separated:
            item.steps.append("separation")
            item.separate_by = _separate_by(donation)
        if donation.status == Donation.Status.RELEASED and donation.awaiting_check:
            item.steps.append("label_check")
        if item.steps:
            items.append(item)
    far = datetime.max.replace(tzinfo=timezone.get_current_timezone())
    return sorted(items, key=lambda i: (i.separate_by or far, i.donation.collected_at, i.donation.pk))

"""Lookback and recall (docs/domain.md "Returns and lookback").

When a donation becomes finally reactive, every unit from the donor's other donations inside the
lookback window is traced, in the same transaction as the result:
- on a shelf (available or reserved, any bank): quarantined at once, its reservation withdrawn;
- already in quarantine: kept there;
- in transit: stopped (the receiving bank can book it in only into quarantine);
- issued or transfused: the holding hospital's staff get an in-app and e-mail notice naming the
  DIN and the component, never the test or the donor;
- expired, discarded or unsafe: recorded, nothing to do.
A unit of a donation inside a recall's window (open or closed) never becomes available
(`inventory.services.units_transition` asks `selectors.recalled_unit_ids`).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dblood.accounts.models import User
from dblood.core.dates import shift_months
from dblood.core.errors import Conflict
from dblood.donations.models import Donation
from dblood.donations.release import Outcome, required_tests, screening_summary
from dblood.inventory.models import BloodUnit, Transfer
from dblood.inventory.services import units_transition
from dblood.notifications.messages import notify_staff
from dblood.notifications.models import Notification

from .models import Recall, RecallUnit

S = BloodUnit.State
A = RecallUnit.Action
ON_A_SHELF = (S.AVAILABLE, S.RESERVED)
AT_A_HOSPITAL = (S.ISSUED, S.TRANSFUSED)
# Still in a blood bank's custody: the bank must settle these (discard) before the recall closes.
IN_CUSTODY = (S.QUARANTINED, S.IN_TRANSIT, S.AVAILABLE, S.RESERVED)


def _months_before(moment: datetime, months: int) -> datetime:
    """The same local day and time `months` calendar months earlier (the month's last day if shorter)."""
    local = timezone.localtime(moment)
    day = shift_months(local.date(), -months)
    return local.replace(year=day.year, month=day.month, day=day.day)


def _is_non_reactive(donation: Donation) -> bool:
    summary = screening_summary(donation, donation.screening_results.all())
    return all(summary.get(test) == Outcome.NON_REACTIVE for test in required_tests())


def lookback_window_start(*, donation: Donation) -> datetime:
    """LOOKBACK_MONTHS before the reactive donation, or the donor's last non-reactive donation
    before it if that is later. The last non-reactive donation itself is inside the window: its
    tests may have been taken in the infection's window period."""
    start = _months_before(donation.collected_at, settings.LOOKBACK_MONTHS)
    earlier = (
        Donation.objects.filter(donor_id=donation.donor_id, collected_at__gte=start)
        .filter(collected_at__lt=donation.collected_at)
        .exclude(pk=donation.pk)
        .prefetch_related("screening_results")
        .order_by("-collected_at", "-id")
    )
    for candidate in earlier:
        if _is_non_reactive(candidate):
            return candidate.collected_at
    return start


def _notify_hospital(*, recall: Recall, unit: BloodUnit, hospital_id: int) -> int:
    """Tell every active staff member of the hospital holding `unit`: the DIN and the component only."""
    return notify_staff(
        site_id=hospital_id,
        role=User.Role.HOSPITAL_STAFF,
        kind=Notification.Kind.UNIT_RECALL,
        key=f"unit-recall:{recall.pk}:{unit.pk}",
        data={"recall": recall.pk, "unit": unit.pk, "din": unit.donation.din, "component": unit.component},
        din=unit.donation.din,
        component=unit.component,  # the code on the label, the same in every language
        site=recall.site.name,
    )


def lookback_trace(*, donation: Donation, by=None, include_donation: bool = False) -> Recall:
    """Open the recall of a donation that has just become finally reactive (the caller, the lab,
    holds the donation's lock and its transaction). Idempotent: a second call returns the recall.

    `include_donation`: the donation's own units are traced too. The lab's reactive donation has
    its units made unsafe already; a donation implicated in a transfusion reaction (haemovigilance)
    was released, and its other components may still be on a shelf."""
    existing = Recall.objects.filter(donation=donation).first()
    if existing is not None:
        return existing
    window_start = lookback_window_start(donation=donation)
    recall = Recall.objects.create(donation=donation, site_id=donation.site_id, window_start=window_start, opened_by=by)
    traced = BloodUnit.objects.filter(donation__donor_id=donation.donor_id, donation__collected_at__gte=window_start)
    if not include_donation:
        traced = traced.exclude(donation=donation)
    candidate_ids = list(traced.values_list("pk", flat=True))
    if not candidate_ids:
        _close_if_settled(recall=recall, by=by)
        return recall
    from dblood.requests.services import allocations_withdraw

    # Reservations end first: the locking order is request rows, then unit rows.
    allocations_withdraw(unit_ids=candidate_ids)
    units = list(
        BloodUnit.objects.select_for_update(of=("self",))
        .select_related("donation")
        .filter(pk__in=candidate_ids)
        .order_by("pk")
    )
    if any(unit.state == S.RESERVED for unit in units):  # reserved a moment ago, after the withdrawal
        allocations_withdraw(unit_ids=[unit.pk for unit in units if unit.state == S.RESERVED])
    transfers = {
        t.unit_id: t for t in Transfer.objects.filter(unit_id__in=candidate_ids, status=Transfer.Status.IN_TRANSIT)
    }
    rows = []
    for unit in units:
        row = RecallUnit(recall=recall, unit=unit, state_at_trace=unit.state, site_id=unit.site_id)
        if unit.state in ON_A_SHELF:
            row.action = A.QUARANTINED
        elif unit.state == S.QUARANTINED:
            row.action = A.HELD
        elif unit.state == S.IN_TRANSIT:
            row.action, row.transfer = A.STOPPED, transfers.get(unit.pk)
        elif unit.state in AT_A_HOSPITAL and unit.issued_to_id:
            row.action, row.site_id = A.HOSPITAL_NOTIFIED, unit.issued_to_id
        else:
            row.action = A.NONE
        rows.append(row)
    RecallUnit.objects.bulk_create(rows)
    shelf = [unit for unit in units if unit.state in ON_A_SHELF]
    units_transition(units=shelf, to=S.QUARANTINED, by=by, reason=f"Lookback: recall {recall.pk}.", already_locked=True)
    for row in rows:
        if row.action == A.HOSPITAL_NOTIFIED:
            row.notified = _notify_hospital(recall=recall, unit=row.unit, hospital_id=row.site_id)
            row.save(update_fields=["notified"])
    _close_if_settled(recall=recall, by=by)
    return recall


def _close_if_settled(*, recall: Recall, by) -> bool:
    """A recall with nothing left to follow (no unit in a bank's custody, no hospital told) closes at once."""
    follow_up = recall.traced.exclude(action=A.NONE).exists()
    if follow_up:
        return False
    recall.status, recall.closed_at, recall.closed_by = Recall.Status.CLOSED, timezone.now(), by
    recall.save(update_fields=["status", "closed_at", "closed_by"])
    return True


@transaction.atomic
def recall_close(*, recall: Recall, by) -> Recall:
    """The opening bank closes the recall once no unit of the window is left in a bank's custody
    (each discarded, or expired). The hold stays: a unit handed back by a hospital later is never
    restocked. 409 `recall_unsettled` naming the units."""
    locked = Recall.objects.select_for_update(of=("self",)).select_related("donation").get(pk=recall.pk)
    if locked.site_id not in by.site_ids:
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied(_("Only staff of the blood bank that opened the recall may close it."))
    if locked.status == Recall.Status.CLOSED:
        raise Conflict(_("This recall is already closed."), code="recall_closed")
    window = BloodUnit.objects.filter(
        donation__donor_id=locked.donation.donor_id, donation__collected_at__gte=locked.window_start
    )
    pending = sorted(window.filter(state__in=IN_CUSTODY).values_list("donation__din", "component"))
    if pending:
        names = ", ".join(f"{din} {component}" for din, component in pending)
        raise Conflict(
            _("Discard every traced unit still held by a blood bank first: %(units)s.") % {"units": names},
            code="recall_unsettled",
            extra={"units": [{"din": din, "component": component} for din, component in pending]},
        )
    locked.status, locked.closed_at, locked.closed_by = Recall.Status.CLOSED, timezone.now(), by
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    return locked

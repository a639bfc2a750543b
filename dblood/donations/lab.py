"""Lab writes: ABO/RhD typing and infection screening; each ends by applying the release rule."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dblood.audit.services import audit_track
from dblood.core.errors import Conflict
from dblood.donors.models import Donor
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import units_relabel, units_transition
from dblood.notifications.models import Notification
from dblood.notifications.services import notification_send
from dblood.recalls.services import lookback_trace

from .models import Donation, ScreeningResult
from .release import Outcome, in_words, release_blockers, required_tests, screening_summary

TTI_DEFERRAL_CODE = "tti-reactive"


def _lock(donation: Donation) -> Donation:
    # Race: two lab clerks entering results for one donation at once. The donation row is the lock,
    # so attempts are numbered and the release rule applied one writer at a time.
    return Donation.objects.select_for_update().get(pk=donation.pk)


@transaction.atomic
def typing_record(*, donation: Donation, abo: str, rhd: str, by=None) -> Donation:
    """Record the lab's ABO/RhD for a donation.

    It confirms the donor's group. If the donor's group was already confirmed and differs, the
    donation is HELD (its units stay quarantined) and the donor flagged for staff to look at. A held
    donation may be typed again; a result that agrees lifts the hold.
    """
    locked = _lock(donation)
    # A held donation may be typed again (a fresh sample after the mismatch was investigated).
    if locked.is_typed and locked.status != Donation.Status.HELD:
        raise Conflict(_("This donation has already been typed."), code="already_typed")
    # Read under its lock, so its save() is audited without reading it again.
    donor = audit_track(Donor.objects.select_for_update().get(pk=locked.donor_id))
    locked.typed_abo, locked.typed_rhd, locked.typed_at, locked.typed_by = abo, rhd, timezone.now(), by
    if donor.group_confirmed and (donor.abo, donor.rhd) != (abo, rhd):
        if locked.status == Donation.Status.IN_TESTING:
            locked.status = Donation.Status.HELD
        donor.group_flagged = True
        donor.save(update_fields=["group_flagged"])
    else:
        if locked.status == Donation.Status.HELD:
            locked.status = Donation.Status.IN_TESTING
        donor.abo, donor.rhd, donor.group_confirmed = abo, rhd, True
        donor.save(update_fields=["abo", "rhd", "group_confirmed"])
        # Units were labelled with the declared group at separation; the lab's word replaces it.
        # Through the inventory service, not QuerySet.update(): each relabelled unit is audited.
        units_relabel(units=list(locked.units.filter(state=BloodUnit.State.QUARANTINED)), abo=abo, rhd=rhd)
    locked.save()
    donation_evaluate(donation=locked, by=by)
    return locked


@transaction.atomic
def screening_record(*, donation: Donation, test: str, reactive: bool, by=None) -> ScreeningResult:
    """Record the next run of `test` (initial, or one of the duplicate repeats). 409 once final."""
    if test not in required_tests():
        raise Conflict(_("%(test)s is not screened here.") % in_words(test=test), code="test_not_screened")
    locked = _lock(donation)
    runs = list(locked.screening_results.filter(test=test))
    outcome = Outcome.PENDING if not runs else screening_summary(locked, runs)[test]
    if outcome in Outcome.FINAL:
        raise Conflict(
            _("The %(test)s result is already final (%(outcome)s).") % in_words(test=test, outcome=outcome),
            code="screening_final",
        )
    result = ScreeningResult.objects.create(
        donation=locked, test=test, attempt=len(runs) + 1, reactive=reactive, recorded_by=by
    )
    donation_evaluate(donation=locked, by=by)
    return result


def donation_evaluate(*, donation: Donation, by=None) -> Donation:
    """Apply the lab's results to the donation and its units (caller holds the donation's lock).

    Reactive: REJECTED, every unit still in quarantine UNSAFE, the donor deferred and asked
    privately to contact the blood bank (naming no test), and the lookback traces the donor's
    earlier units (recalls.services). Released by the rule: the donation RELEASED, its units still
    in quarantine, each awaiting its label check (the final label printed and both barcodes scanned:
    `inventory.verification.label_verify` moves it into stock).
    """
    summary = screening_summary(donation)
    if Outcome.REACTIVE in summary.values() and donation.status != Donation.Status.REJECTED:
        donation.status = Donation.Status.REJECTED
        donation.save(update_fields=["status"])
        _defer_and_notify(donation=donation, by=by)
        lookback_trace(donation=donation, by=by)
    if donation.status == Donation.Status.REJECTED:
        quarantined = list(donation.units.filter(state=BloodUnit.State.QUARANTINED))
        units_transition(units=quarantined, to=BloodUnit.State.UNSAFE, by=by, reason="Reactive screening result.")
        return donation
    if donation.status == Donation.Status.IN_TESTING and not release_blockers(donation, summary):
        donation.status = Donation.Status.RELEASED
        donation.released_at = timezone.now()
        donation.save(update_fields=["status", "released_at"])
    return donation


def _defer_and_notify(*, donation: Donation, by=None) -> None:
    from dblood.donors.services import deferral_record

    donor = donation.donor
    deferral_record(donor=donor, reason_code=TTI_DEFERRAL_CODE, recorded_by=by, note=f"Donation {donation.din}")
    # Private and deliberately vague: no test is named in a message that may be read by others.
    notification_send(
        user=donor.user,
        kind=Notification.Kind.SCREENING_FOLLOW_UP,
        key=f"screening-follow-up:{donation.pk}",
        title=_("Please contact your blood bank"),
        body=format_lazy(
            _(
                "Please contact {site} about your recent donation. "
                "This message is private; staff will explain in person."
            ),
            site=donation.site.name,
        ),
        data={"site_id": donation.site_id},
    )

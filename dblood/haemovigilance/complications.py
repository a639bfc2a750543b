"""Donor complications (ISBT 2014): recorded by the collecting bank's staff at or after the
collection, or reported by the donor from their own page and then coded by staff. A severe one
alerts the bank's medical officers (alerts.py)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from dblood.core.errors import Conflict
from dblood.donations.models import Donation
from dblood.notifications.models import Notification

from .alerts import alert_medical_officers
from .codes import (
    ComplicationCategory,
    ComplicationOutcome,
    ComplicationSeverity,
    complication_is_severe_by_definition,
)
from .models import DonorComplication

# A complication "during" the donation may begin before the collection's recorded time (the
# needle goes in before the bag is weighed); nothing begins long before the donor sat down.
BEFORE_COLLECTION = timedelta(hours=6)


def _check_time(*, occurred_at: datetime, donation: Donation) -> None:
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": [_("This time is in the future.")]})
    if occurred_at < donation.collected_at - BEFORE_COLLECTION:
        raise ValidationError({"occurred_at": [_("This is before the donation.")]})


def _check_severity(*, severity: str, outcome: str, follow_up: str) -> None:
    """A complication that led to hospitalisation, major sequelae or death cannot be coded non-severe
    (ISBT 2014): 400 naming the severity, so staff choose it, never the system."""
    if severity == ComplicationSeverity.NON_SEVERE and complication_is_severe_by_definition(
        outcome=outcome, follow_up=follow_up
    ):
        raise ValidationError(
            {
                "severity": [
                    _("A complication that led to hospitalisation, major sequelae or death is severe (ISBT 2014).")
                ]
            }
        )


def _alert_if_severe(complication: DonorComplication) -> None:
    if complication.severity != ComplicationSeverity.SEVERE:
        return
    donation = complication.donation
    complication.alerted = alert_medical_officers(
        site_id=complication.site_id,
        kind=Notification.Kind.DONOR_COMPLICATION,
        key=f"donor-complication:{complication.pk}",
        data={"complication": complication.pk, "donation": donation.pk},
        din=donation.din or donation.pk,
        category=ComplicationCategory(complication.category).label,
        outcome=ComplicationOutcome(complication.outcome).label,
        site=donation.site.name,
    )
    complication.save(update_fields=["alerted"])


def _staff_donation(*, donation_id: int, by) -> Donation:
    donation = Donation.objects.select_related("site").filter(pk=donation_id, site_id__in=by.site_ids).first()
    if donation is None or not by.is_blood_bank_staff:
        raise ValidationError({"donation": [_("No donation collected at your blood bank has this id.")]})
    return donation


@transaction.atomic
def complication_record(
    *,
    by,
    donation_id: int,
    category: str,
    severity: str,
    onset: str,
    outcome: str,
    follow_up: str,
    occurred_at: datetime,
    note: str = "",
) -> DonorComplication:
    """Staff of the collecting bank record a coded complication of one of its donations (also days
    later). Several complications of one donation are several rows (a haematoma and a faint)."""
    donation = _staff_donation(donation_id=donation_id, by=by)
    _check_time(occurred_at=occurred_at, donation=donation)
    _check_severity(severity=severity, outcome=outcome, follow_up=follow_up)
    now = timezone.now()
    complication = DonorComplication.objects.create(
        donation=donation,
        site_id=donation.site_id,
        status=DonorComplication.Status.RECORDED,
        category=category,
        severity=severity,
        onset=onset,
        outcome=outcome,
        follow_up=follow_up,
        note=note.strip(),
        occurred_at=occurred_at,
        reported_at=now,
        reported_by=by,
        recorded_at=now,
        recorded_by=by,
    )
    _alert_if_severe(complication)
    return complication


@transaction.atomic
def complication_report_by_donor(
    *, by, donation_id: int, symptoms: list[str], occurred_at: datetime, still_unwell: bool, description: str = ""
) -> DonorComplication:
    """A donor reports a reaction after one of their own donations, in their words; the collecting
    bank's medical officers are told at once and staff code it (`complication_code`)."""
    donation = Donation.objects.select_related("site").filter(pk=donation_id, donor__user=by).first()
    if donation is None:
        raise ValidationError({"donation": [_("You have no donation with this id.")]})
    _check_time(occurred_at=occurred_at, donation=donation)
    now = timezone.now()
    complication = DonorComplication.objects.create(
        donation=donation,
        site_id=donation.site_id,
        status=DonorComplication.Status.REPORTED,
        occurred_at=occurred_at,
        donor_symptoms=sorted(set(symptoms)),
        donor_still_unwell=still_unwell,
        donor_description=description.strip(),
        reported_at=now,
        reported_by=by,
    )
    complication.alerted = alert_medical_officers(
        site_id=donation.site_id,
        kind=Notification.Kind.DONOR_REACTION_REPORTED,
        key=f"donor-reaction-reported:{complication.pk}",
        data={"complication": complication.pk, "donation": donation.pk},
        din=donation.din or donation.pk,
        site=donation.site.name,
    )
    complication.save(update_fields=["alerted"])
    return complication


def _lock(complication: DonorComplication, by) -> DonorComplication:
    # Race: two staff members coding or updating one complication at once. The row lock makes the
    # second see what the first wrote (and get a 409 where the first changed its status).
    locked = DonorComplication.objects.select_for_update().select_related("donation__site").get(pk=complication.pk)
    if locked.site_id not in by.site_ids or not by.is_blood_bank_staff:
        raise PermissionDenied(_("Only staff of the collecting blood bank may code this complication."))
    return locked


@transaction.atomic
def complication_code(
    *,
    complication: DonorComplication,
    by,
    category: str,
    severity: str,
    onset: str,
    outcome: str,
    follow_up: str,
    note: str = "",
) -> DonorComplication:
    """Staff code a donor's report (ISBT 2014 category, severity, onset, outcome, follow-up). 409 once coded."""
    locked = _lock(complication, by)
    if locked.status != DonorComplication.Status.REPORTED:
        raise Conflict(_("This complication has already been coded."), code="complication_coded")
    _check_severity(severity=severity, outcome=outcome, follow_up=follow_up)
    now = timezone.now()
    locked.status = DonorComplication.Status.RECORDED
    locked.category, locked.severity, locked.onset = category, severity, onset
    locked.outcome, locked.follow_up, locked.note = outcome, follow_up, note.strip()
    locked.recorded_at, locked.recorded_by = now, by
    locked.save()
    _alert_if_severe(locked)
    return locked


@transaction.atomic
def complication_follow_up(
    *, complication: DonorComplication, by, outcome: str, follow_up: str, note: str | None = None
) -> DonorComplication:
    """Later news of a recorded complication: its outcome and follow-up now (each change audited).
    News that makes it severe by ISBT 2014's definition (the donor was hospitalised, has major
    sequelae or died) makes its severity severe, and the medical officers are alerted."""
    locked = _lock(complication, by)
    if locked.status != DonorComplication.Status.RECORDED:
        raise Conflict(_("Code the donor's report first."), code="complication_not_coded")
    locked.outcome, locked.follow_up = outcome, follow_up
    if note is not None:
        locked.note = note.strip()
    became_severe = locked.severity != ComplicationSeverity.SEVERE and complication_is_severe_by_definition(
        outcome=outcome, follow_up=follow_up
    )
    if became_severe:
        locked.severity = ComplicationSeverity.SEVERE
    locked.updated_at, locked.updated_by = timezone.now(), by
    locked.save()
    if became_severe:
        _alert_if_severe(locked)
    return locked

"""Collection records and separation into components."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from dblood.core.errors import Conflict
from dblood.donors.models import Deferral, Donor
from dblood.drives.models import Appointment
from dblood.inventory import components as catalogue
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.inventory.services import units_transition
from dblood.requests.replacement import replacement_code_for_credit, replacement_credit
from dblood.sites.models import Site

from . import din as isbt
from .lab import donation_evaluate
from .milestones import milestones_award
from .models import Donation

# The discard reason on every unit of a partial collection (kept in English, like every reason).
PARTIAL_NOT_FOR_USE = "Partial collection: not for use."


@dataclass
class CollectionResult:
    """Either a donation, or the deferrals recorded instead because a measurement was out of range."""

    donation: Donation | None = None
    deferrals: list[Deferral] | None = None
    problems: list[str] | None = None


def _check_eligible(*, donor: Donor, donation_type: str, on) -> None:
    from dblood.donors.selectors import donor_eligibility

    verdict = donor_eligibility(donor=donor, on=on).for_type(donation_type)
    if not verdict.eligible:
        raise Conflict(
            _("The donor may not donate today: %(reasons)s") % {"reasons": " ".join(verdict.reasons)},
            code="donor_not_eligible",
            extra={
                "reasons": verdict.reasons,
                "next_eligible_on": verdict.next_eligible_on.isoformat() if verdict.next_eligible_on else None,
            },
        )


def _defer_for_measurements(*, donor: Donor, measurements: dict, by) -> CollectionResult | None:
    from dblood.donors.eligibility import active_profile, measurement_problems
    from dblood.donors.services import deferral_record

    problems = measurement_problems(profile=active_profile(), sex=donor.sex, weight_kg=donor.weight_kg, **measurements)
    if not problems:
        return None
    deferrals, seen = [], set()
    for problem in problems:
        if problem.reason_code in seen:
            continue
        seen.add(problem.reason_code)
        note = " ".join(p.message for p in problems if p.reason_code == problem.reason_code)
        deferrals.append(deferral_record(donor=donor, reason_code=problem.reason_code, recorded_by=by, note=note))
    return CollectionResult(deferrals=deferrals, problems=[p.message for p in problems])


def _lock_donor_for_collection(*, donor: Donor, collected_at: datetime) -> Donor:
    """One collection per donor per day, settled by a row lock on the donor's profile.

    Race: two desks recording a collection for one donor at once (two walk-in records, or a walk-in
    and a checked-in appointment). Each collecting transaction locks the donor row before it reads
    the donor's history, so the second waits for the first to commit and then finds its donation.
    """
    locked = Donor.objects.select_for_update().get(pk=donor.pk)
    day = timezone.localdate(collected_at)
    start = timezone.make_aware(datetime.combine(day, time.min))
    same_day = Donation.objects.filter(donor=locked, collected_at__gte=start, collected_at__lt=start + timedelta(1))
    if same_day.exists():
        raise Conflict(
            _("This donor already has a collection recorded on %(day)s; one collection per donor per day.")
            % {"day": date_format(day)},
            code="already_collected",
        )
    return locked


def _require_works_at(by, site_id: int) -> None:
    if site_id not in by.site_ids:
        raise PermissionDenied(_("You do not work at this blood bank."))


@transaction.atomic
def donation_record(
    *,
    by,
    donation_type: str | None = None,
    volume_ml: int,
    hemoglobin_g_dl,
    appointment: Appointment | None = None,
    donor: Donor | None = None,
    site: Site | None = None,
    bag_type: str = "",
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    pulse: int | None = None,
    temperature_c=None,
    outcome: str = Donation.Outcome.COMPLETED,
    adverse_event_kind: str = "",
    din: str | None = None,
    collected_at: datetime | None = None,
    replacement_code: str | None = None,
) -> CollectionResult:
    """Record a collection from a checked-in appointment, or a walk-in (donor + site).

    A donor with a collection already recorded that day is a 409 `already_collected` (the donor's
    row is locked first, so simultaneous records leave one). A donor who may not donate today gets
    a 409 with the reasons (the deferral's among them).
    A hemoglobin or vital sign outside the active eligibility profile records a deferral instead
    of a donation. A completed donation gets the next DIN of this facility (or the pre-printed
    `din` scanned from the bag; a duplicate is a 409).
    A completed donation counts toward the donor's milestones (milestones.py) and is credited to
    the request of `replacement_code`, or of the code the donor booked with (requests/replacement.py);
    a code that credits nothing is a 400 on `replacement_code` before anything is written.
    """
    code = replacement_code_for_credit(replacement_code, field="replacement_code") if replacement_code else None
    if appointment is not None:
        # Race: two clerks recording the same appointment. The row lock makes the second see COMPLETED.
        appointment = Appointment.objects.select_for_update().select_related("slot__drive").get(pk=appointment.pk)
        # Whose appointment it is comes first: another bank's staff learn nothing of its state.
        _require_works_at(by, appointment.slot.drive.organiser_id)
        if appointment.status != Appointment.Status.CHECKED_IN:
            raise Conflict(
                _("The appointment is %(status)s; only a checked-in donor can donate.")
                % {"status": appointment.get_status_display().lower()},
                code="appointment_not_checked_in",
            )
        donor = appointment.donor
        site = appointment.slot.drive.organiser
        donation_type = donation_type or appointment.donation_type
    if donor is None or site is None or donation_type is None:
        raise ValidationError({"donor": [_("Give an appointment, or a donor, site and donation type for a walk-in.")]})
    _require_works_at(by, site.pk)
    collected_at = collected_at or timezone.now()
    donor = _lock_donor_for_collection(donor=donor, collected_at=collected_at)
    _check_eligible(donor=donor, donation_type=donation_type, on=timezone.localdate(collected_at))
    measured = dict(
        hemoglobin_g_dl=hemoglobin_g_dl,
        bp_systolic=bp_systolic,
        bp_diastolic=bp_diastolic,
        pulse=pulse,
        temperature_c=temperature_c,
    )
    deferred = _defer_for_measurements(donor=donor, measurements=measured, by=by)
    if deferred is not None:
        return deferred
    # Every collection gets its DIN, a partial one too: the bag and its samples are labelled and
    # traced like any other; its units are made not for use at separation (donation_separate).
    if not din:
        din = isbt.din_allocate(year=timezone.localtime(collected_at).year)
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                donor=donor,
                appointment=appointment,
                site=site,
                donation_type=donation_type,
                bag_type=bag_type,
                volume_ml=volume_ml,
                outcome=outcome,
                adverse_event_kind=adverse_event_kind if outcome == Donation.Outcome.ADVERSE_EVENT else "",
                din=din,
                collected_at=collected_at,
                collected_by=by,
                **measured,
            )
    except IntegrityError as exc:
        if din and Donation.objects.filter(din=din).exists():
            raise Conflict(
                _("DIN %(din)s is already on another donation.") % {"din": din}, code="duplicate_din"
            ) from exc
        raise Conflict(_("This appointment already has a donation."), code="duplicate_donation") from exc
    if appointment is not None:
        appointment.status = Appointment.Status.COMPLETED
        appointment.save(update_fields=["status"])
    if donation.outcome == Donation.Outcome.COMPLETED:
        milestones_award(donor=donor, donation=donation)
        replacement_credit(donation=donation, code=code)
    return CollectionResult(donation=donation)


@transaction.atomic
def donation_separate(
    *, donation: Donation, components: list[dict], by=None, processed_at: datetime | None = None
) -> list[BloodUnit]:
    """Make the donation's units: one per component, stored at the collecting blood bank, QUARANTINED,
    expiring after the component's shelf life from collection. Then apply the release rule.

    The component-type table decides what may be made: what the donation type yields, one of a
    component and what it consumes (FFP or cryoprecipitate), and each component's maximum time from
    collection to processing (`processed_at`, default now): a late one is a 409."""
    locked = Donation.objects.select_for_update().select_related("donor").get(pk=donation.pk)
    codes = [c["component"] for c in components]
    problem = catalogue.separation_problem(donation_type=locked.donation_type, components=codes)
    if problem:
        raise ValidationError({"components": [problem]})
    if not locked.din:
        raise Conflict(_("Only a donation with a DIN can be separated."), code="not_separable")
    if locked.units.exists():
        raise Conflict(_("This donation has already been separated."), code="already_separated")
    partial = locked.outcome != Donation.Outcome.COMPLETED
    if not partial:  # a partial bag's units are never used: no window to keep
        catalogue.processing_window_check(
            components=codes, collected_at=locked.collected_at, processed_at=processed_at or timezone.now()
        )
    codes_of = {code: catalogue.product_code(code) for code in codes}
    abo = locked.typed_abo or locked.donor.abo
    rhd = locked.typed_rhd or locked.donor.rhd
    if not (abo and rhd):
        raise Conflict(_("Type the donation first: the donor has no declared group."), code="no_group")
    units = [
        BloodUnit.objects.create(
            donation=locked,
            component=c["component"],
            product_code=codes_of[c["component"]],
            abo=abo,
            rhd=rhd,
            volume_ml=c.get("volume_ml") or catalogue.default_volume_ml(c["component"]),
            site_id=locked.site_id,
            expires_at=catalogue.expiry(component=c["component"], collected_at=locked.collected_at),
        )
        for c in components
    ]
    quarantined = BloodUnit.State.QUARANTINED
    UnitEvent.objects.bulk_create(
        [UnitEvent(unit=u, from_state="", to_state=quarantined, by=by, reason="Separated.") for u in units]
    )
    if partial:
        # A partial collection (stopped early, or ended in an adverse event): its units carry the DIN
        # and are traced, but are marked not for use at once; the release rule never releases them.
        units_transition(units=units, to=BloodUnit.State.DISCARDED, by=by, reason=PARTIAL_NOT_FOR_USE)
        return list(locked.units.all())
    donation_evaluate(donation=locked, by=by)
    return list(locked.units.all())

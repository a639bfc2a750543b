"""Writes for appointments: book, cancel, reschedule, check in, walk-ins, no-shows, questionnaire.

Capacity is settled in the database: a booking takes a place with one conditional UPDATE
(`booked = booked + 1 WHERE booked < capacity`), so two donors racing for the last place
cannot both get it; the check constraint `slot_not_overbooked` backs it up. One active
appointment per donor per day is a partial unique index.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.core import answers
from dblood.core.blood import DonationType
from dblood.core.errors import Conflict
from dblood.donors.eligibility import active_profile
from dblood.donors.models import Donor
from dblood.donors.selectors import donor_eligibility
from dblood.requests.replacement import replacement_code_for_credit, replacement_pledge, replacement_pledge_move

from .models import Appointment, Drive, Slot
from .questionnaire import answer_flags, questionnaire_current
from .selectors import DRIVES_SCOPE


def _release_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
    answers.changed_on_commit(DRIVES_SCOPE)  # an update() sends no signal: searches show free places


def _planned_conflicts(*, profile, others: list[Appointment], day: date, donation_type: str) -> list[str]:
    """Other active appointments (on other days) too close to this one under the profile's intervals."""
    reasons = []
    for other in others:
        if other.date < day:
            gap = profile.interval_days(previous=other.donation_type, planned=donation_type)
        else:
            gap = profile.interval_days(previous=donation_type, planned=other.donation_type)
        if abs((day - other.date).days) < gap:
            reasons.append(
                _("You already have an appointment on %(date)s; %(days)d days must pass between these donations.")
                % {"date": date_format(other.date), "days": gap}
            )
    return reasons


def _take(*, donor: Donor, slot: Slot, donation_type: str, walk_in: bool, status: str, by=None) -> Appointment:
    """Take a place in `slot`. The caller's transaction.atomic undoes the place if the INSERT fails."""
    drive = slot.drive
    if drive.status != Drive.Status.OPEN:
        raise Conflict(
            _("This drive is %(status)s; it does not take bookings.") % {"status": drive.get_status_display().lower()}
        )
    if donation_type not in drive.donation_types:
        types = ", ".join(str(DonationType(value).label) for value in drive.donation_types)
        raise ValidationError({"donation_type": [_("This drive takes only %(types)s.") % {"types": types}]})
    profile = active_profile()
    verdict = donor_eligibility(donor=donor, on=drive.date, profile=profile).for_type(donation_type)
    # The donor's active appointments, read once: that day's (already booked) and the others (intervals).
    active = list(
        Appointment.objects.filter(donor=donor, status__in=Appointment.ACTIVE).only("date", "donation_type").order_by()
    )
    others = [other for other in active if other.date != drive.date]
    reasons = list(verdict.reasons) + _planned_conflicts(
        profile=profile, others=others, day=drive.date, donation_type=donation_type
    )
    if reasons:
        next_on = verdict.next_eligible_on if not verdict.eligible else None
        raise Conflict(
            _("You are not eligible to donate on this date."),
            code="not_eligible",
            extra={"reasons": reasons, "next_eligible_on": next_on.isoformat() if next_on else None},
        )
    if len(others) < len(active):
        raise Conflict(_("You already have an appointment on this day."), code="already_booked")
    # The race for the last place is settled here, by the database: only one UPDATE can see booked < capacity.
    if not Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1):
        raise Conflict(_("This slot is full; choose another time."), code="slot_full")
    answers.changed_on_commit(DRIVES_SCOPE)  # an update() sends no signal: searches show free places
    now = timezone.now()
    try:
        # No savepoint of its own: on a violation the Conflict leaves the caller's transaction.atomic,
        # which rolls back the place taken above too, and no statement runs in between.
        return Appointment.objects.create(
            donor=donor,
            slot=slot,
            date=drive.date,
            donation_type=donation_type,
            walk_in=walk_in,
            status=status,
            checked_in_at=now if status == Appointment.Status.CHECKED_IN else None,
            checked_in_by=by if status == Appointment.Status.CHECKED_IN else None,
        )
    except IntegrityError as exc:
        # Two simultaneous bookings by one donor for one day: the partial unique index keeps one.
        raise Conflict(_("You already have an appointment on this day."), code="already_booked") from exc


def _bookable_slot(slot_id) -> Slot:
    slot = Slot.objects.select_related("drive").filter(pk=slot_id).first()
    if slot is None:
        raise ValidationError({"slot": [_("No such slot.")]})
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": [_("This slot is in the past.")]})
    return slot


@transaction.atomic
def appointment_book(
    *, donor: Donor, slot_id: int, donation_type: str = DonationType.WHOLE_BLOOD, replacement_code: str | None = None
) -> Appointment:
    """Book a place for `donor`, if eligible on the drive's date for `donation_type` (else 409 with reasons).

    With a `replacement_code` the booking is a replacement donor's pledge to that request (a code
    that credits nothing is a 400 on `replacement_code`, and nothing is booked)."""
    code = replacement_code_for_credit(replacement_code, field="replacement_code") if replacement_code else None
    slot = _bookable_slot(slot_id)
    appointment = _take(
        donor=donor, slot=slot, donation_type=donation_type, walk_in=False, status=Appointment.Status.BOOKED
    )
    if code is not None:
        replacement_pledge(code=code, appointment=appointment)
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__drive", "donor__user")
        .get(pk=appointment.pk)
    )


def _status(appointment: Appointment) -> str:
    """The appointment's state as a word inside a sentence, in the reader's language."""
    return appointment.get_status_display().lower()


def change_deadline(appointment: Appointment) -> datetime:
    return appointment.slot.starts_at - timedelta(hours=settings.APPOINTMENT_CHANGE_CUTOFF_HOURS)


def _cancel(appointment: Appointment, *, as_staff: bool) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This appointment is %(status)s; it cannot change.") % {"status": _status(appointment)})
    if not as_staff and timezone.now() > change_deadline(appointment):
        hours = settings.APPOINTMENT_CHANGE_CUTOFF_HOURS
        raise Conflict(
            _("Appointments can be changed until %(hours)d hours before they start.") % {"hours": hours},
            code="too_late",
        )
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = timezone.now()
    appointment.save(update_fields=["status", "cancelled_at"])
    _release_place(appointment.slot_id)


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, as_staff: bool = False) -> Appointment:
    """Cancel a booked appointment: a donor until the cutoff before the slot, staff at any time."""
    appointment = _lock(appointment)
    _cancel(appointment, as_staff=as_staff)
    return appointment


@transaction.atomic
def appointment_reschedule(*, appointment: Appointment, slot_id: int, donation_type: str | None = None) -> Appointment:
    """Move to another slot (any drive): the old place is released and the new one taken, or neither."""
    appointment = _lock(appointment)
    if appointment.slot_id == slot_id:
        raise ValidationError({"slot": [_("This is already your slot.")]})
    slot = _bookable_slot(slot_id)
    _cancel(appointment, as_staff=False)
    new = _take(
        donor=appointment.donor,
        slot=slot,
        donation_type=donation_type or appointment.donation_type,
        walk_in=False,
        status=Appointment.Status.BOOKED,
    )
    if appointment.answered_at and appointment.questionnaire_id == questionnaire_current().id:
        new.questionnaire_id, new.answers, new.flags = (
            appointment.questionnaire_id,
            appointment.answers,
            appointment.flags,
        )
        new.answered_at = appointment.answered_at
        new.save(update_fields=["questionnaire", "answers", "flags", "answered_at"])
    appointment.rescheduled_to = new
    appointment.save(update_fields=["rescheduled_to"])
    replacement_pledge_move(old=appointment, new=new)
    return new


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, by) -> Appointment:
    """The donor arrived: on the drive's day, a booked appointment becomes checked in."""
    appointment = _lock(appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This appointment is %(status)s; it cannot be checked in.") % {"status": _status(appointment)})
    if appointment.date != timezone.localdate():
        raise Conflict(_("Check-in is on the day of the drive (%(date)s).") % {"date": date_format(appointment.date)})
    appointment.status = Appointment.Status.CHECKED_IN
    appointment.checked_in_at = timezone.now()
    appointment.checked_in_by = by
    appointment.save(update_fields=["status", "checked_in_at", "checked_in_by"])
    return appointment


@transaction.atomic
def appointment_no_show(*, appointment: Appointment) -> Appointment:
    """The donor did not come: recorded once the slot has started; the place is released."""
    appointment = _lock(appointment)
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(_("This appointment is %(status)s; it cannot be a no-show.") % {"status": _status(appointment)})
    if timezone.now() < appointment.slot.starts_at:
        raise Conflict(_("The slot has not started yet."))
    appointment.status = Appointment.Status.NO_SHOW
    appointment.save(update_fields=["status"])
    _release_place(appointment.slot_id)
    return appointment


@transaction.atomic
def appointment_walk_in(
    *, drive: Drive, donor: Donor, donation_type: str, by, slot_id: int | None = None
) -> Appointment:
    """A donor without a booking, registered at the desk on the drive's day and checked in at once.
    Takes a place in the current or next slot with room (or the slot given)."""
    if drive.date != timezone.localdate():
        raise Conflict(
            _("Walk-ins are registered on the day of the drive (%(date)s).") % {"date": date_format(drive.date)}
        )
    now = timezone.now()
    slots = Slot.objects.select_related("drive").filter(drive=drive, ends_at__gt=now).order_by("starts_at")
    if slot_id is not None:
        slot = slots.filter(pk=slot_id).first()
        if slot is None:
            raise ValidationError({"slot": [_("No such current or later slot at this drive.")]})
        candidates = [slot]
    else:
        candidates = [s for s in slots if s.booked < s.capacity]
        if not candidates:
            raise Conflict(_("Every remaining slot of this drive is full."), code="slot_full")
    return _take(
        donor=donor,
        slot=candidates[0],
        donation_type=donation_type,
        walk_in=True,
        status=Appointment.Status.CHECKED_IN,
        by=by,
    )


@transaction.atomic
def appointment_answer(*, appointment: Appointment, version: int, answers: dict[str, bool]) -> Appointment:
    """Store the donor's questionnaire answers with the appointment, flagging any that imply a deferral."""
    appointment = _lock(appointment)
    if appointment.status not in Appointment.ACTIVE:
        raise Conflict(_("This appointment is no longer active."))
    questionnaire = questionnaire_current()
    if version != questionnaire.version:
        raise ValidationError(
            {"version": [_("The current questionnaire is version %(version)d.") % {"version": questionnaire.version}]}
        )
    codes = [q["code"] for q in questionnaire.questions]
    errors = {f"answers.{code}": [_("Answer this question.")] for code in codes if code not in answers}
    errors.update({f"answers.{code}": [_("Unknown question.")] for code in answers if code not in codes})
    if errors:
        raise ValidationError(errors)
    appointment.questionnaire = questionnaire
    appointment.answers = {code: bool(answers[code]) for code in codes}
    appointment.flags = answer_flags(questionnaire=questionnaire, answers=appointment.answers)
    appointment.answered_at = timezone.now()
    appointment.save(update_fields=["questionnaire", "answers", "flags", "answered_at"])
    return appointment


def appointments_cancel_for_deferral(*, donor: Donor, starts_on: date, ends_on: date | None) -> int:
    """Cancel the donor's booked appointments that a new deferral covers (from today or its start,
    until its end; all future ones if permanent), releasing their places. Returns how many."""
    first = max(starts_on, timezone.localdate())
    covered = Appointment.objects.filter(donor=donor, status=Appointment.Status.BOOKED, date__gte=first)
    if ends_on is not None:
        covered = covered.filter(date__lt=ends_on)
    count = 0
    for appointment in covered.select_for_update():
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["status", "cancelled_at"])
        _release_place(appointment.slot_id)
        count += 1
    return count

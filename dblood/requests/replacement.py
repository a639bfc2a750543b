"""Replacement donors ("donor pengganti"): a request's code, handed by the patient's family to the
donors they bring, credits each one's completed donation to the request.

The code is issued (or renewed) by staff of the request's hospital or its blood bank. A donor gives
it when booking or at the desk. It credits donations until it expires (REPLACEMENT_CODE_VALID_DAYS
after it was issued or last renewed), also once the request is issued or closed: families are asked
to replace the blood their patient received, mostly after it was given. A cancelled request's code
credits nothing more (nothing is owed), and no code is issued for one. The public status of a code
shows counts only.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError

from dblood.core.errors import Conflict

from .models import BloodRequest, ReplacementCode, ReplacementCredit

# No 0/O and no 1/I: a code read out over the phone or copied from a message is typed right.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 8


def code_shown(code: str) -> str:
    """How people see a code: two groups of four (ABCD-EFGH)."""
    return f"{code[:4]}-{code[4:]}"


def code_normalised(raw: str) -> str | None:
    """What a person typed, as the stored code (case, spaces and dashes ignored); None if it cannot be one."""
    code = "".join(str(raw).split()).replace("-", "").upper()
    if len(code) != LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def _not_a_code() -> str:
    return _("This is not a replacement-donation code: 8 letters and digits, such as ABCD-EFGH.")


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


@transaction.atomic
def replacement_code_issue(*, blood_request: BloodRequest, by) -> tuple[ReplacementCode, bool]:
    """The request's code, issued now or renewed (the same code, valid again for the full period).
    Returns (code, created). The caller has checked that `by` may see the request.

    Race: two staff issuing at once. The request row is locked, so the second renews the first's code.
    """
    locked = BloodRequest.objects.select_for_update().get(pk=blood_request.pk)
    if locked.status == BloodRequest.Status.CANCELLED:
        raise Conflict(_("This request is cancelled; it needs no replacement donors."), code="request_cancelled")
    now = timezone.now()
    expires_at = now + timedelta(days=settings.REPLACEMENT_CODE_VALID_DAYS)
    existing = ReplacementCode.objects.filter(request=locked).first()
    if existing is not None:
        existing.expires_at = expires_at
        existing.save(update_fields=["expires_at"])
        return existing, False
    for _attempt in range(5):  # 32^8 codes: a collision is rare, and the unique constraint catches it
        try:
            with transaction.atomic():
                code = ReplacementCode.objects.create(
                    request=locked, code=_new_code(), issued_by=by, issued_at=now, expires_at=expires_at
                )
            return code, True
        except IntegrityError:
            continue
    raise Conflict(_("No free code could be drawn; try again."), code="code_exhausted")


def replacement_code_for_credit(raw: str, *, field: str) -> ReplacementCode:
    """The code a donor gave (at booking or at the desk), if it still credits donations: otherwise a
    400 naming `field` that says why (not a code, unknown, expired, or its request cancelled)."""
    code = code_normalised(raw)
    if code is None:
        raise ValidationError({field: [_not_a_code()]})
    found = ReplacementCode.objects.select_related("request").filter(code=code).first()
    shown = code_shown(code)
    if found is None:
        raise ValidationError({field: [_("No replacement-donation code %(code)s is known.") % {"code": shown}]})
    if found.request.status == BloodRequest.Status.CANCELLED:
        raise ValidationError(
            {field: [_("The request of code %(code)s was cancelled; it credits no more donations.") % {"code": shown}]}
        )
    if found.expires_at <= timezone.now():
        day = timezone.localdate(found.expires_at).isoformat()
        raise ValidationError(
            {field: [_("Replacement-donation code %(code)s expired on %(day)s.") % {"code": shown, "day": day}]}
        )
    return found


def replacement_pledge(*, code: ReplacementCode, appointment) -> ReplacementCredit:
    """A booking made with a code: counted as booked until the donation is recorded."""
    return ReplacementCredit.objects.create(code=code, appointment=appointment)


def replacement_pledge_move(*, old, new) -> None:
    """A rescheduled booking keeps its pledge (saved, not updated in bulk: credits are audited)."""
    pledge = ReplacementCredit.objects.filter(appointment=old, donation=None).first()
    if pledge is not None:
        pledge.appointment = new
        pledge.save(update_fields=["appointment"])


def replacement_credit(*, donation, code: ReplacementCode | None) -> ReplacementCredit | None:
    """Credit a completed donation: to the code given at the desk, else to its booking's pledge.

    A pledge made while the code was valid is honoured whatever happened since: the donor came.
    A code given at the desk replaces the booking's. Call it in the transaction that records the
    donation; a partial collection is never credited (the caller does not call it).
    """
    now = timezone.now()
    pledge = None
    if donation.appointment_id is not None:
        pledge = ReplacementCredit.objects.filter(appointment_id=donation.appointment_id).first()
    if pledge is not None:
        if code is not None:
            pledge.code = code
        pledge.donation, pledge.credited_at = donation, now
        pledge.save(update_fields=["code", "donation", "credited_at"])
        return pledge
    if code is None:
        return None
    return ReplacementCredit.objects.create(code=code, donation=donation, credited_at=now)


@dataclass(frozen=True)
class ReplacementCounts:
    received: int
    booked: int


def replacement_counts(code: ReplacementCode) -> ReplacementCounts:
    """Donations credited, and bookings with the code still to come; from `code.credits` as
    prefetched (with their appointments) or read here."""
    from dblood.drives.models import Appointment

    received = booked = 0
    for credit in code.credits.all():
        if credit.donation_id is not None:
            received += 1
        elif credit.appointment is not None and credit.appointment.status in Appointment.ACTIVE:
            booked += 1
    return ReplacementCounts(received=received, booked=booked)


def replacement_status(raw: str) -> ReplacementCode:
    """The code a family looks up on the public page: 404 when it is not one."""
    code = code_normalised(raw)
    if code is None:
        raise NotFound(_not_a_code())
    found = (
        ReplacementCode.objects.select_related("request")
        .prefetch_related("credits__appointment")
        .filter(code=code)
        .first()
    )
    if found is None:
        raise NotFound(_("No replacement-donation code %(code)s is known.") % {"code": code_shown(code)})
    return found


def replacement_state(code: ReplacementCode) -> str:
    """`active` (credits donations), `expired` or `cancelled`."""
    if code.request.status == BloodRequest.Status.CANCELLED:
        return "cancelled"
    return "active" if code.expires_at > timezone.now() else "expired"

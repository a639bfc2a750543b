"""Writes for donors: the donor profile and deferrals."""

import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.core.dates import shift_months
from dblood.core.errors import Conflict

from .catalogue import catalogue_ensure
from .models import Deferral, DeferralReason, Donor

DONOR_NUMBER_ATTEMPTS = 8


def _new_donor_number() -> str:
    # "D" + 10 random digits: not guessable from sign-up order, and short enough to read out.
    return "D" + "".join(secrets.choice("0123456789") for _ in range(10))


def donor_create_for_user(*, user) -> Donor:
    """The donor profile of `user`, created with a fresh donor number if it does not exist yet.

    Race-safe: the unique indexes on user and on donor_number settle two simultaneous calls
    (the loser of a user race gets the winner's profile; a number clash draws a new number).
    """
    existing = Donor.objects.filter(user=user).first()
    if existing is not None:
        return existing
    for _attempt in range(DONOR_NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                return Donor.objects.create(user=user, donor_number=_new_donor_number())
        except IntegrityError:
            existing = Donor.objects.filter(user=user).first()
            if existing is not None:
                return existing
    raise RuntimeError("Could not draw a free donor number.")


@transaction.atomic
def deferral_record(
    *,
    donor: Donor,
    reason_code: str,
    recorded_by=None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    note: str = "",
) -> Deferral:
    """Defer `donor` for a catalogue reason: for good if the reason is permanent, else until
    starts_on + the reason's default length (or an explicit `ends_on`, e.g. pregnancy). Booked
    appointments the deferral covers are cancelled and their places released."""
    reason = DeferralReason.objects.filter(code=reason_code).first()
    if reason is None:
        catalogue_ensure()  # a seeded reason restored if it went missing (e.g. a flushed test database)
        reason = DeferralReason.objects.filter(code=reason_code).first()
    if reason is None:
        raise ValidationError({"reason_code": [_("Unknown deferral reason %(code)r.") % {"code": reason_code}]})
    starts_on = starts_on or timezone.localdate()
    if reason.permanent:
        ends_on = None
    elif ends_on is None:
        if reason.default_months is not None:
            ends_on = shift_months(starts_on, reason.default_months)
        elif reason.default_days is not None:
            ends_on = starts_on + timedelta(days=reason.default_days)
        else:
            raise ValidationError({"ends_on": [_("This reason has no default length; give an end date.")]})
    elif ends_on <= starts_on:
        raise ValidationError({"ends_on": [_("The end date must be after the start date.")]})
    deferral = Deferral.objects.create(
        donor=donor,
        reason=reason,
        permanent=reason.permanent,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note[:300],
        recorded_by=recorded_by,
    )
    # Booked appointments inside the deferral would only bring the donor in to be turned away.
    from dblood.drives.appointments import appointments_cancel_for_deferral

    appointments_cancel_for_deferral(donor=donor, starts_on=starts_on, ends_on=ends_on)
    return deferral


@transaction.atomic
def deferral_lift(*, deferral: Deferral, by, reason: str) -> Deferral:
    """End a temporary deferral today (or before it starts), with who and why. A permanent one is
    never lifted here: it rests on a finding (a reactive screen, a disease) that a clerk cannot
    clear; the medical officer corrects a wrong one in the admin, where it is audited too."""
    locked = Deferral.objects.select_for_update().get(pk=deferral.pk)
    if locked.permanent:
        raise Conflict(
            _("A permanent deferral cannot be lifted here; the medical officer corrects a wrong one."),
            code="deferral_permanent",
        )
    today = timezone.localdate()
    if locked.lifted_at is not None or locked.ends_on <= today:
        raise Conflict(_("This deferral is already over."), code="deferral_over")
    locked.ends_on = max(today, locked.starts_on)
    locked.lifted_at = timezone.now()
    locked.lifted_by = by
    locked.lift_reason = reason
    locked.save(update_fields=["ends_on", "lifted_at", "lifted_by", "lift_reason"])
    return locked


USER_FIELDS = ("full_name", "language")


@transaction.atomic
def donor_update(*, donor: Donor, data: dict) -> Donor:
    """Apply validated profile changes; `user` holds the account's name and language."""
    user_data = data.pop("user", {})
    for name, value in data.items():
        setattr(donor, name, value)
    donor.full_clean(exclude=["user"])
    donor.save()
    if user_data:
        for name in USER_FIELDS:
            if name in user_data:
                setattr(donor.user, name, user_data[name])
        donor.user.save(update_fields=[name for name in USER_FIELDS if name in user_data])
    return donor

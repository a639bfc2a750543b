"""Writes for donors: the donor profile and deferrals."""

import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.core.dates import shift_months
from dblood.core.errors import Conflict

from . import identity
from .catalogue import catalogue_ensure
from .models import Deferral, DeferralReason, Donor, DuplicatePair

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
# What a likely duplicate is recognised by (donors.duplicates): a change looks again.
MATCHED_FIELDS = {"birth_date", "sex", "nik", "full_name"}


def nik_taken() -> Conflict:
    return Conflict(
        _("This NIK is already on another donor record. If it is yours, a blood bank desk will join the two records."),
        code="nik_taken",
    )


def nik_set(*, donor: Donor, nik: str) -> None:
    """Put `nik` (validated, normalised; "" to remove it) on `donor`, unsaved. A NIK another record
    holds is refused (409), and the two records are kept as a likely duplicate for the desk."""
    from .duplicates import duplicates_record

    if not nik:
        donor.nik_ciphertext, donor.nik_hash, donor.nik_verified_at, donor.nik_verified_by = "", None, None, None
        return
    digest = identity.nik_digest(nik)
    if digest == donor.nik_hash:
        return
    holder = Donor.objects.filter(nik_hash=digest).exclude(pk=donor.pk).first()
    if holder is not None:
        # Outside the refused change's transaction: the pair is kept although the change is not.
        duplicates_record(donor=donor, via=DuplicatePair.Via.PROFILE, same_nik=holder)
        raise nik_taken()
    donor.nik_ciphertext, donor.nik_hash = identity.nik_encrypt(nik), digest
    donor.nik_verified_at, donor.nik_verified_by = None, None


def donor_update(*, donor: Donor, data: dict) -> Donor:
    """Apply validated profile changes; `user` holds the account's name and language, `nik` the NIK
    (checked against the birth date and sex by the serializer). A change of what duplicates are
    recognised by looks for them again (the profile a donor completes after signing up, too)."""
    from .duplicates import duplicates_record

    user_data = data.pop("user", {})
    changed = MATCHED_FIELDS & {*data, *user_data}
    if "nik" in data:
        nik_set(donor=donor, nik=data.pop("nik"))
    for name, value in data.items():
        setattr(donor, name, value)
    try:
        with transaction.atomic():
            donor.full_clean(exclude=["user"], validate_constraints=False)
            donor.save()
            if user_data:
                for name in USER_FIELDS:
                    if name in user_data:
                        setattr(donor.user, name, user_data[name])
                donor.user.save(update_fields=[name for name in USER_FIELDS if name in user_data])
    except IntegrityError as exc:  # the same NIK saved by another record a moment ago
        if "donor_nik_once_nationally" in str(exc):
            raise nik_taken() from exc
        raise
    if changed:
        duplicates_record(donor=donor, via=DuplicatePair.Via.PROFILE)
    return donor


@transaction.atomic
def nik_verify(*, donor: Donor, nik: str, by) -> Donor:
    """The desk saw the donor's identity card: `nik` as typed from it must be the one on record."""
    locked = Donor.objects.select_for_update().get(pk=donor.pk)
    if not locked.nik_hash:
        raise Conflict(_("This donor has not given a NIK yet."), code="no_nik")
    if identity.nik_digest(identity.nik_normalise(nik)) != locked.nik_hash:
        raise ValidationError({"nik": [_("This is not the NIK the donor gave.")]})
    locked.nik_verified_at, locked.nik_verified_by = timezone.now(), by
    locked.save(update_fields=["nik_verified_at", "nik_verified_by"])
    return locked

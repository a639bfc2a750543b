"""A walk-in at the desk: who the donor is, proof that they are there, and a place today, all in
one transaction (a refused walk-in writes nothing: no profile change, no new account).

A bank can walk in only a donor who stands at its desk: an existing donor is identified by donor
number *and* birth date (what the donor card and an ID show), never by e-mail alone, and the
answer is the same for an unknown number, a wrong birth date and an account that is not a donor's.
Deferral reasons recorded elsewhere are health data: a bank the donor never visited learns only
that the donor may not donate today (the donor sees the reasons in their own account).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from dblood.core.errors import Conflict
from dblood.donations.models import Donation
from dblood.donors import identity
from dblood.donors.duplicates import duplicates_record
from dblood.donors.models import Deferral, Donor, DuplicatePair
from dblood.donors.services import donor_create_for_user, nik_taken

from .appointments import appointment_walk_in
from .models import Appointment, Drive

NO_MATCH = _("No donor matches this donor number and birth date.")
HAS_ACCOUNT = _("This e-mail already has an account: give the donor number and birth date instead.")
NOT_ELIGIBLE_ELSEWHERE = _("The donor may not donate today; the reasons are with the donor (in their account).")
PROFILE_FIELDS = ("sex", "weight_kg")


def _known_donor(*, donor_number: str, birth_date) -> Donor:
    if birth_date is None:
        raise ValidationError({"birth_date": [_("Required with the donor number, to confirm the donor is here.")]})
    donor = (
        Donor.objects.select_related("user")
        .filter(donor_number=donor_number.strip().upper(), birth_date=birth_date, user__is_active=True)
        .first()
    )
    if donor is None:
        raise ValidationError({"donor_number": [NO_MATCH]})
    return donor


def _new_donor(*, email: str, full_name: str, birth_date) -> Donor:
    from dblood.accounts.models import User

    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [HAS_ACCOUNT]})
    if not full_name.strip():
        raise ValidationError({"full_name": [_("Required to register a new donor.")]})
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    except IntegrityError as exc:  # signed up a moment ago
        raise ValidationError({"email": [HAS_ACCOUNT]}) from exc
    donor = donor_create_for_user(user=user)
    if birth_date is not None:
        donor.birth_date = birth_date
        donor.save(update_fields=["birth_date"])
    return donor


def _nik_from_card(*, donor: Donor, nik: str, by) -> None:
    """The desk typed the NIK off the identity card: checked against the birth date and sex, kept
    as verified when the donor has none yet; a different NIK on record is not replaced here."""
    nik = identity.nik_normalise(nik)
    problems = identity.nik_problems(nik, birth_date=donor.birth_date, sex=donor.sex)
    if problems:
        raise ValidationError({"nik": problems})
    digest = identity.nik_digest(nik)
    if donor.nik_hash and donor.nik_hash != digest:
        raise ValidationError({"nik": [_("The donor's record holds another NIK: check the identity card.")]})
    if Donor.objects.filter(nik_hash=digest).exclude(pk=donor.pk).exists():
        raise nik_taken()
    donor.nik_ciphertext, donor.nik_hash = identity.nik_encrypt(nik), digest
    donor.nik_verified_at, donor.nik_verified_by = timezone.now(), by
    try:
        with transaction.atomic():
            donor.save(update_fields=["nik_ciphertext", "nik_hash", "nik_verified_at", "nik_verified_by"])
    except IntegrityError as exc:  # the same NIK given at another desk a moment ago
        raise nik_taken() from exc


def bank_has_seen(*, donor: Donor, drive: Drive) -> bool:
    """The donor gave blood, or came to a drive, at this bank before."""
    sites = {drive.organiser_id, drive.site_id} - {None}
    return (
        Donation.objects.filter(donor=donor, site_id__in=sites).exists()
        or Appointment.objects.filter(
            donor=donor,
            slot__drive__organiser_id=drive.organiser_id,
            status__in=[Appointment.Status.CHECKED_IN, Appointment.Status.COMPLETED],
        ).exists()
    )


@transaction.atomic
def walk_in_register(
    *,
    drive: Drive,
    by,
    donation_type: str,
    donor_number: str = "",
    email: str = "",
    full_name: str = "",
    birth_date=None,
    slot_id: int | None = None,
    nik: str = "",
    **profile,
) -> Appointment:
    """Register the donor at the desk at today's drive and check them in (see the module's docstring).
    The appointment carries `likely_duplicates`: the donor's likely duplicate records to review."""
    if donor_number:
        donor = _known_donor(donor_number=donor_number, birth_date=birth_date)
    else:
        donor = _new_donor(email=email, full_name=full_name, birth_date=birth_date)
    changed = [name for name in PROFILE_FIELDS if profile.get(name) is not None]
    for name in changed:
        setattr(donor, name, profile[name])
    if changed:
        donor.save(update_fields=changed)
    if nik:
        _nik_from_card(donor=donor, nik=nik, by=by)
    likely = duplicates_record(donor=donor, via=DuplicatePair.Via.WALK_IN)
    try:
        appointment = appointment_walk_in(drive=drive, donor=donor, donation_type=donation_type, by=by, slot_id=slot_id)
        appointment.likely_duplicates = likely
        return appointment
    except Conflict as exc:
        # Age and weight come from the profile the desk sees anyway; deferrals are the health data.
        deferred = Deferral.objects.filter(donor=donor).exists()
        if exc.get_codes() != "not_eligible" or not deferred or bank_has_seen(donor=donor, drive=drive):
            raise
        raise Conflict(
            NOT_ELIGIBLE_ELSEWHERE, code="not_eligible", extra={"reasons": [], "next_eligible_on": None}
        ) from None

"""Who may read which haemovigilance record: health data reaches only those who act on it."""

from django.db.models import QuerySet

from .models import DonorComplication, TransfusionReaction


def complications_visible_to(user) -> QuerySet[DonorComplication]:
    """Staff of the collecting bank only (not other banks, hospitals or an administrator's role)."""
    if not user.is_blood_bank_staff:
        return DonorComplication.objects.none()
    return DonorComplication.objects.filter(site_id__in=user.site_ids)


def complications_of_donor(user) -> QuerySet[DonorComplication]:
    """A donor's own complications (the reports they made and those staff recorded)."""
    return DonorComplication.objects.filter(donation__donor__user=user)


def reactions_visible_to(user) -> QuerySet[TransfusionReaction]:
    """The reporting hospital's staff and the issuing bank's staff."""
    if user.is_hospital_staff:
        return TransfusionReaction.objects.filter(hospital_id__in=user.site_ids)
    if user.is_blood_bank_staff:
        return TransfusionReaction.objects.filter(bank_id__in=user.site_ids)
    return TransfusionReaction.objects.none()


def reactions_for(user, *, status: str = "") -> QuerySet[TransfusionReaction]:
    qs = reactions_visible_to(user)
    return qs.filter(status=status) if status else qs

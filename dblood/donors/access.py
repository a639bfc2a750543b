"""Who may see which donors: a donor sees themselves; blood-bank staff the donors who have
appointments or donations at their sites; admins everyone."""

from django.db.models import Q, QuerySet

from .models import Donor


def donors_visible_to(user) -> QuerySet[Donor]:
    donors = Donor.objects.select_related("user")
    if not user.is_authenticated:
        return donors.none()
    if user.is_admin:
        return donors
    if user.is_blood_bank_staff:
        sites = user.site_ids
        ids = Donor.objects.filter(
            Q(appointments__slot__drive__organiser_id__in=sites) | Q(donations__site_id__in=sites)
        ).values("id")
        return donors.filter(id__in=ids)
    return donors.filter(user=user)

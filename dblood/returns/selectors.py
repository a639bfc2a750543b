from django.db.models import Q, QuerySet

from .models import UnitReturn


def returns_visible_to(user) -> QuerySet[UnitReturn]:
    """Returns from the user's hospital, or to the user's blood bank."""
    sites = user.site_ids
    return UnitReturn.objects.filter(Q(hospital_id__in=sites) | Q(bank_id__in=sites))

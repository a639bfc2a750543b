from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from dblood.core.permissions import IsBloodBankStaff, IsHospitalStaff


class IsReturnParty(BasePermission):
    """Hospital staff (who hand units back) and blood-bank staff (who inspect and decide); each sees
    only the returns of their own sites (selectors.returns_visible_to)."""

    message = _("Only hospital or blood-bank staff may handle returned units.")

    def has_permission(self, request, view) -> bool:
        return IsHospitalStaff().has_permission(request, view) or IsBloodBankStaff().has_permission(request, view)


class IsHospitalStaffReturning(IsHospitalStaff):
    message = _("Only the staff of the hospital holding the unit may return it.")


class IsIssuingBankStaff(IsBloodBankStaff):
    message = _("Only staff of the blood bank that issued the unit may decide on its return.")

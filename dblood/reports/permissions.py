from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from dblood.core.permissions import IsAdmin, IsBloodBankStaff


class CanReadReports(BasePermission):
    """Blood-bank staff (their own banks' numbers) and administrators (national, or any bank).
    Hospital staff and donors are refused: the reports are the blood service's own returns."""

    message = _("Only blood-bank staff and administrators may see reports.")

    def has_permission(self, request, view) -> bool:
        return IsBloodBankStaff().has_permission(request, view) or IsAdmin().has_permission(request, view)

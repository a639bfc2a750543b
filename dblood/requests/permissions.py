from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsRequestParty(BasePermission):
    """Hospital staff, blood-bank staff and admins: the people a blood request concerns."""

    message = _("Only hospital or blood-bank staff may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_hospital_staff or user.is_blood_bank_staff or user.is_admin)
        )


class IsHospitalStaffOrAdmin(BasePermission):
    message = _("Only hospital staff may request blood.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_hospital_staff or user.is_admin))

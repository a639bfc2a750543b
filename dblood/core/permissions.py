"""Permission classes shared by every app. The api's default is `DenyAll`."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class DenyAll(BasePermission):
    """The default: a view that forgot to state its permission serves no one."""

    def has_permission(self, request, view) -> bool:
        return False


class IsDonor(BasePermission):
    message = _("Only donors may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_donor)


class IsBloodBankStaff(BasePermission):
    message = _("Only blood-bank staff may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_blood_bank_staff)


class IsHospitalStaff(BasePermission):
    message = _("Only hospital staff may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_hospital_staff)


class IsAdmin(BasePermission):
    message = _("Only administrators may do this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_admin)

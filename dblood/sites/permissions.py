from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsSiteStaffOrAdmin(BasePermission):
    """Staff who work at this site (bank staff of that bank, hospital staff of that hospital), or admins."""

    message = _("Only staff of this site or an administrator may change its photo.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_admin or user.is_blood_bank_staff or user.is_hospital_staff)
        )

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        return user.is_admin or obj.pk in user.site_ids


class IsBankStaffOrAdmin(BasePermission):
    """Blood-bank staff of this bank, or admins."""

    message = _("Only staff of this blood bank or an administrator may change it.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_admin or user.is_blood_bank_staff))

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        return user.is_admin or obj.pk in user.site_ids

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_organiser_staff(user, drive) -> bool:
    return bool(user.is_authenticated and (user.is_admin or drive.organiser_id in user.site_ids))


class DrivePermission(BasePermission):
    """Anyone reads drives; blood-bank staff write, and only drives their blood bank organises."""

    message = _("Only staff of the organising blood bank may change this drive.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS and getattr(view, "action", None) in ("list", "retrieve"):
            return True
        user = request.user
        return bool(user and user.is_authenticated and (user.is_blood_bank_staff or user.is_admin))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS and getattr(view, "action", None) == "retrieve":
            return True
        return is_organiser_staff(request.user, obj)

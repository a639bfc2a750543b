from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from .models import StorageLocation


class CanKeepColdChain(BasePermission):
    """Staff of the blood bank the storage location (excursion, count) belongs to, and administrators.

    Querysets do the same scoping (another bank's location is a 404 for its staff, selectors.py);
    this is the check stated object by object. No health data is involved: temperatures and DINs."""

    message = _("Only staff of this blood bank, or an administrator, may keep its cold chain.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_blood_bank_staff or user.is_admin))

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        return bool(user.is_admin or _site_id(obj) in user.site_ids)


def _site_id(obj) -> int:
    if hasattr(obj, "site_id"):
        return obj.site_id
    return obj.location.site_id


class HasDeviceToken(BasePermission):
    """A storage location's device, named by its token (authentication.DeviceTokenAuthentication)."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, StorageLocation):
            raise NotAuthenticated(_("Send the storage location's device token: Authorization: Device <token>."))
        return True

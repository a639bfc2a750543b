from rest_framework.permissions import BasePermission


class IsReturnParty(BasePermission):
    """Hospital staff (who hand units back) and blood-bank staff (who inspect and decide); each sees
    only the returns of their own sites (selectors.returns_visible_to)."""

    message = "Only hospital or blood-bank staff may handle returned units."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_hospital_staff or user.is_blood_bank_staff))


class IsHospitalStaffReturning(BasePermission):
    message = "Only the staff of the hospital holding the unit may return it."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_hospital_staff)


class IsIssuingBankStaff(BasePermission):
    message = "Only staff of the blood bank that issued the unit may decide on its return."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_blood_bank_staff)

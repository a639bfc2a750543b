from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsRelayParty(BasePermission):
    """Donors, hospital and blood-bank staff and admins: each sees only the conversations of
    `selectors.responses_visible_to`."""

    message = _("Only donors and staff may use the contact relay.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.is_donor or user.is_hospital_staff or user.is_blood_bank_staff or user.is_admin)
        )

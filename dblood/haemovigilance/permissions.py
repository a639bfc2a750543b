from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from dblood.core.permissions import IsBloodBankStaff, IsDonor, IsHospitalStaff


class CanCodeDonorComplications(IsBloodBankStaff):
    """Blood-bank staff of the collecting bank (selectors.complications_visible_to): a donor's
    complication is health data; an administrator's role alone does not make it their business."""

    message = _("Only staff of the collecting blood bank may see or record donor complications.")


class IsDonorReporting(IsDonor):
    message = _("Only donors may report a reaction after their own donation.")


class IsReactionParty(BasePermission):
    """The reporting hospital's staff and the issuing bank's staff, each for their own sites."""

    message = _("Only hospital or blood-bank staff may see transfusion reactions.")

    def has_permission(self, request, view) -> bool:
        return IsHospitalStaff().has_permission(request, view) or IsBloodBankStaff().has_permission(request, view)


class IsHospitalStaffReporting(IsHospitalStaff):
    message = _("Only the staff of the hospital that transfused the unit may report a reaction.")


class IsInvestigatingBankStaff(IsBloodBankStaff):
    message = _("Only staff of the issuing blood bank may investigate a transfusion reaction.")

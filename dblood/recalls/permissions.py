from rest_framework.permissions import BasePermission


class CanFollowRecalls(BasePermission):
    """Blood-bank staff only: a recall says that a donor's donation was reactive, which is health
    data; each sees only the recalls concerning their banks (selectors.recalls_visible_to), and an
    administrator's role alone does not make it their business."""

    message = "Only blood-bank staff of the banks a recall concerns may see it."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_blood_bank_staff)

from django.utils.translation import gettext_lazy as _

from dblood.core.permissions import IsBloodBankStaff


class CanFollowRecalls(IsBloodBankStaff):
    """Blood-bank staff only: a recall says that a donor's donation was reactive, which is health
    data; each sees only the recalls concerning their banks (selectors.recalls_visible_to), and an
    administrator's role alone does not make it their business."""

    message = _("Only blood-bank staff of the banks a recall concerns may see it.")

"""Blood-bank staff record a deferral for a donor, from the check-in list. The api checks the
donor belongs to the staff member's site and applies the reason's default length."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..api import ApiError
from ..forms import apply_api_errors
from ..forms_staff import DeferralForm
from .staff import staff_required


def _back(request) -> str:
    """Where to return after saving: the check-in list it came from, never another host."""
    back = request.POST.get("back") or request.GET.get("back") or ""
    return back if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else ""


@staff_required
@require_http_methods(["GET", "POST"])
def deferral_new(request, donor_id: int):
    reasons = request.api.deferral_reasons()
    form = DeferralForm(request.POST or None, reasons=reasons)
    back = _back(request)
    if request.method == "POST" and form.is_valid():
        try:
            request.api.deferral_create(donor_id, **form.api_fields())
        except ApiError as error:
            if error.status not in (400, 409):
                raise
            apply_api_errors(form, error)
        else:
            messages.success(request, _("The deferral is recorded."))
            return redirect(back or "staff_home")
    context = {"form": form, "back": back, "donor_name": request.GET.get("name", "")}
    return render(request, "dblood_web/staff/deferral_form.html", context)

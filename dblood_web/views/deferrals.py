"""A donor's deferral register for blood-bank staff, reached from the check-in list: what defers the
donor (and what did), a new deferral, and a temporary one lifted early with a reason. The api checks
the donor visited the staff member's bank, applies the reason's default length, and refuses to
lift a permanent deferral."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import DeferralForm, DeferralLiftForm
from ..redirects import local_url
from ..session import staff_required
from .refusals import attempt


def _here(donor_id: int, back: str, name: str) -> str:
    query = {key: value for key, value in (("back", back), ("name", name)) if value}
    return reverse("staff_deferral_new", args=[donor_id]) + (f"?{urlencode(query)}" if query else "")


def _in_force(deferral: dict, today: str) -> bool:
    return deferral.get("starts_on", "") <= today and (deferral.get("permanent") or deferral.get("ends_on", "") > today)


def _liftable(deferral: dict, today: str) -> bool:
    """Offered a lift: temporary, not lifted, not over (the api decides again)."""
    return not deferral.get("permanent") and not deferral.get("lifted_at") and deferral.get("ends_on", "") > today


@staff_required
@require_http_methods(["GET", "POST"])
def deferral_new(request, donor_id: int):
    reasons = request.api.deferral_reasons()
    form = DeferralForm(request.POST or None, reasons=reasons)
    back = local_url(request, "back")  # the check-in list it came from
    name = request.POST.get("name") or request.GET.get("name", "")
    if request.method == "POST" and form.is_valid():
        try:
            request.api.deferral_create(donor_id, **form.api_fields())
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("The deferral is recorded."))
            return redirect(back or _here(donor_id, "", name))
    today = timezone.localdate().isoformat()
    register = [
        {**deferral, "in_force": _in_force(deferral, today), "liftable": _liftable(deferral, today)}
        for deferral in request.api.deferrals(donor_id)
    ]
    context = {
        "form": form,
        "lift_form": DeferralLiftForm(),
        "register": register,
        "back": back,
        "donor_id": donor_id,
        "donor_name": name,
    }
    return render(request, "dblood_web/staff/deferral_form.html", context)


@staff_required
@require_POST
def deferral_lift(request, donor_id: int, deferral_id: int):
    form = DeferralLiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the deferral ends early."))
    else:
        lifted = _("The deferral is lifted: the donor may give again from today.")
        attempt(request, lifted, request.api.deferral_lift, donor_id, deferral_id, reason=form.cleaned_data["reason"])
    return redirect(_here(donor_id, local_url(request, "back"), request.POST.get("name", "")))

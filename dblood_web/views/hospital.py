"""Hospital pages: create and follow blood requests, record transfusion outcomes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import BloodRequestForm, OutcomeForm
from ..session import hospital_required
from .refusals import attempt


@hospital_required
@require_http_methods(["GET", "POST"])
def requests_page(request):
    banks = request.api.sites(kind="blood_bank", page_size=100)
    form = BloodRequestForm(request.POST or None, banks=banks)
    if request.method == "POST" and form.is_valid():
        try:
            created = request.api.blood_request_create(**form.api_fields())
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Request sent to the blood bank."))
            return redirect("blood_request", request_id=created["id"])
    context = {"form": form, "blood_requests": request.api.blood_requests()}
    return render(request, "dblood_web/hospital/requests.html", context)


@hospital_required
@require_POST
def outcome(request, request_id: int):
    form = OutcomeForm(request.POST)
    if form.is_valid() and form.cleaned_data["transfused"] is False:
        # The api takes an untransfused unit back only through the return (how it was kept).
        messages.error(request, _("A unit that was not transfused goes back to the blood bank: use the return form."))
    elif form.is_valid():
        recorded = _("Outcome recorded. Thank you.")
        attempt(request, recorded, request.api.blood_request_action, request_id, "outcome", form.cleaned_data)
    else:
        messages.error(request, _("Say whether the unit was transfused."))
    return redirect("blood_request", request_id=request_id)

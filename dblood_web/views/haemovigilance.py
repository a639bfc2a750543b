"""Haemovigilance pages: staff record a donor complication on a donation and code donors' reports;
the bank investigates transfusion reactions; the hospital reports one from its request page; a
donor reports a reaction after donating. Every clinical answer is asked (forms_haemo)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_haemo import (
    ComplicationCodesForm,
    ComplicationForm,
    ConcludeForm,
    DonorActionForm,
    DonorReactionForm,
    ReactionForm,
)
from ..session import donor_required, hospital_required, staff_required
from .refusals import attempt


def _submit(request, form, call) -> bool:
    """Send a valid form to the api; its refusals go beside the fields. True when it was accepted."""
    if not form.is_valid():
        return False
    try:
        call()
    except ApiError as error:
        api_errors_to_form(form, error)
        return False
    return True


@staff_required
@require_http_methods(["GET", "POST"])
def complication_new(request, donation_id: int):
    form = ComplicationForm(request.POST or None)
    if request.method == "POST" and _submit(
        request, form, lambda: request.api.complication_create(donation=donation_id, **form.api_fields())
    ):
        messages.success(request, _("Complication recorded."))
        return redirect("staff_complication_new", donation_id=donation_id)
    context = {
        "form": form,
        "donation": request.api.donation(donation_id),
        "complications": request.api.complications(donation=donation_id),
    }
    return render(request, "dblood_web/staff/complication_form.html", context)


@staff_required
@require_http_methods(["GET"])
def haemovigilance_page(request):
    """Donors' reports to code, and the transfusion reactions to investigate."""
    context = {
        "reports": request.api.complications(status="reported"),
        "reactions": request.api.reactions(),
        "code_form": ComplicationCodesForm(),
        "conclude_form": ConcludeForm(),
        "reasons": [
            r for r in request.api.deferral_reasons() if r.get("code") in ("trali-implicated", "transfusion-reaction")
        ],
    }
    return render(request, "dblood_web/staff/haemovigilance.html", context)


@staff_required
@require_POST
def complication_code(request, complication_id: int):
    form = ComplicationCodesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the category, severity, onset, outcome and follow-up."))
    else:
        coded = _("The donor's report is coded.")
        attempt(request, coded, request.api.complication_action, complication_id, "code", form.cleaned_data)
    return redirect("staff_haemovigilance")


@staff_required
@require_POST
def reaction_action(request, reaction_id: int, action: str):
    if action not in ("investigate", "conclude", "lookback", "defer"):
        raise Http404
    if action == "conclude":
        form = ConcludeForm(request.POST)
    elif action in ("lookback", "defer"):
        form = DonorActionForm(request.POST)
    else:
        form = None
    if form is not None and not form.is_valid():
        messages.error(request, _("Answer every question of the form."))
        return redirect("staff_haemovigilance")
    body = {} if form is None else {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
    if action == "lookback":
        body.pop("reason_code", None)
    attempt(request, _("Done."), request.api.reaction_action, reaction_id, action, body)
    return redirect("staff_haemovigilance")


@hospital_required
@require_http_methods(["GET", "POST"])
def reaction_new(request, request_id: int):
    blood_request = request.api.blood_request(request_id)
    units = [a for a in blood_request.get("allocations", []) if a.get("status") == "issued"]
    form = ReactionForm(request.POST or None, units=units)
    if request.method == "POST" and _submit(request, form, lambda: request.api.reaction_report(**form.api_fields())):
        messages.success(request, _("Reaction reported: the blood bank investigates it."))
        return redirect("blood_request", request_id=request_id)
    context = {"form": form, "blood_request": blood_request, "reactions": request.api.reactions()}
    return render(request, "dblood_web/hospital/reaction_form.html", context)


@donor_required
@require_http_methods(["GET", "POST"])
def donor_reaction(request, donation_id: int):
    form = DonorReactionForm(request.POST or None)
    if request.method == "POST" and _submit(
        request, form, lambda: request.api.my_complication_report(donation=donation_id, **form.api_fields())
    ):
        messages.success(request, _("Thank you. The blood bank has been told and will contact you if needed."))
        return redirect("donations")
    context = {"form": form, "reports": request.api.my_complications()}
    return render(request, "dblood_web/donor_reaction.html", context)

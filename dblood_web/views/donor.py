"""Donor pages: profile, eligibility, my donations (and where the blood went), inbox, call-outs,
and the printable donor card."""

import segno
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import session
from ..api import ApiError
from ..forms import DonorProfileForm, api_errors_to_form
from ..session import donor_required
from .refusals import api_message

PROFILE_FIELDS = list(DonorProfileForm.base_fields)


@donor_required
@require_http_methods(["GET", "POST"])
def profile(request):
    donor = request.api.donor_me()
    initial = {name: donor.get(name) for name in PROFILE_FIELDS}
    form = DonorProfileForm(request.POST or None, initial=initial, available_channels=donor.get("available_channels"))
    if donor.get("group_confirmed"):
        # The lab has typed this donor: the group is shown, no longer typed in.
        del form.fields["abo"], form.fields["rhd"]
    if request.method == "POST" and form.is_valid():
        try:
            donor = request.api.donor_update(**form.api_changes())
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Your donor profile has been saved."))
            return redirect("donor_profile")
    return render(request, "dblood_web/donor_profile.html", {"donor": donor, "form": form})


@donor_required
@require_GET
def eligibility(request):
    return render(request, "dblood_web/eligibility.html", {"eligibility": request.api.eligibility()})


@donor_required
@require_GET
def donations(request):
    return render(request, "dblood_web/donations.html", {"donations": request.api.donations_mine()})


@session.login_required()
@require_GET
def notifications(request):
    return render(request, "dblood_web/notifications.html", {"notifications": request.api.notifications()})


@session.login_required()
@require_POST
def notification_read(request, notification_id: int):
    request.api.notification_read(notification_id)
    return redirect("notifications")


@donor_required
@require_GET
def call_outs(request):
    return render(request, "dblood_web/call_outs.html", {"call_outs": request.api.call_outs()})


@donor_required
@require_POST
def call_out_answer(request, call_out_id: int):
    answer = request.POST.get("answer")
    if answer not in ("coming", "cant"):
        messages.error(request, _("Choose an answer."))
        return redirect("call_outs")
    try:
        request.api.call_out_answer(call_out_id, answer=answer)
    except ApiError as error:
        api_message(request, error)
    else:
        if answer == "coming":
            messages.success(request, _("Thank you! The blood bank expects you."))
        else:
            messages.info(request, _("Thank you for answering."))
    return redirect("call_outs")


@donor_required
@require_GET
def card(request):
    donor = request.api.donor_me()
    number = str(donor.get("donor_number") or "")
    # A standard QR code, never segno.make's Micro QR for short data: common scanners (zbar) cannot read those.
    qr = segno.make_qr(number, error="m").svg_inline(scale=4, dark="#000", title=number) if number else ""
    # segno writes this SVG itself from the donor number alone, so it is safe to inline.
    return render(request, "dblood_web/card.html", {"donor": donor, "qr": mark_safe(qr)})  # noqa: S308


@donor_required
@require_GET
def certificate_pdf(request, milestone: int):
    """The donor's own milestone certificate, as the api made it."""
    from django.http import Http404, HttpResponse

    try:
        answer = request.api.certificate_pdf(milestone)
    except ApiError as error:
        if error.status == 404:
            raise Http404(error.detail) from error
        raise
    response = HttpResponse(answer.content, content_type="application/pdf")
    response["Content-Disposition"] = answer.headers.get("content-disposition", "inline")
    response["Cache-Control"] = "private, no-store"
    return response

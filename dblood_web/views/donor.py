"""Donor pages: profile, eligibility, appointments (book, reschedule, cancel, .ics), donations,
notifications and the printable donor card."""

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import session
from ..api import ApiError

donor_required = session.login_required("donor")


def _conflict_or_invalid(request, error: ApiError) -> None:
    if error.status not in (400, 409):
        raise error
    text = "; ".join(m for messages_ in error.fields.values() for m in messages_) or error.detail
    messages.error(request, text)


@donor_required
@require_GET
def eligibility(request):
    return render(request, "dblood_web/eligibility.html", {"eligibility": request.api.eligibility()})


@donor_required
@require_GET
def appointments(request):
    return render(request, "dblood_web/appointments.html", {"appointments": request.api.appointments()})


@donor_required
@require_POST
def appointment_book(request):
    try:
        slot = int(request.POST.get("slot", ""))
    except ValueError:
        messages.error(request, _("Choose a time."))
        return redirect("drives")
    try:
        request.api.appointment_book(slot=slot, donation_type=request.POST.get("donation_type") or "whole_blood")
    except ApiError as error:
        _conflict_or_invalid(request, error)
        return redirect("drives")
    messages.success(request, _("Your appointment is booked. See you there!"))
    return redirect("appointments")


@donor_required
@require_POST
def appointment_cancel(request, appointment_id: int):
    try:
        request.api.appointment_cancel(appointment_id)
    except ApiError as error:
        _conflict_or_invalid(request, error)
    else:
        messages.success(request, _("Your appointment is cancelled."))
    return redirect("appointments")


@donor_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request, appointment_id: int):
    appointment = request.api.appointment(appointment_id)
    if request.method == "POST":
        try:
            request.api.appointment_reschedule(appointment_id, slot=int(request.POST.get("slot", "0")))
        except (ApiError, ValueError) as error:
            if isinstance(error, ValueError):
                messages.error(request, _("Choose a time."))
            else:
                _conflict_or_invalid(request, error)
        else:
            messages.success(request, _("Your appointment has been moved."))
            return redirect("appointments")
    drive_id = appointment.get("drive_id") or (appointment.get("drive") or {}).get("id")
    drive = request.api.drive(drive_id) if drive_id else {"slots": []}
    return render(request, "dblood_web/reschedule.html", {"appointment": appointment, "drive": drive})


@donor_required
@require_GET
def appointment_ics(request, appointment_id: int):
    content, _type = request.api.appointment_ics(appointment_id)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dblood-appointment-{appointment_id}.ics"'
    return response


@donor_required
@require_GET
def donations(request):
    return render(request, "dblood_web/donations.html", {"donations": request.api.donations_mine()})


@session.login_required()
@require_GET
def notifications(request):
    return render(request, "dblood_web/notifications.html", {"notifications": request.api.notifications()})


@donor_required
@require_GET
def card(request):
    donor = request.api.donor_me()
    number = str(donor.get("donor_number") or "")
    qr = segno.make(number, error="m").svg_inline(scale=4, dark="#000", title=number) if number else ""
    # segno writes the SVG itself from the donor number alone, so it is safe to inline.
    return render(request, "dblood_web/card.html", {"donor": donor, "qr": mark_safe(qr)})  # noqa: S308

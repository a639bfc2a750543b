"""A donor's appointments: book, reschedule, cancel, the .ics file and the pre-donation questionnaire."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..api import ApiError
from ..redirects import local_url
from ..session import donor_required
from .refusals import api_message, attempt


def _slot(request) -> int | None:
    try:
        return int(request.POST.get("slot", ""))
    except ValueError:
        messages.error(request, _("Choose a time."))
        return None


@donor_required
@require_GET
def appointment_list(request):
    """The donor's appointments; cancelled ones and those moved to another time are folded away below."""
    appointments = request.api.appointments()
    folded = [a for a in appointments if a.get("status") == "cancelled"]
    current = [a for a in appointments if a.get("status") != "cancelled"]
    return render(request, "dblood_web/appointments.html", {"appointments": current, "folded": folded})


@donor_required
@require_POST
def appointment_book(request):
    slot = _slot(request)
    if slot is None:
        return redirect("drives")
    donation_type = request.POST.get("donation_type", "")
    if not donation_type:  # never assumed: the donor chooses what they will give
        messages.error(request, _("Choose the type of donation."))
        return redirect(local_url(request, "back", reverse("drives")))
    try:
        booked = request.api.appointment_book(
            slot=slot,
            donation_type=donation_type,
            replacement_code=request.POST.get("replacement_code", "").strip()[:20],
        )
    except ApiError as error:
        api_message(request, error)
        return redirect(local_url(request, "back", reverse("drives")))
    messages.success(request, _("Your appointment is booked. Please answer the health questions before you come."))
    return redirect("questionnaire", appointment_id=booked["id"])


@donor_required
@require_POST
def appointment_cancel(request, appointment_id: int):
    attempt(request, _("Your appointment is cancelled."), request.api.appointment_cancel, appointment_id)
    return redirect("appointments")


@donor_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule(request, appointment_id: int):
    appointment = request.api.appointment(appointment_id)
    if request.method == "POST" and (slot := _slot(request)) is not None:
        moved = _("Your appointment has been moved.")
        if attempt(request, moved, request.api.appointment_reschedule, appointment_id, slot=slot):
            return redirect("appointments")
    drive = request.api.drive(appointment["drive"])
    return render(request, "dblood_web/reschedule.html", {"appointment": appointment, "drive": drive})


@donor_required
@require_GET
def appointment_ics(request, appointment_id: int):
    content, _type = request.api.appointment_ics(appointment_id)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dblood-appointment-{appointment_id}.ics"'
    return response


@donor_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, appointment_id: int):
    """The health questions before donating; the api decides what a "yes" means (deferral, flags)."""
    appointment = request.api.appointment(appointment_id)
    current = request.api.questionnaire()
    language = translation.get_language()
    questions = [
        {
            "code": q["code"],
            "text": (q.get("text") or {}).get(language) or (q.get("text") or {}).get("en") or q["code"],
            "answer": request.POST.get(q["code"]),
        }
        for q in current.get("questions", [])
    ]
    missing: set[str] = set()
    if request.method == "POST":
        missing = {q["code"] for q in questions if q["answer"] not in ("yes", "no")}
        if not missing:
            answers = {q["code"]: q["answer"] == "yes" for q in questions}
            saved = _("Thank you. Your answers are saved; staff will check them when you arrive.")
            call = request.api.appointment_answer
            if attempt(request, saved, call, appointment_id, version=current["version"], answers=answers):
                return redirect("appointments")
        else:
            messages.error(request, _("Please answer every question."))
    context = {"appointment": appointment, "questions": questions, "missing": missing}
    return render(request, "dblood_web/questionnaire.html", context)

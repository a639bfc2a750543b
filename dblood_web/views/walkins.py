"""A donor without a booking at today's drive: found (or registered) at the desk and checked in,
then on to recording the donation. The api proves the donor is here, checks eligibility and writes
nothing when it refuses."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import WalkInForm
from ..session import staff_required
from .staff import drive_is_today


@staff_required
@require_http_methods(["GET", "POST"])
def walk_in(request, drive_id: int):
    drive = request.api.drive(drive_id)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = request.api.drive_walk_in(drive_id, **form.api_fields())
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Registered and checked in: record the donation."))
            likely = appointment.get("likely_duplicates") or 0
            if likely:
                messages.warning(
                    request,
                    ngettext(
                        "This donor may have %(count)d other record: review it on the duplicates page.",
                        "This donor may have %(count)d other records: review them on the duplicates page.",
                        likely,
                    )
                    % {"count": likely},
                )
            return redirect("staff_donation_new", appointment_id=appointment["id"])
    context = {"drive": drive, "form": form, "today": drive_is_today(drive)}
    return render(request, "dblood_web/staff/walk_in.html", context)

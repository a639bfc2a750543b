"""One unit's page for blood-bank staff: what the unit is, its label (print it, print it again after
a change, and the two-scan check of the printed label), and discarding it.

The api renders the labels, records every print, parses every scan and checks the label: these
views only ask and explain (in the reader's language: the api client sends it as Accept-Language).
The scan fields of the other staff pages are staff.scanned_units.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import DiscardForm, LabelCheckForm
from ..session import staff_required
from .coldchain import move_form
from .refusals import api_message


@staff_required
@require_http_methods(["GET", "POST"])
def unit_detail(request, unit_id: int):
    """The unit, its label's state, the print buttons and the label check (a POST of two scans)."""
    check = LabelCheckForm(request.POST or None, prefix="check")
    status = 200
    if request.method == "POST" and check.is_valid():
        try:
            request.api.unit_label_verify(unit_id, **check.cleaned_data)
        except ApiError as error:
            # A mismatch (409) says which scan belongs to another bag; the scans stay in the form.
            api_errors_to_form(check, error)
            status = error.status
        else:
            messages.success(request, _("Label verified: both barcodes match this unit."))
            return redirect("staff_unit", unit_id=unit_id)
    unit = request.api.unit(unit_id)
    moving, location = move_form(request, unit)
    context = {
        "unit": unit,
        "label": unit.get("label") or {},
        "check_form": check,
        "discard_form": DiscardForm(),
        "move_form": moving,
        "location": location,
    }
    return render(request, "dblood_web/staff/unit.html", context, status=status)


@staff_required
@require_GET
def unit_label(request, unit_id: int, fmt: str):
    """The label file as the api made it (its type and file name); every download is a recorded print,
    so no cache may keep one. A unit that cannot be labelled (it left the bank) says why on its page."""
    try:
        answer = request.api.unit_label(unit_id, fmt)
    except ApiError as error:
        api_message(request, error)
        return redirect("staff_unit", unit_id=unit_id)
    response = HttpResponse(answer.content, content_type=answer.headers.get("content-type", "application/octet-stream"))
    response["Content-Disposition"] = answer.headers.get("content-disposition", "attachment")
    response["Cache-Control"] = "no-store"
    return response

"""Units handed back unused: the hospital returns an issued unit from its request page, the issuing
bank inspects each return and puts it back into stock or discards it. The api holds the limits
(time out of storage, temperature, seal, expiry, recalls) and refuses a restock outside them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..forms_staff import ReturnDecideForm, ReturnForm
from ..session import hospital_required, staff_required
from .refusals import attempt
from .staff import scan_form, scanned_units


@hospital_required
@require_POST
def unit_return(request, request_id: int):
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Say when the unit left storage, its temperature now and whether it stayed in a box.")
        )
    else:
        returned = _("The unit is returned: the blood bank inspects it.")
        attempt(request, returned, request.api.unit_return_create, **form.api_fields())
    return redirect("blood_request", request_id=request_id)


@staff_required
@require_GET
def returns_page(request):
    """Returns to this bank: those awaiting inspection first (only the scanned bag's, after a scan),
    then the last decided ones."""
    returns = request.api.unit_returns()
    form = scan_form(request)
    context = {
        "scan_form": form,
        "pending": _scanned_returns(request, form, [r for r in returns if not r.get("decision")]),
        "decided": [r for r in returns if r.get("decision")][:20],
        "decide_form": ReturnDecideForm(),
    }
    return render(request, "dblood_web/staff/returns.html", context)


def _scanned_returns(request, form, pending: list[dict]) -> list[dict]:
    """The pending returns of the scanned bag (the api finds its units); all when nothing was scanned
    or the scan names none of them (the reason beside the field)."""
    units = scanned_units(request, form)
    if units is None:
        return pending
    ids = {unit["id"] for unit in units}
    found = [r for r in pending if r.get("unit") in ids]
    if not found:
        form.add_error("scan", _("No return of this unit awaits inspection."))
    return found or pending


@staff_required
@require_POST
def return_decide(request, return_id: int):
    form = ReturnDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Record the seal and the decision."))
    else:
        attempt(request, _("The return is decided."), request.api.unit_return_decide, return_id, **form.cleaned_data)
    return redirect("staff_returns")

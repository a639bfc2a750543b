"""One blood request, for the blood bank that serves it and the hospital that asked.

The bank sees the units on offer (where each is, when it expires, how well it matches), reserves
the ones it picks or the best ones automatically, reserves a unit against the rules only through
the override policy (the api decides), issues what it checked against the labels, and either side
may cancel with a reason. The api applies every rule; these views only ask and explain.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import session
from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import IssueForm, IssueScanForm, OverrideForm, RequestCancelForm, ReserveForm
from ..session import staff_or_hospital_required, staff_required
from ..templatetags.dblood_web import rupiah
from .refusals import attempt
from .staff import scan_form, scanned_units

OPEN = ("submitted", "partly_allocated", "allocated")


def _page(request, request_id: int, *, status: int = 200, **bound):
    """The request page, with any form the clerk just sent (and its errors) in place of a blank one."""
    blood_request = request.api.blood_request(request_id)
    is_open = blood_request.get("status") in OPEN
    staff = session.has_role(request, "blood_bank_staff")
    proposal = _proposal(request, request_id) if staff and is_open else []
    reserved = _issuable(blood_request)
    issue_scan = scan_form(request, IssueScanForm)
    ticked = _scanned_for_issue(request, issue_scan, reserved) if staff and is_open else []
    call_outs = [c for c in request.api.call_outs_staff() if c.get("request") == request_id]
    issued = [a for a in blood_request.get("allocations", []) if a.get("status") == "issued"]
    context = {
        "blood_request": blood_request,
        "issued": issued,
        "issued_fee_total": sum(a.get("processing_fee_idr") or 0 for a in issued),
        "is_open": is_open,
        "call_outs": call_outs,
        "proposal": proposal,
        "reserve_form": bound.get("reserve") or ReserveForm(proposal=proposal, prefix="reserve"),
        "override_form": bound.get("override") or OverrideForm(prefix="override"),
        "issue_scan": issue_scan,
        "issue_form": bound.get("issue") or IssueForm(reserved=reserved, prefix="issue", initial={"units": ticked}),
        "cancel_form": bound.get("cancel") or RequestCancelForm(prefix="cancel"),
    }
    return render(request, "dblood_web/staff/request.html", context, status=status)


def _issuable(blood_request: dict) -> list[dict]:
    """Reserved units that are here (not still on their way from another bank)."""
    return [
        a
        for a in blood_request.get("allocations", [])
        if a.get("status") == "reserved" and a.get("unit_state") == "reserved"
    ]


def _scanned_for_issue(request, form, reserved: list[dict]) -> list[int]:
    """The reserved unit(s) of the bag the clerk scanned, to tick in the issue form (the clerk still
    confirms the label check); the reason beside the field when the scan names none of them."""
    units = scanned_units(request, form)
    if units is None:
        return []
    ids = {unit["id"] for unit in units}
    ticked = [a["unit"] for a in reserved if a.get("unit") in ids]
    if not ticked:
        form.add_error("scan", _("This unit is not reserved for this request here."))
    return ticked


def _proposal(request, request_id: int) -> list[dict]:
    try:
        return request.api.blood_request_proposal(request_id)
    except ApiError as error:
        if error.status != 409:  # the request closed meanwhile: nothing is on offer
            raise
        return []


@staff_or_hospital_required
@require_GET
def detail(request, request_id: int):
    return _page(request, request_id)


def _refused(request, request_id: int, name: str, form, error: ApiError, **rename):
    api_errors_to_form(form, error, rename=rename)
    return _page(request, request_id, status=error.status, **{name: form})


def _send(request, request_id: int, action: str, form, field: str, done: str):
    """Send the form's `field` as the request's `action` (the form's name on the page too); an
    invalid or refused form comes back on the page with its errors."""
    if not form.is_valid():
        return _page(request, request_id, status=400, **{action: form})
    try:
        answer = request.api.blood_request_action(request_id, action, {field: form.cleaned_data[field]})
    except ApiError as error:
        return _refused(request, request_id, action, form, error)
    messages.success(request, done)
    note = (answer or {}).get("issue_note") if isinstance(answer, dict) else None
    if note:
        messages.info(request, _issue_note_message(note))
    return redirect("blood_request", request_id=request_id)


def _issue_note_message(note: dict) -> str:
    """The issue confirmation's fee line: what the hospital is charged for these bags, and why."""
    unpriced = any(line.get("fee_per_unit_idr") is None for line in note.get("lines", []))
    total = _("Processing fee (BPPD) for these units: %(total)s.") % {"total": rupiah(note.get("total_idr") or 0)}
    if unpriced:
        total += " " + _("Some components have no published fee.")
    return f"{total} {note.get('blood_is_not_sold', '')}".strip()


@staff_required
@require_POST
def reserve(request, request_id: int):
    """Reserve the units the clerk ticked in the proposal."""
    form = ReserveForm(request.POST, proposal=_proposal(request, request_id), prefix="reserve")
    return _send(request, request_id, "reserve", form, "units", _("Units reserved for this request."))


@staff_required
@require_POST
def reserve_override(request, request_id: int):
    """Reserve one unit the rules would not propose, found by its DIN, with the clerk's reason."""
    form = OverrideForm(request.POST, prefix="override")
    if not form.is_valid():
        return _page(request, request_id, status=400, override=form)
    data = form.cleaned_data
    try:
        units = request.api.units_by_din(data["din"])
    except ApiError as error:
        if error.status == 404:
            units = []
        else:
            return _refused(request, request_id, "override", form, error)
    unit = form.unit_among(units)
    if unit is None:
        return _page(request, request_id, status=400, override=form)
    body = {
        "units": [unit],
        "override_reason": data["override_reason"],
        "override_acknowledged": data["override_acknowledged"],
    }
    try:
        request.api.blood_request_action(request_id, "reserve", body)
    except ApiError as error:
        return _refused(request, request_id, "override", form, error, units="din")
    messages.success(request, _("The unit is reserved under the override; the reason is kept with your name."))
    return redirect("blood_request", request_id=request_id)


@staff_required
@require_POST
def issue(request, request_id: int):
    """Issue the reserved units the clerk checked against their labels, and confirmed."""
    form = IssueForm(request.POST, reserved=_issuable(request.api.blood_request(request_id)), prefix="issue")
    return _send(request, request_id, "issue", form, "units", _("Units issued."))


@staff_or_hospital_required
@require_POST
def cancel(request, request_id: int):
    form = RequestCancelForm(request.POST, prefix="cancel")
    return _send(request, request_id, "cancel", form, "reason", _("The request is cancelled."))


@staff_required
@require_POST
def allocate(request, request_id: int):
    """Reserve the best proposed units until the request is covered (as far as stock allows)."""
    return _one_button(request, request_id, "allocate", _("Units reserved for this request."))


@staff_or_hospital_required
@require_POST
def call_outs(request, request_id: int):
    return _one_button(
        request, request_id, "call-outs", _("Call-out started: compatible donors nearby are being asked.")
    )


def _one_button(request, request_id: int, action: str, done: str):
    attempt(request, done, request.api.blood_request_action, request_id, action)
    return redirect("blood_request", request_id=request_id)


@staff_or_hospital_required
@require_POST
def replacement_code(request, request_id: int):
    """Issue the request's replacement-donation code for the patient's family, or renew it."""
    return _one_button(
        request,
        request_id,
        "replacement-code",
        _("Give this code to the patient's family: each donor they bring gives it when booking or at the desk."),
    )

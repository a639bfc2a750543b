"""Blood-bank staff pages: drives and their check-in list, recording a donation, the lab,
inventory, and hospital requests (allocate, issue, call-outs). Every rule is the api's."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import session
from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import (
    ComponentsForm,
    DiscardForm,
    DonationForm,
    DonationScanForm,
    DriveCancelForm,
    DriveForm,
    InventoryFilterForm,
    ReceiveForm,
    ScanForm,
    ScreeningForm,
    TransferForm,
    TypingForm,
)
from ..redirects import local_url
from ..session import staff_required
from .refusals import api_message, attempt


def my_bank(request) -> dict:
    """The blood bank the signed-in staff member works at (their first blood-bank membership)."""
    banks = [m for m in (session.user(request) or {}).get("memberships", []) if m.get("site_kind") == "blood_bank"]
    return banks[0] if banks else {"site_id": None, "site_name": ""}


@staff_required
@require_http_methods(["GET", "POST"])
def drive_new(request):
    bank = my_bank(request)
    form = DriveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {"organiser": bank["site_id"], "site": bank["site_id"], **form.api_fields()}
        try:
            drive = request.api.drive_create(**fields)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("The drive is published."))
            return redirect("staff_drive", drive_id=drive["id"])
    return render(request, "dblood_web/staff/drive_form.html", {"form": form, "bank": bank})


DRIVE_FORM_FIELDS = tuple(DriveForm.base_fields)


@staff_required
@require_http_methods(["GET", "POST"])
def drive_edit(request, drive_id: int):
    """Change a drive's details; the api decides what may still change (booked slots, past dates)."""
    drive = request.api.drive(drive_id)
    initial = {key: drive.get(key) for key in DRIVE_FORM_FIELDS}
    for key in ("start_time", "end_time"):
        initial[key] = (initial[key] or "")[:5]
    form = DriveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # A field emptied on the form is emptied on the drive (api_fields leaves blanks out).
            request.api.drive_update(drive_id, **{"location_name": "", "address": "", **form.api_fields()})
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("The drive is saved."))
            return redirect("staff_home")
    context = {"form": form, "drive": drive, "cancel_form": DriveCancelForm(prefix="cancel")}
    return render(request, "dblood_web/staff/drive_edit.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def drive_cancel(request, drive_id: int):
    """Cancel a drive with a reason; the api tells its booked donors."""
    form = DriveCancelForm(request.POST or None, prefix="cancel")
    if request.method == "POST" and form.is_valid():
        try:
            request.api.drive_cancel(drive_id, **form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("The drive is cancelled."))
            return redirect("staff_home")
    drive = request.api.drive(drive_id)
    return render(request, "dblood_web/staff/drive_cancel.html", {"drive": drive, "cancel_form": form})


@staff_required
@require_GET
def drive_detail(request, drive_id: int):
    """The check-in list. The search box takes a name or a donor number, typed or from a QR scanner
    (a scanner types the donor number the card's QR code holds, then Enter)."""
    drive = request.api.drive(drive_id)
    appointments = request.api.drive_appointments(drive_id)
    query = request.GET.get("q", "").strip().lower()
    if query:
        appointments = [
            a
            for a in appointments
            if query in (a.get("donor_name") or "").lower() or query in (a.get("donor_number") or "").lower()
        ]
    back = request.get_full_path()
    for a in appointments:
        if a.get("donor") and a.get("status") in ("booked", "checked_in"):
            query_string = urlencode({"back": back, "name": a.get("donor_name") or ""})
            a["defer_url"] = f"{reverse('staff_deferral_new', args=[a['donor']])}?{query_string}"
            a["nik_url"] = f"{reverse('staff_donor_nik', args=[a['donor']])}?{query_string}"
    context = {"drive": drive, "appointments": appointments, "q": query, "walk_ins_today": drive_is_today(drive)}
    return render(request, "dblood_web/staff/drive.html", context)


def drive_is_today(drive: dict) -> bool:
    """Walk-ins are taken on the drive's own day (the api says so too)."""
    return drive.get("date") == timezone.localdate().isoformat()


@staff_required
@require_POST
def check_in(request, appointment_id: int):
    attempt(request, _("Checked in."), request.api.appointment_check_in, appointment_id)
    return redirect(local_url(request, "back", reverse("staff_home")))


@staff_required
@require_POST
def no_show(request, appointment_id: int):
    attempt(request, _("Marked as not come."), request.api.appointment_no_show, appointment_id)
    return redirect(local_url(request, "back", reverse("staff_home")))


@staff_required
@require_http_methods(["GET", "POST"])
def donation_new(request, appointment_id: int):
    appointment = request.api.appointment(appointment_id)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donation = request.api.donation_record(appointment=appointment_id, **form.api_fields())
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Donation recorded: DIN %(din)s.") % {"din": donation.get("din", "")})
            return redirect("staff_donation", donation_id=donation["id"])
    return render(request, "dblood_web/staff/donation_form.html", {"form": form, "appointment": appointment})


@staff_required
@require_GET
def lab_worklist(request):
    """What the lab still has to do, the donation whose processing window closes first on top, and a
    scan field (`?din=`) that opens the donation of the bag in hand."""
    form = DonationScanForm(request.GET if "din" in request.GET else None)
    donation = _scanned_donation(request, form)
    if donation is not None:
        return redirect("staff_donation", donation_id=donation["id"])
    context = {"items": request.api.lab_worklist(), "scan_form": form}
    return render(request, "dblood_web/staff/lab.html", context)


def _scanned_donation(request, form: DonationScanForm) -> dict | None:
    """The donation at the staff member's banks of the scanned DIN (the api reads the scan); None
    when nothing was scanned, or with the reason beside the field."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        found = request.api.donations(din=form.cleaned_data["din"])
    except ApiError as error:
        api_errors_to_form(form, error, fixable=(400,))
        return None
    if not found:
        form.add_error("din", _("No donation with this DIN at your blood banks."))
        return None
    return found[0]


@staff_required
@require_http_methods(["GET", "POST"])
def donation_lab(request, donation_id: int):
    """Typing, screening and separation of one donation; the api releases it when nothing blocks."""
    forms_ = {
        "typing": TypingForm(prefix="typing"),
        "screening": ScreeningForm(prefix="screening"),
        "components": ComponentsForm(prefix="components"),
    }
    if request.method == "POST":
        step = request.POST.get("step")
        if step in forms_:
            form = forms_[step] = type(forms_[step])(request.POST, prefix=step)
            if form.is_valid():
                data = form.cleaned_data
                calls = {
                    "typing": (request.api.donation_typing, data),
                    "screening": (request.api.donation_screening, data),
                    "components": (request.api.donation_components, data),
                }
                call, kwargs = calls[step]
                if attempt(request, _("Saved."), call, donation_id, **kwargs):
                    return redirect("staff_donation", donation_id=donation_id)
    donation = request.api.donation(donation_id)
    return render(request, "dblood_web/staff/donation_lab.html", {"donation": donation, **forms_})


@staff_required
@require_http_methods(["GET", "POST"])
def inventory(request):
    """The bank's units, filtered and a page at a time, a scan field that finds one unit, the
    transfers both ways, and sending a unit (found by its scanned DIN) to another blood bank."""
    bank = my_bank(request)
    banks = [b for b in request.api.sites(kind="blood_bank", page_size=100) if b.get("id") != bank["site_id"]]
    transfer_form = TransferForm(request.POST or None, banks=banks, prefix="transfer")
    if request.method == "POST" and transfer_form.is_valid() and _send(request, transfer_form, bank):
        messages.success(request, _("The unit is on its way."))
        return redirect("staff_inventory")
    scan = scan_form(request)
    scanned = scanned_units(request, scan)
    filters = InventoryFilterForm(request.GET)
    listing = _page_of_units(request, site=bank["site_id"], filters=filters.api_filters())
    requested = request.api.transfers(status="requested", page_size=100)  # the api filters
    transfers = request.api.transfers(status="in_transit", page_size=100)
    incoming = [t for t in transfers if t.get("to_site") == bank["site_id"]]
    context = {
        "bank": bank,
        "scan_form": scan,
        "scanned": scanned,
        "filters": filters,
        "listing": listing,
        "discard_form": DiscardForm(),
        "transfer_form": transfer_form,
        "receive_form": ReceiveForm(prefix="receive"),
        "incoming": incoming,
        "outgoing": [t for t in transfers if t.get("from_site") == bank["site_id"]],
        # Units of this bank that another bank reserved for its requests: to be sent there.
        "to_dispatch": [t for t in requested if t.get("from_site") == bank["site_id"]],
        "asked_for": [t for t in requested if t.get("to_site") == bank["site_id"]],
    }
    return render(request, "dblood_web/staff/inventory.html", context)


INVENTORY_PAGE_SIZE = 25


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 10_000 else 1


def _page_of_units(request, *, site: int, filters: dict) -> dict:
    """One page of units (25) with what the page needs to say where it is and link on: a page past
    the end (the list shrank meanwhile) shows the first."""
    number = _page_number(request.GET.get("page"))
    query = {"site": site, "page_size": INVENTORY_PAGE_SIZE, **filters}
    try:
        body = request.api.units_page(page=number, **query)
    except ApiError as error:
        if error.status != 404 or number == 1:
            raise
        number, body = 1, request.api.units_page(page=1, **query)
    count = body.get("count", 0)
    pages = max((count + INVENTORY_PAGE_SIZE - 1) // INVENTORY_PAGE_SIZE, 1)
    here = request.GET.copy()

    def link(page: int) -> str:
        here["page"] = str(page)
        return "?" + here.urlencode()

    return {
        "units": body.get("results", []),
        "count": count,
        "number": number,
        "pages": pages,
        "previous": link(number - 1) if number > 1 else "",
        "next": link(number + 1) if number < pages else "",
    }


def scan_form(request, form_class: type[ScanForm] = ScanForm, prefix: str | None = None) -> ScanForm:
    """A page's scan field, bound when the page was asked with a scan (`?scan=`, or `?<prefix>-scan=`)."""
    name = f"{prefix}-scan" if prefix else "scan"
    return form_class(request.GET if name in request.GET else None, prefix=prefix)


def scanned_units(request, form: ScanForm) -> list[dict] | None:
    """The units at the staff member's banks of the DIN scanned into `form` (the api reads the scan,
    a product code beside it narrowing it to that product); None when nothing was scanned, or with
    the reason beside the field."""
    if not form.is_bound or not form.is_valid():
        return None
    try:
        return request.api.units_by_din(form.cleaned_data["scan"])
    except ApiError as error:
        if error.status == 404:
            form.add_error("scan", _("No unit with this DIN at your blood banks."))
        else:
            api_errors_to_form(form, error, fixable=(400,), rename={"din": "scan"})
    return None


def _send(request, form: TransferForm, bank: dict) -> bool:
    """Find the unit the form's DIN names at this bank and send it; False with the reasons on the form."""
    try:
        units = request.api.units_by_din(form.cleaned_data["din"])
    except ApiError as error:
        if error.status != 404:
            api_errors_to_form(form, error, fixable=(400,))
            return False
        units = []
    unit = form.unit_among(units, site_id=bank["site_id"])
    if unit is None:
        return False
    try:
        request.api.transfer_create(unit=unit, to_site=form.cleaned_data["to_site"])
    except ApiError as error:
        api_errors_to_form(form, error)
        return False
    return True


@staff_required
@require_POST
def transfer_receive(request):
    """A bag that arrived from another bank: the two barcodes of its label, scanned, find its transfer
    (the api's `din=` search) and book it in (the api checks both against the unit)."""
    form = ReceiveForm(request.POST, prefix="receive")
    if not form.is_valid():
        messages.error(
            request, _("Scan the DIN barcode and the product barcode of the bag's label, and give its temperature.")
        )
        return redirect("staff_inventory")
    scans = form.cleaned_data
    bank = my_bank(request)
    try:
        found = [
            t
            for t in request.api.transfers(status="in_transit", din=scans["din"] + scans["product_code"])
            if t.get("to_site") == bank["site_id"]
        ]
        if len(found) != 1:
            messages.error(request, _("No unit with these barcodes is on its way to your blood bank."))
            return redirect("staff_inventory")
        received = request.api.transfer_receive(found[0]["id"], **scans)
    except ApiError as error:
        api_message(request, error)
    else:
        if received.get("unit", {}).get("state") == "quarantined":
            messages.warning(
                request, _("The unit is received, into quarantine: a recall or its temperature on arrival holds it.")
            )
        else:
            messages.success(request, _("The unit is received into your stock."))
    return redirect("staff_inventory")


@staff_required
@require_POST
def transfer_dispatch(request, transfer_id: int):
    attempt(request, _("The unit is on its way."), request.api.transfer_dispatch, transfer_id)
    return redirect("staff_inventory")


@staff_required
@require_POST
def unit_discard(request, unit_id: int):
    form = DiscardForm(request.POST)
    if form.is_valid():
        attempt(request, _("The unit is discarded."), request.api.unit_discard, unit_id, **form.api_fields())
    else:
        messages.error(request, _("Give a reason and tick 'Destroy this unit' to discard it."))
    if request.POST.get("back") == "unit":  # discarded from the unit's own page: back there
        return redirect("staff_unit", unit_id=unit_id)
    return redirect("staff_inventory")

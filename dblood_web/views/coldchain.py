"""The cold chain for blood-bank staff: each fridge, freezer and agitator with its last reading and
any open excursion, a reading taken by hand, the closing of an excursion (a decision per held unit,
confirmed), the end-of-day count of a shelf by scanning, and a unit's move to another place.

The api holds every rule (the ranges, the holds, the label gate on release, the comparison of a
count): these views only ask and explain, in the reader's language."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_coldchain import ExcursionCloseForm, MoveForm, ReadingForm, ReconciliationForm, ResolveForm
from ..session import staff_required
from .refusals import api_message, attempt

DECISIONS = ("release", "discard")


@staff_required
@require_GET
def coldchain_page(request):
    """Every storage location of the staff member's banks, and the open excursions."""
    context = {"locations": request.api.storage_locations(), "excursions": request.api.excursions(status="open")}
    return render(request, "dblood_web/staff/coldchain.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def storage_location_page(request, location_id: int):
    """One location: record a reading (POST), its last readings, and the count of its shelves."""
    form = ReadingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reading = request.api.storage_reading_create(location_id, **form.api_fields())
        except ApiError as error:
            api_errors_to_form(form, error)
            status = error.status
        else:
            if reading.get("in_range"):
                messages.success(request, _("The reading is recorded."))
            else:
                messages.warning(
                    request, _("Out of range: an excursion holds the units kept here until a person decides.")
                )
            return redirect("staff_storage_location", location_id=location_id)
    context = {
        "location": request.api.storage_location(location_id),
        "readings": request.api.storage_readings(location_id)[:20],
        "form": form,
        "count_form": ReconciliationForm(),
    }
    return render(request, "dblood_web/staff/storage_location.html", context, status=status)


def _decisions(post, held: list[dict]) -> tuple[list[dict], dict[int, str]]:
    """The decision for each held unit still in quarantine, as the api takes them, and per unit what
    is missing (no choice is made for anyone: an unanswered unit is an error beside it)."""
    decisions, problems = [], {}
    for row in held:
        if row["decision"] != "pending" or row["state"] != "quarantined":
            continue
        unit = row["unit"]
        choice = post.get(f"decision-{unit}", "")
        if choice not in DECISIONS:
            problems[unit] = _("Choose release or discard.")
            continue
        decision = {"unit": unit, "decision": choice}
        if choice == "release" and row["needs_scan"]:
            din, product = post.get(f"din-{unit}", "").strip(), post.get(f"product-{unit}", "").strip()
            if not (din and product):
                problems[unit] = _("Scan its DIN barcode and its product barcode to put it back into stock.")
                continue
            decision.update(din=din, product_code=product)
        decisions.append(decision)
    return decisions, problems


@staff_required
@require_http_methods(["GET", "POST"])
def excursion_page(request, excursion_id: int):
    """An excursion and the units it holds; closing it (POST) takes a decision per unit, a reason and
    the confirmation that the person inspected them."""
    excursion = request.api.excursion(excursion_id)
    form = ExcursionCloseForm(request.POST or None)
    problems: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        decisions, problems = _decisions(request.POST, excursion["held"])
        if form.is_valid() and not problems:
            try:
                request.api.excursion_close(excursion_id, reason=form.cleaned_data["reason"], units=decisions)
            except ApiError as error:
                api_errors_to_form(form, error)
                status = error.status
            else:
                messages.success(request, _("The excursion is closed and each unit's fate recorded."))
                return redirect("staff_coldchain")
        else:
            status = 400
    rows = [
        {**row, "problem": problems.get(row["unit"], ""), "chosen": request.POST.get(f"decision-{row['unit']}", "")}
        for row in excursion["held"]
    ]
    context = {"excursion": excursion, "rows": rows, "form": form}
    return render(request, "dblood_web/staff/excursion.html", context, status=status)


@staff_required
@require_POST
def reconciliation_new(request, location_id: int):
    form = ReconciliationForm(request.POST)
    pairs = form.pairs() if form.is_valid() else None
    if pairs is None:
        messages.error(request, "; ".join(form.errors.get("scans", [])) or _("Scan the bags on the shelf."))
        return redirect("staff_storage_location", location_id=location_id)
    try:
        record = request.api.reconciliation_create(location=location_id, scans=pairs)
    except ApiError as error:
        api_message(request, error)
        return redirect("staff_storage_location", location_id=location_id)
    return redirect("staff_reconciliation", reconciliation_id=record["id"])


@staff_required
@require_GET
def reconciliation_page(request, reconciliation_id: int):
    """A count's result: expected, counted, and each difference with its resolution (or a form for it)."""
    record = request.api.reconciliation(reconciliation_id)
    return render(request, "dblood_web/staff/reconciliation.html", {"record": record, "resolve_form": ResolveForm()})


@staff_required
@require_POST
def reconciliation_resolve(request, reconciliation_id: int, item_id: int):
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was found and done."))
    else:
        attempt(
            request,
            _("The difference is resolved."),
            request.api.reconciliation_resolve,
            reconciliation_id,
            item_id,
            resolution=form.cleaned_data["resolution"],
        )
    return redirect("staff_reconciliation", reconciliation_id=reconciliation_id)


def move_form(request, unit: dict) -> tuple[MoveForm | None, dict | None]:
    """The unit page's move form (the locations of the unit's bank) and where the unit is now."""
    try:
        locations = [loc for loc in request.api.storage_locations() if loc["site"] == unit.get("site")]
    except ApiError as error:
        if error.status not in (403, 404):
            raise
        return None, None
    here = next((loc for loc in locations if loc["id"] == unit.get("storage_location")), None)
    form = MoveForm()
    form.fields["to_location"].choices = [("", _("Choose…"))] + [
        (loc["id"], f"{loc['code']} · {loc['name']}") for loc in locations if loc["is_active"] and loc is not here
    ]
    return form, here


@staff_required
@require_POST
def unit_move(request, unit_id: int):
    raw = request.POST.get("to_location", "")
    if not raw.isdigit():
        messages.error(request, _("Choose where the unit goes."))
    else:
        attempt(request, _("The unit is moved."), request.api.unit_move, unit=unit_id, to_location=int(raw))
    return redirect("staff_unit", unit_id=unit_id)

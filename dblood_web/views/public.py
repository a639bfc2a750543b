"""Public pages: the stock dashboard, finding a drive, blood banks."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_safe

from .. import dashboard, session
from ..api import ApiError
from ..forms import DriveSearchForm, SiteSearchForm, StockFilterForm, api_errors_to_form
from ..forms_staff import SitePhotoForm


@require_safe
def healthz(request):
    """The web process is alive (it does not ask the api: the api has its own /readyz)."""
    return HttpResponse("ok", content_type="text/plain")


def _stock(request, **filters) -> dict:
    """The stock figures, or none (with the page still useful) when the api has no figures to give."""
    try:
        return request.api.stock(**filters)
    except ApiError as error:
        if error.status not in (400, 404):
            raise
        return {"generated_at": None, "results": [], "unavailable": True}


@require_GET
def home(request):
    form = StockFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    filters["component"] = filters.get("component") or StockFilterForm.DEFAULT_COMPONENT
    stock = _stock(request, **filters)
    site_rows = dashboard.table(stock.get("results", []))
    provinces = sorted({row.get("province", "") for row in stock.get("results", [])} - {""})
    context = {
        "form": form,
        "generated_at": stock.get("generated_at"),
        "site_rows": site_rows,
        **dashboard.chart_context(site_rows),
        "provinces": provinces,
        "levels": dashboard.LEVELS,
        "unavailable": stock.get("unavailable", False),
    }
    return render(request, "dblood_web/home.html", context)


@require_GET
def drives(request):
    form = DriveSearchForm(request.GET or None)
    found, searched = [], False
    if form.is_bound and form.is_valid():
        searched = True
        try:
            found = request.api.drives(**form.api_filters())
        except ApiError as error:
            api_errors_to_form(form, error, fixable=(400,))
    elif not form.is_bound:
        found = request.api.drives(has_free_slots="true")
    context = {
        "form": form,
        "drives": _future_slots(found),
        "searched": searched,
        # Booking as a patient's replacement donor (the link on the code's public page): carried to the booking.
        "replacement_code": request.GET.get("replacement", "").strip()[:20],
    }
    return render(request, "dblood_web/drives.html", context)


def _future_slots(drives: list) -> list:
    """Only the slots that have not started: a donor cannot book the past."""
    now = timezone.now()
    for drive in drives:
        drive["slots"] = [
            slot for slot in drive.get("slots") or [] if (parse_datetime(slot.get("starts_at") or "") or now) > now
        ]
    return drives


@require_GET
def sites(request):
    form = SiteSearchForm(request.GET or None)
    filters = {"kind": "blood_bank"}
    if form.is_bound and form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    return render(request, "dblood_web/sites.html", {"form": form, "sites": request.api.sites(**filters)})


@require_GET
def site_detail(request, site_id: int):
    return site_page(request, site_id)


def site_page(request, site_id: int, *, photo_form=None, status: int = 200):
    """A blood bank's (or hospital's) page; its own staff also get the photo form."""
    site = request.api.site(site_id)
    stock = _stock(request, site=site_id, component=StockFilterForm.DEFAULT_COMPONENT)
    site_rows = dashboard.table(stock.get("results", []))
    upcoming = request.api.drives(organiser=site_id)
    if photo_form is None and session.may_manage_site(request, site_id):
        photo_form = SitePhotoForm()
    context = {
        "site": site,
        **dashboard.chart_context(site_rows),
        "drives": upcoming,
        "photo_form": photo_form,
    }
    return render(request, "dblood_web/site_detail.html", context, status=status)


def page_not_found(request, exception=None):
    return render(request, "dblood_web/404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "dblood_web/403.html", status=403)


def server_error(request):
    return render(request, "dblood_web/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "dblood_web/403.html", {"csrf": True}, status=403)

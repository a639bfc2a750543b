"""The blood bank's processing fees (BPPD): its staff publish them; everyone sees them on the
bank's public page, and the hospital on every issue."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import ProcessingFeesForm
from ..session import staff_required
from .staff import my_bank


@staff_required
@require_http_methods(["GET", "POST"])
def fees_page(request):
    bank = my_bank(request)
    site = request.api.site(bank["site_id"])
    initial = {fee["component"]: fee["amount_idr"] for fee in site.get("processing_fees", [])}
    form = ProcessingFeesForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                request.api.site_fees_set(bank["site_id"], fees=form.api_fees())
            except ApiError as error:
                api_errors_to_form(form, error)
                status = error.status
            else:
                messages.success(request, _("The processing fees are saved and shown on your public page."))
                return redirect("staff_fees")
        else:
            status = 400
    return render(request, "dblood_web/staff/fees.html", {"bank": bank, "site": site, "form": form}, status=status)

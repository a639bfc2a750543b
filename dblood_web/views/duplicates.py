"""The bank desk's identity pages: a donor's NIK in full, checked against the identity card, and
the likely duplicate donor records with their merge (after a confirmation) and its undo. The api
finds the pairs, moves the history in one transaction and refuses what cannot be merged."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import MergeForm, NikVerifyForm, UndoMergeForm
from ..redirects import local_url
from ..session import staff_required
from .refusals import api_message, attempt


@staff_required
@require_http_methods(["GET", "POST"])
def donor_nik(request, donor_id: int):
    """The NIK the donor gave, in full (only this desk page shows it), and its verification."""
    form = NikVerifyForm(request.POST or None)
    back = local_url(request, "back")
    if request.method == "POST" and form.is_valid():
        try:
            request.api.donor_nik_verify(donor_id, nik=form.cleaned_data["nik"])
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("The NIK matches the identity card: verified."))
            return redirect(request.get_full_path())
    context = {
        "identity": request.api.donor_nik(donor_id),
        "form": form,
        "back": back,
        "donor_name": request.GET.get("name", ""),
    }
    return render(request, "dblood_web/staff/donor_nik.html", context)


@staff_required
@require_http_methods(["GET"])
def duplicates_page(request):
    pairs = request.api.donor_duplicates()
    for pair in pairs:  # either record may be the one kept
        pair["orders"] = [(pair["first"], pair["second"]), (pair["second"], pair["first"])]
    context = {
        "pairs": pairs,
        "merges": request.api.donor_merges(),
        "merge_form": MergeForm(),
        "undo_form": UndoMergeForm(),
    }
    return render(request, "dblood_web/staff/duplicates.html", context)


@staff_required
@require_POST
def merge(request):
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm that the two records are one person."))
        return redirect("staff_duplicates")
    try:
        request.api.donor_merge(survivor=form.cleaned_data["survivor"], merged=form.cleaned_data["merged"])
    except ApiError as error:
        api_message(request, error)
    else:
        messages.success(request, _("The records are merged. You can undo it below."))
    return redirect("staff_duplicates")


@staff_required
@require_POST
def merge_undo(request, merge_id: int):
    if not UndoMergeForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm the undo."))
        return redirect("staff_duplicates")
    attempt(
        request, _("The merge is undone: both records are back as they were."), request.api.donor_merge_undo, merge_id
    )
    return redirect("staff_duplicates")

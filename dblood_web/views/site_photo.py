"""The photo of a blood bank or hospital, uploaded by its own staff on its public page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import session
from ..api import ApiError
from ..forms import api_errors_to_form
from ..forms_staff import SitePhotoForm
from .public import site_page


@session.login_required("blood_bank_staff", "hospital_staff", "admin")
@require_POST
def site_photo(request, site_id: int):
    if request.POST.get("remove"):
        request.api.site_photo_delete(site_id)
        messages.success(request, _("The photo is removed."))
        return redirect("site", site_id=site_id)
    form = SitePhotoForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["photo"]
        try:
            request.api.site_photo_upload(site_id, content=upload.read(), content_type=upload.content_type)
        except ApiError as error:
            api_errors_to_form(form, error, fixable=(400, 413))
        else:
            messages.success(request, _("The photo is saved."))
            return redirect("site", site_id=site_id)
    return site_page(request, site_id, photo_form=form, status=400)

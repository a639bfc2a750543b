"""Public check pages, kept out of search engines: a milestone certificate's (its QR code points
here) and a replacement-donation code's, for the patient's family. The api decides what they
may say (counts and dates, the holder's first name and initial) and throttles the look-ups."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ..api import ApiError


class ReplacementCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Replacement-donation code"),
        max_length=20,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters", "placeholder": "ABCD-EFGH"}),
    )


def _unindexed(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


def _looked_up(request, call, value: str) -> tuple[dict | None, str, int]:
    """The api's answer, or (None, its message, its status) for an unknown value or too many tries."""
    try:
        return call(value), "", 200
    except ApiError as error:
        if error.status not in (404, 429):
            raise
        return None, error.detail, error.status


@require_GET
def certificate_check(request, token: str):
    certificate, problem, status = _looked_up(request, request.api.certificate_check, token)
    context = {"certificate": certificate, "problem": problem}
    return _unindexed(render(request, "dblood_web/certificate_check.html", context, status=status))


@require_GET
def replacement_lookup(request):
    """The family types the code they were given; the status page is then its own address."""
    form = ReplacementCodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = "".join(form.cleaned_data["code"].split()).replace("-", "").upper()
        if code:
            return redirect("replacement_status", code=code)
    return _unindexed(render(request, "dblood_web/replacement_status.html", {"form": form, "status": None}))


@require_GET
def replacement_status(request, code: str):
    status, problem, http_status = _looked_up(request, request.api.replacement_status, code)
    context = {"form": ReplacementCodeForm(initial={"code": code}), "status": status, "problem": problem}
    return _unindexed(render(request, "dblood_web/replacement_status.html", context, status=http_status))

"""Sign up, log in and out, password reset and change, the account page (name, language)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import session
from ..api import ApiError
from ..forms import (
    AccountForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetConfirmForm,
    PasswordResetForm,
    SignupConfirmForm,
    SignupForm,
    api_errors_to_form,
)
from ..redirects import local_url


def _signed_in(request, answer, default: str):
    """Keep the token in the session and speak the user's language from now on."""
    session.login(request, answer)
    language = answer["user"].get("language") or translation.get_language()
    response = redirect(local_url(request, "next", default))
    _set_language(response, language)
    return response


def _set_language(response, language: str) -> None:
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            request.api.register(**form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            # The same page whether or not the address has an account: the e-mail tells its owner.
            return render(request, "dblood_web/signup_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "dblood_web/signup.html", {"form": form, "next": local_url(request, "next", "")})


@require_http_methods(["GET", "POST"])
def signup_confirm(request, token: str):
    """The sign-up e-mail's link: a button that opens the account and signs the donor in."""
    form = SignupConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = request.api.register_confirm(token=token)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Welcome to dblood! Your account is ready."))
            return _signed_in(request, answer, reverse("account"))
    return render(request, "dblood_web/signup_confirm.html", {"form": form})


@require_http_methods(["GET", "POST"])
def login(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            answer = request.api.login(**form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            return _signed_in(request, answer, reverse("my_home"))
    return render(request, "dblood_web/login.html", {"form": form, "next": local_url(request, "next", "")})


@require_POST
def logout(request):
    if session.token(request):
        try:
            request.api.logout()
        except ApiError:
            pass  # an already expired token is logged out anyway
    session.logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request.api.password_reset(**form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            return render(request, "dblood_web/password_reset_sent.html")
    return render(request, "dblood_web/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uid: str, token: str):
    form = PasswordResetConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request.api.password_reset_confirm(uid=uid, token=token, **form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Your password has been changed. You can log in now."))
            return redirect("login")
    return render(request, "dblood_web/password_reset_confirm.html", {"form": form})


@session.login_required()
@require_http_methods(["GET", "POST"])
def account(request):
    me = request.api.me()
    session.remember_user(request, me)
    form = AccountForm(request.POST or None, initial={"full_name": me["full_name"], "language": me["language"]})
    if request.method == "POST" and form.is_valid():
        try:
            me = request.api.me_update(**form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            session.remember_user(request, me)
            translation.activate(me["language"])
            messages.success(request, _("Your account has been saved."))
            response = redirect("account")
            _set_language(response, me["language"])
            return response
    return render(request, "dblood_web/account.html", {"me": me, "form": form})


@session.login_required()
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request.api.password_change(**form.cleaned_data)
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("account")
    return render(request, "dblood_web/password_change.html", {"form": form})


@require_POST
def language(request):
    """The language switcher: a cookie for everyone, and the account's language when signed in."""
    chosen = request.POST.get("language", "")
    response = redirect(local_url(request, "next", reverse("home")))
    if chosen not in dict(settings.LANGUAGES):
        return response
    _set_language(response, chosen)
    if session.token(request):
        try:
            session.remember_user(request, request.api.me_update(language=chosen))
        except ApiError:
            pass  # the cookie still switches the page; the account keeps its old language
    return response

"""The account e-mails (sign-up confirmation, sign-up with a taken address, password reset).

Each is written in its recipient's language (the account's `language`, as notifications are),
never the requester's: the owner of an address reads what someone else asked for. Texts are lazy
with `{name}` placeholders; `_send` is the one place that renders them. Links point at the web
(`WEB_BASE_URL`), whose pages call the api.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext_lazy as _

SIGNUP_CONFIRM = (
    _("dblood: confirm your sign-up"),
    _(
        "Welcome to dblood, {name}.\n\n"
        "Open this link to confirm your email address and finish signing up "
        "(it works once, for a limited time):\n{link}\n\n"
        "If you did not sign up, ignore this message: no account is opened without this link."
    ),
)
SIGNUP_TAKEN = (
    _("dblood: someone tried to sign up with your email"),
    _(
        "Someone tried to sign up for dblood with this email address. It already has an account, "
        "so nothing was changed.\n\n"
        "If it was you, log in: {login}\n"
        "Forgot your password? Choose a new one: {reset}\n\n"
        "If it was not you, ignore this message: your account is as it was."
    ),
)
PASSWORD_RESET = (
    _("dblood: reset your password"),
    _(
        "Someone asked to reset the password of your dblood account.\n\n"
        "Open this link to choose a new one (it works once, for a limited time):\n{link}\n\n"
        "If it was not you, ignore this message."
    ),
)


def web_url(path: str) -> str:
    return f"{settings.WEB_BASE_URL}{path}"


def _send(*, user, message: tuple, **values: str) -> None:
    subject, body = message
    with translation.override(user.language or "id"):
        rendered_subject, rendered_body = str(subject), str(body).format(**values)
    send_mail(
        subject=rendered_subject,
        message=rendered_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


def signup_confirm_send(*, user, token: str) -> None:
    _send(user=user, message=SIGNUP_CONFIRM, name=user.full_name, link=web_url(f"/signup/confirm/{token}/"))


def signup_taken_send(*, user) -> None:
    _send(user=user, message=SIGNUP_TAKEN, login=web_url("/login/"), reset=web_url("/password-reset/"))


def password_reset_send(*, user, uid: str, token: str) -> None:
    _send(user=user, message=PASSWORD_RESET, link=web_url(f"/password-reset/{uid}/{token}/"))

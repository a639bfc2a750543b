"""Writes for accounts: registration, tokens, passwords."""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from .models import ApiToken, User, hash_token


def _check_password(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str, language: str = User.Language.ID) -> User:
    """A donor signs themselves up."""
    email = email.strip().lower()
    candidate = User(email=email, full_name=full_name, language=language)
    _check_password(password, candidate)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account with this email already exists.")]})
    try:
        # The unique index settles two simultaneous sign-ups with one email.
        with transaction.atomic():
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, language=language, role=User.Role.DONOR
            )
    except IntegrityError as exc:
        raise ValidationError({"email": [_("An account with this email already exists.")]}) from exc
    from dblood.donors.services import donor_create_for_user

    donor_create_for_user(user=user)
    return user


def token_create(*, user: User) -> tuple[str, ApiToken]:
    """A new token; the plain key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(key),
        prefix=key[:8],
        expires_at=timezone.now() + settings.API_TOKEN_TTL,
    )
    return key, token


@transaction.atomic
def token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str, keep_token: ApiToken | None) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("The current password is wrong.")]})
    _check_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Every other session ends with the old password.
    user.tokens.exclude(pk=getattr(keep_token, "pk", None)).delete()


def password_reset_request(*, email: str) -> None:
    """Email a single-use reset link. Says nothing about whether the address has an account."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.WEB_BASE_URL}/password-reset/{uid}/{token}/"
    send_mail(
        subject="dblood: reset your password",
        message=(
            f"Someone asked to reset the password of your dblood account.\n\n"
            f"Open this link to choose a new one (it works once, for a limited time):\n{link}\n\n"
            f"If it was not you, ignore this message."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link. The link dies with the old password hash (single use)."""
    try:
        user = User.objects.select_for_update().get(pk=int(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise ValidationError({"token": [_("This reset link is invalid or has expired.")]}) from exc
    if not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [_("This reset link is invalid or has expired.")]})
    _check_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user.tokens.all().delete()
    return user

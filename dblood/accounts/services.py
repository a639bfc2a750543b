"""Writes for accounts: tokens, passwords (sign-up is in `signup`)."""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from . import emails
from .models import ApiToken, User, hash_token


def check_password_rules(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError({field: list(exc.messages)}) from exc


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
    check_password_rules(new_password, user, "new_password")
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
    emails.password_reset_send(user=user, uid=uid, token=default_token_generator.make_token(user))


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from a reset link. The link dies with the old password hash (single use)."""
    try:
        user = User.objects.select_for_update().get(pk=int(force_str(urlsafe_base64_decode(uid))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise ValidationError({"token": [_("This reset link is invalid or has expired.")]}) from exc
    if not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [_("This reset link is invalid or has expired.")]})
    check_password_rules(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user.tokens.all().delete()
    return user

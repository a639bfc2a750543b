"""Sign-up that does not tell whether an email address has an account.

`user_register` answers the same way for a new address and a taken one, and does the same work in
both (one password hash, one e-mail): a new address gets an inactive account waiting for its
confirmation (`signup_pending`) and a link; a taken one gets a message to its owner, and the
account is left as it was. Only the mailbox's owner learns which it was. `signup_confirm` opens the
account from the link and signs its owner in.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from . import emails
from .models import User
from .services import check_password_rules

_SALT = "dblood.accounts.signup.confirm"


def _fingerprint(user: User) -> str:
    """What a confirmation link is bound to: the account and its current password hash, so a
    sign-up repeated with another password kills the earlier links (whoever opens a link gets the
    password typed with it, never one somebody else chose)."""
    return salted_hmac(_SALT, f"{user.pk}:{user.password}", algorithm="sha256").hexdigest()[:32]


def signup_token(user: User) -> str:
    return signing.dumps([user.pk, _fingerprint(user)], salt=_SALT)


def user_register(*, email: str, password: str, full_name: str, language: str = User.Language.ID) -> None:
    """A donor signs themselves up; see the module's docstring for what happens and why."""
    email = email.strip().lower()
    # The password's rules look only at what was typed, never at the account, so a refusal is the
    # same for a new address and a taken one.
    check_password_rules(password, User(email=email, full_name=full_name, language=language))
    hashed = make_password(password)  # hashed whether or not it is used: the time taken tells nothing
    user, pending = _signup_settle(email=email, hashed=hashed, full_name=full_name, language=language)
    if pending:
        emails.signup_confirm_send(user=user, token=signup_token(user))
    else:
        emails.signup_taken_send(user=user)


@transaction.atomic
def _signup_settle(*, email: str, hashed: str, full_name: str, language: str) -> tuple[User, bool]:
    """The account for `email` and whether it waits for its confirmation (a taken one is not touched).

    A repeated sign-up of a still-pending address takes the new details (and kills the earlier
    links): the person who can read the mailbox decides with the link they open.
    """
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        try:
            # The unique index settles two simultaneous sign-ups of one address: the second waits for
            # the first's commit, fails here and goes on with the first's row, as a repeated sign-up.
            with transaction.atomic():
                user = User.objects.create(
                    email=email,
                    password=hashed,
                    full_name=full_name,
                    language=language,
                    role=User.Role.DONOR,
                    is_active=False,
                    signup_pending=True,
                )
            return user, True
        except IntegrityError:
            user = User.objects.select_for_update().get(email__iexact=email)
    if not user.signup_pending:
        return user, False
    user.password, user.full_name, user.language = hashed, full_name, language
    user.save(update_fields=["password", "full_name", "language"])
    return user, True


def _invalid() -> ValidationError:
    return ValidationError({"token": [_("This sign-up link is invalid or has expired. Sign up again.")]})


@transaction.atomic
def signup_confirm(*, token: str) -> User:
    """Open the account a confirmation link names. Works once: the account is no longer pending after.

    The row lock settles two clicks at once: the second waits, finds the account active, and is refused.
    """
    try:
        user_id, fingerprint = signing.loads(token, salt=_SALT, max_age=settings.SIGNUP_CONFIRM_TIMEOUT)
        user = User.objects.select_for_update().get(pk=int(user_id), signup_pending=True)
    except (signing.BadSignature, ValueError, TypeError, User.DoesNotExist) as exc:
        raise _invalid() from exc
    if not constant_time_compare(str(fingerprint), _fingerprint(user)):
        raise _invalid()
    user.signup_pending, user.is_active = False, True
    user.save(update_fields=["signup_pending", "is_active"])
    from dblood.donors.services import donor_create_for_user

    donor_create_for_user(user=user)
    return user

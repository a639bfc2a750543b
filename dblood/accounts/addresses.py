"""Addresses an account has signed in from, remembered as keyed digests (never the address itself),
so that the per-account login throttle counts only strangers' attempts."""

import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from dblood.core.throttles import client_address

from .models import KnownAddress, User


def address_digest(address: str) -> str:
    key = hashlib.sha256(b"dblood-known-address:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, address.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def address_known(*, email: str, request) -> bool:
    """Has the account with this e-mail signed in from the request's address before? (One query.)"""
    if "\x00" in email:  # no account has such an e-mail (and PostgreSQL text cannot hold it)
        return False
    digest = address_digest(client_address(request))
    return KnownAddress.objects.filter(user__email__iexact=email, digest=digest).exists()


def address_remember(*, user: User, request) -> None:
    """A successful sign-in: its address is known from now on (one upsert)."""
    KnownAddress.objects.bulk_create(
        [KnownAddress(user=user, digest=address_digest(client_address(request)), last_seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "digest"],
        update_fields=["last_seen_at"],
    )

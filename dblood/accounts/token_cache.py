"""Bearer-token lookups from the cache, so an authenticated read does not pay a query for its token.

An entry (the token's id, expiry and last use, and its user with `site_ids` already loaded) lives
AUTH_TOKEN_CACHE_SECONDS under the token's hash. Anything that could change the answer (the token
deleted, the user saved, a membership added or removed) writes a *revocation mark* for each of the
user's tokens, after the change commits, that outlives any entry. A lookup reads the entry and the
mark in one round trip and ignores an entry that has a mark, so:

- a logout or a password change takes effect on the very next request, on every worker;
- the race where a reader loads the token from the database just before a revocation commits and
  caches it just after it is settled by the mark, not by timing: the stale entry is never used.

Marks come from model signals (accounts/signals.py): a `QuerySet.update()` of users or
memberships sends none, so code that deactivates users in bulk must call `revoke_user` itself
(or accept up to AUTH_TOKEN_CACHE_SECONDS of delay).

Memcached down means a lookup misses and authentication reads the database, as before. A revocation
is never lost to the cache: its marks are written before the change commits, and when memcached
does not take them (down, or stalled: a stalled memcached keeps its old entries and serves them when
it resumes) the revocation is refused with a 503 (`revocation_unconfirmed`), its transaction rolls back and
nothing changes: the caller tries again (a change that leaves access as it was, such as a new name,
is not refused). After the commit the marks are written once more, so they
outlive any entry a racing reader wrote.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext_lazy as _

UNCONFIRMED = _("Signing out could not be confirmed right now; nothing was changed. Try again shortly.")


@dataclass(frozen=True)
class Entry:
    token_id: int
    expires_at: datetime
    last_used_at: datetime | None
    user: object  # accounts.User, with site_ids loaded


# Part of every entry's key: bump it when Entry changes shape, so a deploy never unpickles the
# previous release's entries (they expire on their own).
_ENTRY_VERSION = 1


def _entry_key(key_hash: str) -> str:
    return f"auth:token:{_ENTRY_VERSION}:{key_hash}"


def _mark_key(key_hash: str) -> str:
    return f"auth:revoked:{key_hash}"


def enabled() -> bool:
    return settings.AUTH_TOKEN_CACHE_SECONDS > 0


def lookup(key_hash: str) -> Entry | None:
    """The cached entry for a token, or None (not cached, or revoked since it was cached)."""
    if not enabled():
        return None
    found = cache.get_many([_entry_key(key_hash), _mark_key(key_hash)])
    if _mark_key(key_hash) in found:
        return None
    return found.get(_entry_key(key_hash))


def store(key_hash: str, entry: Entry) -> None:
    if enabled():
        cache.set(_entry_key(key_hash), entry, settings.AUTH_TOKEN_CACHE_SECONDS)


def revoke(key_hashes, *, required: bool = True) -> None:
    """Forget tokens' entries now, and mark them revoked once the current transaction commits.

    The mark lives twice as long as an entry, so an entry written by a reader that raced the
    revocation (read the database before the commit, wrote the cache after it) expires before the
    mark does. The marks are also written at once, and a cache that does not take them is a
    503 (revocation_unconfirmed), so that the change rolls back (a rolled-back change only costs a cache miss).
    `required=False` (a change that leaves access as it was, e.g. a new name) skips that refusal.
    """
    hashes = list(key_hashes)
    if not (enabled() and hashes):
        return
    cache.delete_many([_entry_key(h) for h in hashes])
    marks = {_mark_key(h): 1 for h in hashes}
    if cache.set_many(marks, 2 * settings.AUTH_TOKEN_CACHE_SECONDS) and required:
        # Imported here: the error module imports DRF, whose settings import this module's users.
        from dblood.core.errors import ServiceUnavailable

        raise ServiceUnavailable(UNCONFIRMED, code="revocation_unconfirmed")
    transaction.on_commit(lambda: cache.set_many(marks, 2 * settings.AUTH_TOKEN_CACHE_SECONDS))


def revoke_user(user_id: int, *, required: bool = True) -> None:
    """Mark every token of a user revoked (their role, activity or memberships changed)."""
    if not enabled():
        return
    from .models import ApiToken

    revoke(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True), required=required)

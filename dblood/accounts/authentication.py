from dataclasses import replace
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import token_cache
from .models import ApiToken, hash_token

# Writing last_used_at on every request would turn reads into writes; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (also `Token <token>`). Unknown or expired: 401.

    The token -> user lookup is served from the cache when it can be (see token_cache): one
    memcached round trip instead of a query.
    """

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from exc
        key_hash = hash_token(key)
        entry = token_cache.lookup(key_hash)
        changed = entry is None
        if changed:
            entry = self._load(key_hash)
        now = timezone.now()
        if entry.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("Token expired; log in again."))
        if entry.last_used_at is None or now - entry.last_used_at > _LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=entry.token_id).update(last_used_at=now)
            entry = replace(entry, last_used_at=now)
            changed = True
        if changed:
            token_cache.store(key_hash, entry)
        token = ApiToken(
            pk=entry.token_id, user=entry.user, key_hash=key_hash, expires_at=entry.expires_at, last_used_at=now
        )
        return entry.user, token

    def _load(self, key_hash: str) -> token_cache.Entry:
        token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_donor:
            user.site_ids  # noqa: B018 - staff: loaded now, so it is cached with the user
        return token_cache.Entry(token.pk, token.expires_at, token.last_used_at, user)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

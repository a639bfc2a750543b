"""Read answers served from the cache until the data behind them changes.

A read whose answer depends only on its URL, the caller and a few kinds of data (drives, units, a
donor's history) names those kinds as *scopes*. Every scope has a version in the cache; a write
that changes the data calls `changed(scope)` after its commit, which bumps the version. A cached
answer is stored with the versions it was made from and served only while they are all current,
so the first read after a change anywhere recomputes, in every process at once.

Why this is race-free: a reader takes the versions *before* it reads the database. A write that
commits meanwhile bumps a version after its commit, so the answer the reader stores carries a
version that is already stale and is never served. A version key that memcached evicts comes back
as a new, never-used value (the clock in nanoseconds), never as a number an old answer carries.
With the cache down, nothing is stored and every read computes.

Answers are kept gzipped; a client that accepts gzip (browsers, the web's httpx) gets the bytes as
they are. `ANSWER_CACHE_SECONDS` (default 60) bounds how long any answer lives, whatever the
versions say; 0 turns this off. Only JSON answers are cached (not the browsable API's HTML).
"""

import gzip
import hashlib
import re
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from . import httpcache

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def version_key(scope: str) -> str:
    return f"answers:version:{scope}"


def packed_response(request, packed: bytes, content_type: str, *, public_tag: str | None = None) -> HttpResponse:
    """A body kept gzipped (cached answers, stock): a client that accepts gzip (every browser, the
    web's httpx, nginx passing a browser's request on) gets the bytes as they are, with nothing to
    compress again; any other client gets them decompressed.

    With `public_tag` (`httpcache.tag` of the body) the answer is public data: it carries an ETag and
    may be kept by caches, and a client that already holds it gets a 304 (`httpcache`)."""
    gzipped = bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))

    def make() -> HttpResponse:
        response = HttpResponse(packed if gzipped else gzip.decompress(packed), content_type=content_type)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ["Accept-Encoding"])
        return response

    if public_tag is None:
        return make()
    return httpcache.public_response(request, httpcache.etag(public_tag, gzipped=gzipped), make)


def first_future(instants: Iterable[str]) -> datetime | None:
    """The earliest of `instants` (ISO 8601, as answers carry them) still to come: when an answer
    goes stale by the clock alone (a `stale_at` for `respond`)."""
    now = timezone.now()
    return min((at for at in map(datetime.fromisoformat, instants) if at > now), default=None)


def changed(*scopes: str) -> None:
    """The data behind `scopes` changed: answers made from it are no longer served. Call it after
    the commit (`changed_on_commit` does)."""
    for scope in scopes:
        key = version_key(scope)
        try:
            cache.incr(key)
        except ValueError:  # never set, evicted, or the cache is down
            cache.set(key, time.time_ns(), None)


def changed_on_commit(*scopes: str) -> None:
    """`changed(*scopes)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: changed(*scopes))


def changed_with(scope: str | Callable[[object], Iterable[str]], *models) -> None:
    """Saving or deleting a row of any of `models` changes `scope` (a name, or a function of the row
    giving names). For writes through the ORM's signals; `QuerySet.update()` and `bulk_create()` send
    none, so services that use them call `changed_on_commit` themselves."""
    from django.db.models.signals import post_delete, post_save

    def receiver(sender, instance, **kwargs):
        changed_on_commit(*((scope,) if isinstance(scope, str) else scope(instance)))

    name = scope if isinstance(scope, str) else scope.__qualname__
    for model in models:
        for signal in (post_save, post_delete):
            uid = f"answers:{name}:{model._meta.label}:{'saved' if signal is post_save else 'deleted'}"
            signal.connect(receiver, sender=model, weak=False, dispatch_uid=uid)


def versions(scopes: Iterable[str]) -> tuple | None:
    """The current version of each scope (one cache round trip), or None with the cache down."""
    keys = [version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    return _complete(keys, found)


def _complete(keys: list[str], found: dict) -> tuple | None:
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        for key in missing:
            cache.add(key, time.time_ns(), None)
        found = {**found, **cache.get_many(missing)}
    current = tuple(found.get(key) for key in keys)
    return None if None in current else current


def respond(
    request,
    *,
    name: str,
    scopes: Iterable[str],
    make: Callable[[], Response],
    caller: str = "",
    stale_at: Callable[[object], datetime | None] | None = None,
    public: bool = False,
) -> HttpResponse | Response:
    """The answer to `request` (a DRF request, after authentication and permissions), from the
    cache while `scopes` are unchanged, else from `make()`.

    `caller` is part of the key when the answer depends on who asks (a user id, their sites).
    `stale_at(data)` may say when the answer goes stale by the clock alone (a unit's expiry, a slot's
    start); it is kept no longer than that. Errors (4xx raised or returned by `make`) are never cached.
    `public`: the answer is the same for everyone and public data (drive search, site lists): it
    carries an ETag and caches may keep it (`httpcache`). A client sending back the ETag of the
    stored answer gets a 304 from the cache alone, without a query.
    """
    seconds = settings.ANSWER_CACHE_SECONDS
    if seconds <= 0 or getattr(request.accepted_renderer, "format", None) != "json":
        return make()
    scopes = list(scopes)
    # Everything else an answer may depend on: the day (searches from today), the language of its
    # messages (Accept-Language: English or Bahasa Indonesia) and the time zone of its times.
    identity = "\n".join(
        (
            request.build_absolute_uri(),
            caller,
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
        )
    )
    key = f"answers:{name}:{hashlib.sha256(identity.encode()).hexdigest()[:32]}"
    keys = [version_key(scope) for scope in scopes]
    found = cache.get_many([*keys, key])
    current = _complete(keys, found)
    stored = found.get(key)
    if current is not None and stored is not None and stored[0] == current:
        packed = stored[1]
    else:
        response = make()
        if response.status_code != 200:
            return response
        packed = gzip.compress(JSONRenderer().render(response.data), compresslevel=6, mtime=0)
        timeout = seconds
        until = stale_at(response.data) if stale_at else None
        if until is not None:
            timeout = min(timeout, int((until - timezone.now()).total_seconds()))
        if current is not None and timeout > 0:
            cache.set(key, (current, packed), timeout)
    public_tag = httpcache.tag(key.encode(), packed) if public else None
    return packed_response(request, packed, "application/json", public_tag=public_tag)

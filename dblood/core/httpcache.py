"""HTTP caching of public data: the stock, drive search and site lists may be kept by browsers and
by nginx for a few seconds, and a client that has the current body gets a 304 and no body.

Every such body is made once and kept gzipped (`answers`, `inventory.stock`); its tag is a hash of
those bytes (and of what else the answer depends on: the URL, the language), taken when the body is
made. The body is served only while the version of the data behind it is current (a write bumps
it after its commit), so a tag the client sends back matches only while the data is unchanged, and
the comparison needs the cache alone, never the database. The tag is strong: one tag, one sequence
of bytes, so the gzipped and the plain body of one answer have different tags.

`Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS, stale-while-revalidate=PUBLIC_STALE_SECONDS`
lets shared caches keep the body. A request that carries credentials (an Authorization header or a
session cookie) gets the same body marked `private`: these answers are the same for everyone, but a
response to a signed-in request is never offered to a shared cache.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiResponse

# For the `responses` of each operation answered here (extend_schema).
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: If-None-Match names the current body. No body.")}


def tag(*parts: bytes) -> str:
    """The tag of a body: a hash of its bytes and of whatever else the answer depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:32]


def etag(value: str, *, gzipped: bool) -> str:
    """The strong ETag of one representation: the gzipped bytes and the plain ones differ."""
    return f'"{value}-gz"' if gzipped else f'"{value}"'


def not_modified(request, current: str) -> bool:
    """Whether the client's If-None-Match names `current` (weak comparison, as RFC 9110 says for it)."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    sent = parse_etags(header)
    return "*" in sent or current in (value.removeprefix("W/") for value in sent)


def has_credentials(request) -> bool:
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def public_response(request, current: str, make) -> HttpResponse:
    """A 304 if the client holds `current`, else `make()`; either way with the headers that let
    caches keep it (the 304 repeats them, as RFC 9111 asks)."""
    response = HttpResponseNotModified() if not_modified(request, current) else make()
    response["ETag"] = current
    scope = "private" if has_credentials(request) else "public"
    response["Cache-Control"] = (
        f"{scope}, max-age={settings.PUBLIC_CACHE_SECONDS}, stale-while-revalidate={settings.PUBLIC_STALE_SECONDS}"
    )
    patch_vary_headers(response, ["Accept-Encoding", "Accept-Language"])
    return response


def open_data(response: HttpResponse) -> HttpResponse:
    """Any web page may read the answer (no credentials are involved): the open stock API only."""
    response["Access-Control-Allow-Origin"] = "*"
    return response

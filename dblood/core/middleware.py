from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .errors import error_body

# Seconds a client should wait before retrying when a backing service is down.
RETRY_AFTER_SECONDS = "5"


class DatabaseUnavailableMiddleware:
    """A database outage outside DRF views (admin, health) answers 503 JSON, not a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return JsonResponse(
                error_body(503, "service_unavailable", _("The database is unavailable; try again shortly.")),
                status=503,
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        return None


def body_limit(content_type: str) -> int:
    """Largest body accepted: uploads (multipart) get UPLOAD_MAX_BYTES, everything else
    DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if content_type.startswith("multipart/"):
        return settings.UPLOAD_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    """413 in the api's error shape for a body larger than the limit, before anything reads it.

    Django itself only checks DATA_UPLOAD_MAX_MEMORY_SIZE when something reads `request.body` or
    `request.POST` (and then raises RequestDataTooBig, a 400); DRF's parsers read the raw stream
    and never check it. Deciding on Content-Length here covers both, for every view. A body sent
    without Content-Length (chunked) is not read by Django's WSGI handler at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return self._refuse(request, 400, "bad_request", _("Invalid Content-Length."))
        limit = body_limit(request.META.get("CONTENT_TYPE", ""))
        if length > limit:
            message = _("The request body is larger than %(limit)d bytes.")
            return self._refuse(request, 413, "request_too_large", message, limit=limit)
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, code: str, message: str, **values) -> JsonResponse:
        # This runs before LocaleMiddleware: the message is translated here, for the reader's language.
        with translation.override(translation.get_language_from_request(request)):
            detail = str(message) % values if values else str(message)
        return JsonResponse(error_body(status, code, detail), status=status)


class ApiSecurityHeadersMiddleware:
    """Headers the api adds on top of Django's SecurityMiddleware (nosniff, HSTS, referrer policy)
    and XFrameOptionsMiddleware.

    JSON answers are data, never a page: a CSP that forbids everything stops a browser from
    running anything it is tricked into rendering, and `no-store` keeps personal data out of
    shared caches. HTML (admin, Swagger UI, Redoc) gets a policy of its own: this origin's scripts only.
    """

    JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
    # The admin, Swagger UI and Redoc: scripts, fonts and images from this origin only (no inline
    # script, no CDN); Swagger UI and Redoc set styles from script, so inline styles are allowed.
    HTML_CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", self.HTML_CSP)
        if content_type.startswith("application/json"):
            response.headers.setdefault("Content-Security-Policy", self.JSON_CSP)
            if request.path.startswith("/api/v1/"):
                response.headers.setdefault("Cache-Control", "no-store")
        if response.status_code == 503:
            response.headers.setdefault("Retry-After", RETRY_AFTER_SECONDS)
        return response

"""Security headers, the per-request api client, and api failures turned into pages."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from . import session
from .api import Api, ApiError, ApiUnavailable, forwarded_for, from_trusted_proxy

logger = logging.getLogger(__name__)

# Only this site's own files: no inline script, no CDN, no framing, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Geolocation is used by "near me" on this site only; nothing else is asked for.
PERMISSIONS_POLICY = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        signed_in = hasattr(request, "session") and session.token(request) is not None
        if signed_in or request.path.startswith(("/me/", "/staff/", "/hospital/", "/requests/", "/account/")):
            # A signed-in page shows someone's health data: no shared cache, no back-button copy.
            response.headers["Cache-Control"] = "private, no-store"
        return response


class ApiMiddleware:
    """`request.api` speaks for the signed-in user; api failures become friendly pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api = SimpleLazyObject(
            lambda: Api(
                base_url=settings.DBLOOD_API_URL,
                token=session.token(request),
                language=getattr(request, "LANGUAGE_CODE", None),
                timeout=settings.DBLOOD_API_TIMEOUT,
                forwarded_for=forwarded_for(
                    remote_addr=request.META.get("REMOTE_ADDR", ""),
                    forwarded=request.META.get("HTTP_X_FORWARDED_FOR"),
                    trusted_proxies=(
                        settings.NUM_PROXIES
                        if from_trusted_proxy(request.META.get("REMOTE_ADDR", ""), settings.TRUSTED_PROXY_NETWORKS)
                        else 0
                    ),
                ),
                proxy_key=settings.WEB_PROXY_KEY,
            )
        )
        try:
            return self.get_response(request)
        finally:
            if request.api._wrapped is not empty:  # only if a view used it
                request.api.close()

    def process_exception(self, request, exception):
        if isinstance(exception, ApiUnavailable):
            logger.warning("api unavailable: %s", exception)
            request.api_unavailable = True  # the header does not ask again for the unread count
            return render(request, "dblood_web/503.html", status=503)
        if not isinstance(exception, ApiError):
            return None
        if exception.status == 401:
            # The token expired or was revoked: log in again, then come back here.
            had_session = session.token(request) is not None
            session.logout(request)
            if had_session:
                messages.info(request, _("Your session has ended. Please log in again."))
            return redirect(login_url(request.get_full_path()))
        if exception.status == 403:
            return render(request, "dblood_web/403.html", {"detail": exception.detail}, status=403)
        if exception.status == 404:
            return render(request, "dblood_web/404.html", status=404)
        if exception.status == 429:
            return render(request, "dblood_web/429.html", status=429)
        logger.error("api error not handled by the view: %s", exception)
        return render(request, "dblood_web/500.html", status=500)


def login_url(next_path: str) -> str:
    return f"{reverse('login')}?{urlencode({'next': next_path})}"

import functools
import logging

from django.conf import settings

from . import session
from .api import ApiError, ApiUnavailable

logger = logging.getLogger(__name__)


def web(request):
    current = session.user(request)
    return {
        "current_user": current,
        "current_role": current.get("role") if current else None,
        "languages": settings.LANGUAGES,
        # Asked of the api only when the header is drawn for a signed-in user (never for visitors),
        # at most once per page; a failure leaves the badge out instead of breaking the page.
        "unread_count": _unread_count(request) if current else None,
    }


def _unread_count(request):
    @functools.cache
    def count() -> int | None:
        if getattr(request, "api_unavailable", False):
            return None
        try:
            return request.api.unread_count()
        except (ApiError, ApiUnavailable) as error:
            logger.info("unread count not shown: %s", error)
            return None

    return count

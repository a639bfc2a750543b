from django.conf import settings

from . import session


def web(request):
    current = session.user(request)
    return {
        "current_user": current,
        "current_role": current.get("role") if current else None,
        "languages": settings.LANGUAGES,
    }

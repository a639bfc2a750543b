from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .errors import error_body


class DatabaseUnavailableMiddleware:
    """A database outage outside DRF views (admin, health) answers 503 JSON, not a 500 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return JsonResponse(
                error_body(503, "service_unavailable", "The database is unavailable; try again shortly."),
                status=503,
                headers={"Retry-After": "5"},
            )
        return None

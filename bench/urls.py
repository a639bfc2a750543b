"""The api's URLs plus the benchmark's ceiling view (only under bench.settings)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from dblood.urls import handler400, handler403, handler404, handler500
from dblood.urls import urlpatterns as api_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def ceiling(request):
    """The least a JSON response can cost here: same middleware, no database, no DRF."""
    return JsonResponse({"status": "ok", "items": [{"id": i} for i in range(3)]})


def ceiling_db(request):
    """The ceiling plus one database round trip: what a single query costs on this machine."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok", "items": [{"id": i} for i in range(3)]})


urlpatterns = [
    path("bench/ceiling", ceiling, name="bench-ceiling"),
    path("bench/ceiling-db", ceiling_db, name="bench-ceiling-db"),
    *api_urlpatterns,
]

"""The api's URLs plus the benchmark's ceiling view (only under bench.settings)."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
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


def stock_rendered(request):
    """The proposed fix for public stock, measured beside the real one (FINDINGS.md section 1):
    the api's own StockView, but its rendered bytes cached per stock version and query string."""
    from dblood.inventory.stock import STOCK_VERSION_KEY
    from dblood.inventory.views import StockView

    key = f"bench:stock-bytes:{cache.get(STOCK_VERSION_KEY, 0)}:{request.GET.urlencode()}"
    body = cache.get(key)
    if body is None:
        response = StockView.as_view()(request)
        if hasattr(response, "render"):  # StockView now answers its cached bytes as a plain HttpResponse
            response.render()
        if response.status_code != 200:
            return response
        body = response.content
        cache.set(key, body, 300)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/stock-rendered", stock_rendered, name="bench-stock-rendered"),
    path("bench/ceiling", ceiling, name="bench-ceiling"),
    path("bench/ceiling-db", ceiling_db, name="bench-ceiling-db"),
    *api_urlpatterns,
]

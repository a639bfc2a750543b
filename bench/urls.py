"""The api's URLs plus the benchmark's ceiling view (only under bench.settings)."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.sites.models import Site
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


class DrfTokenFloor(APIView):
    """The least an authenticated api read costs: DRF, the api's bearer-token authentication (from
    the token cache), a permission check, the ceiling's body; no query of its own."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"status": "ok", "items": [{"id": i} for i in range(3)]})


class _SiteRow(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "city", "province", "latitude", "longitude"]


class OrmPageFloor(generics.ListAPIView):
    """The least a public paged list costs: one ORM query (a page of 20 rows with its total, as
    every api list), seven plain columns each, a DRF serializer; no filter, join or computed field."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = _SiteRow
    queryset = Site.objects.order_by("id")


urlpatterns = [
    path("bench/ceiling", ceiling, name="bench-ceiling"),
    path("bench/ceiling-db", ceiling_db, name="bench-ceiling-db"),
    path("bench/drf-token", DrfTokenFloor.as_view(), name="bench-drf-token"),
    path("bench/orm-page", OrmPageFloor.as_view(), name="bench-orm-page"),
    *api_urlpatterns,
]

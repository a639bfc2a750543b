"""Health endpoints for load balancers and compose healthchecks."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .deadline import query_deadline

_health = inline_serializer("Health", {"status": serializers.CharField(), "checks": serializers.DictField()})


@extend_schema(responses={200: _health}, tags=["health"])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def healthz(request):
    """The process is alive. Touches nothing else."""
    return Response({"status": "ok", "checks": {}})


def _database_ok() -> bool:
    try:
        with connection.execute_wrapper(query_deadline(settings.READYZ_QUERY_TIMEOUT)), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        connection.close_if_unusable_or_obsolete()
        return False


def _cache_ok() -> bool:
    key, value = f"readyz:{uuid.uuid4().hex}", "ok"
    try:
        cache.set(key, value, 5)
        ok = cache.get(key) == value
        cache.delete(key)
        return ok
    except Exception:  # noqa: BLE001
        return False


@extend_schema(responses={200: _health, 503: _health}, tags=["health"])
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def readyz(request):
    """Ready to serve: the database answers (503 if not). The cache is reported but optional:
    without memcached the api still serves, slower, so it stays in the pool ("degraded")."""
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "cache": "ok" if _cache_ok() else "unavailable",
    }
    if checks["database"] != "ok":
        return Response({"status": "unavailable", "checks": checks}, status=503)
    return Response({"status": "ok" if checks["cache"] == "ok" else "degraded", "checks": checks})

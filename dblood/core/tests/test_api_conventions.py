"""One error shape everywhere, deny by default, schema and offline docs."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from dblood.core.permissions import DenyAll

ERROR_KEYS = {"status", "code", "detail"}


def assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    assert ERROR_KEYS <= set(body)
    assert body["status"] == status
    return body


@pytest.mark.django_db
def test_404_inside_and_outside_the_api_is_json(api):
    assert_error(api().get("/api/v1/no-such-thing"), 404)
    assert_error(api().get("/nowhere"), 404)


@pytest.mark.django_db
def test_405_and_401_have_the_shape(api):
    assert_error(api().delete("/api/v1/auth/login"), 405)
    body = assert_error(api().get("/api/v1/me"), 401)
    assert body["code"] == "not_authenticated"


@pytest.mark.django_db
def test_malformed_json_is_a_400(api):
    response = api().post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert_error(response, 400)


@pytest.mark.django_db
def test_unhandled_error_is_a_json_500(api, monkeypatch):
    from dblood.accounts import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.MeView, "get_object", boom)
    from testing.personas import make_user

    client = api(make_user("x@example.org"))
    client.raise_request_exception = False
    body = assert_error(client.get("/api/v1/me"), 500)
    assert "boom" not in str(body)


def _api_views():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    for route, callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if route.startswith("api/v1/") and cls and issubclass(cls, APIView):
            yield route, cls


def test_every_api_view_states_its_own_permission():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] == ["dblood.core.permissions.DenyAll"]
    views = list(_api_views())
    assert views
    for route, cls in views:
        assert "permission_classes" in {k for c in cls.__mro__ if c.__module__.startswith("dblood") for k in vars(c)}, (
            f"{route}: {cls.__name__} does not state permission_classes"
        )
        assert DenyAll not in cls.permission_classes, route


@pytest.mark.django_db
def test_schema_documents_every_operation_and_its_errors(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "Error" in schema["components"]["schemas"]
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert any(path == "/api/v1/auth/login" for path, _, _ in operations)
    for path, method, op in operations:
        for code in ["400", "401", "403", "404", "429", "500"]:
            assert code in op["responses"], (path, method, code)


@pytest.mark.django_db
def test_docs_work_offline(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "https://" not in html
    asset = [part.split('"')[0] for part in html.split('src="')[1:] if "swagger-ui-bundle" in part][0]
    assert asset.startswith("/static/")

"""A service of the production topology goes away and comes back (tests/deploy/stack.py: nginx,
the web and the api under gunicorn with production settings, PostgreSQL, memcached).

api down: the web (its own gunicorn) answers its friendly 503 page, and pages again once the api
is back. An upstream gone: nginx answers its own error page, HTML for pages and the api's JSON
error shape under /api/, and proxies again once the upstream is back.
"""

import time
import uuid

import httpx
import pytest

from tests.deploy.stack import running_stack

EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def stack(postgresql_server, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("outage-stack"), postgresql_server) as running:
        yield running


def _until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def _down(stack, name: str):
    """Stop one service; the caller's `finally` starts it again (waiting until it answers)."""
    service = stack.services[name]
    service.stop()
    return service


def _assert_web_503_page(response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "dblood is taking a short break" in response.text
    assert "We cannot reach our data service right now" in response.text
    assert "Traceback" not in response.text and "ApiUnavailable" not in response.text


def test_api_down_the_web_shows_its_503_page_and_recovers(stack):
    with httpx.Client(timeout=30, headers=EN) as client:
        assert client.get(f"{stack.web_url}/").status_code == 200
        api = _down(stack, "api")
        try:
            # The web's own gunicorn, directly and through nginx (which passes the web's page on).
            _assert_web_503_page(client.get(f"{stack.web_url}/"))
            _assert_web_503_page(client.get(f"{stack.web_url}/drives/"))
            _assert_web_503_page(client.get(f"{stack.nginx_url}/"))
            assert client.get(f"{stack.web_url}/healthz").status_code == 200  # the web itself is alive
        finally:
            api.start()
        assert _until(lambda: client.get(f"{stack.web_url}/").status_code == 200)
        home = client.get(f"{stack.nginx_url}/")
        assert home.status_code == 200 and "UDD" in home.text


def test_web_gone_nginx_serves_its_html_error_page_and_recovers(stack):
    with httpx.Client(base_url=stack.nginx_url, timeout=30, headers=EN) as client:
        web = _down(stack, "web")
        try:
            page = client.get("/")
            assert page.status_code == 503
            assert page.headers["content-type"].startswith("text/html")
            assert "dblood is briefly unavailable" in page.text  # nginx's page, not the web's
            assert page.headers["retry-after"] == "30" and page.headers["cache-control"] == "no-store"
            assert client.get("/drives/").status_code == 503
            assert client.get("/api/v1/stock").status_code == 200  # the api is not affected
        finally:
            web.start()
        assert _until(lambda: client.get("/").status_code == 200)


def test_api_gone_nginx_answers_the_json_error_shape_and_recovers(stack):
    with httpx.Client(base_url=stack.nginx_url, timeout=30, headers=EN) as client:
        api = _down(stack, "api")
        try:
            # Queries no one asked before: nginx may still serve a public answer it holds for
            # its few seconds of max-age while the api is down, never one it does not hold.
            fresh = uuid.uuid4().hex
            for path in (f"/api/v1/stock?province={fresh}", f"/api/v1/drives?city={fresh}", "/api/v1/me"):
                response = client.get(path)
                assert response.status_code == 503, (path, response.text[:300])
                assert response.headers["content-type"] == "application/json"
                assert response.json() == {
                    "status": 503,
                    "code": "unavailable",
                    "detail": "The dblood api is briefly unavailable (restarting or updating). Retry in a minute.",
                }
            login = client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": "x"})
            assert login.status_code == 503 and login.json()["code"] == "unavailable"
            admin = client.get("/admin/login/")
            assert admin.status_code == 503 and "dblood is briefly unavailable" in admin.text
        finally:
            api.start()
        assert _until(lambda: client.get("/api/v1/stock").status_code == 200)
        assert client.get("/api/v1/me").status_code == 401  # the api itself answers again

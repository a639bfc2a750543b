"""The stack without containers: a journey through nginx to the api on PostgreSQL and memcached,
static and media files served by nginx itself, and an api that refuses to start without secrets."""

import re
import socket
import subprocess
import uuid

import httpx
import pytest
from deployhelpers import DEPLOY, ROOT
from stack import GUNICORN_CONF, start_stack

from testing.servers import start_memcached


@pytest.fixture(scope="module")
def stack(postgresql_server, tmp_path_factory):
    memcached = start_memcached()
    running = None
    try:
        running = start_stack(tmp_path_factory.mktemp("stack"), postgresql_server, memcached)
        yield running
    finally:
        if running:
            running.stop()
        memcached.stop()


@pytest.fixture
def client(stack):
    with httpx.Client(base_url=stack.nginx_url, timeout=30) as client:
        yield client


def _memcached_stat(address, name):
    host, port = address.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            data += connection.recv(65536)
    return int(re.search(rf"STAT {name} (\d+)".encode(), data).group(1))


def test_donor_journey_through_nginx(stack, client):
    email = f"stack-{uuid.uuid4().hex[:8]}@example.org"
    password = "stack-pass-2026-long"
    registered = client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "full_name": "Stack Donor"}
    )
    assert registered.status_code == 201, registered.text
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    token = login.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == email
    # nginx set the security headers once; gunicorn's access log and Django saw the proxy headers.
    assert me.headers.get_list("x-frame-options") == ["DENY"]
    assert client.get("/api/v1/me").status_code == 401
    if stack.worker:
        assert stack.worker.running(), "the worker stopped during the journey"


def test_api_is_ready_on_postgresql_and_memcached(stack):
    ready = httpx.get(f"{stack.api_url}/readyz", timeout=10)
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert _memcached_stat(stack.memcached, "cmd_set") > 0
    # ...but nginx does not publish the health endpoints.
    assert httpx.get(f"{stack.nginx_url}/readyz").status_code == 404


def test_static_files_are_served_by_nginx_itself(stack, client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    script = re.search(
        r'src="(/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.[0-9a-f]+\.js)"', docs.text
    )
    assert script, "the docs page links the hashed Swagger UI bundle"
    bundle = client.get(script.group(1), headers={"Accept-Encoding": "gzip"})
    assert bundle.status_code == 200
    assert "max-age=315360000" in bundle.headers["cache-control"]
    assert bundle.headers["content-encoding"] == "gzip"  # the precompressed .gz, gzip_static
    # It is the file gunicorn published into the host folder nginx serves from...
    exported = stack.static_export / script.group(1).removeprefix("/static/")
    assert exported.read_bytes() == bundle.content
    # ...and a file that only that folder holds is served as well: nginx, not the app, answers.
    (stack.static_export / "probe.txt").write_text("from nginx")
    assert client.get("/static/probe.txt").text == "from nginx"
    assert not (stack.base / "static-api" / "probe.txt").exists()
    # The trimmed image keeps only hashed names and no source maps.
    assert not (stack.static_export / "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").exists()
    assert not list(stack.static_export.rglob("*.map"))


def test_admin_login_page_and_its_styles(client):
    page = client.get("/admin/login/")
    assert page.status_code == 200
    css = re.search(r'href="(/static/admin/css/base\.[0-9a-f]+\.css)"', page.text)
    assert css and client.get(css.group(1)).status_code == 200


def test_media_files_are_served_by_nginx_as_inert_data(stack, client):
    (stack.media / "photo.txt").write_text("uploaded")
    response = client.get("/media/photo.txt")
    assert response.status_code == 200 and response.text == "uploaded"
    assert "sandbox" in response.headers["content-security-policy"]
    assert client.get("/media/missing.txt").status_code == 404


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_api_refuses_to_start_without_its_secrets(stack, missing):
    from port_for import get_port

    env = stack.api_env(GUNICORN_BIND=f"127.0.0.1:{get_port(None)}", **{missing: None})
    result = subprocess.run(
        stack.python("-m", "gunicorn", "--config", GUNICORN_CONF, "dblood.wsgi"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"dblood: {missing} is not set" in result.stderr


def test_stack_runs_on_production_packages_only(stack):
    """No dev tool is importable by the apps; translations are only en and id."""
    assert not (stack.site / "pytest").exists() and not (stack.site / "ruff").exists()
    locales = stack.site / "django" / "conf" / "locale"
    assert sorted(p.name for p in locales.iterdir() if p.is_dir()) == ["en", "id"]
    assert (locales / "__init__.py").exists() and (stack.site / "django" / "test").is_dir()
    assert (DEPLOY / "trim.py").exists()

"""deploy/nginx/dblood.conf: `nginx -t` on the host rendering and the compose one, and the
friendly pages nginx answers with while an app is down."""

import os
import subprocess

import httpx
import pytest
from mirakuru import TCPExecutor
from port_for import get_port

from tests.deploy.deployhelpers import ROOT, nginx_binary, render, write_nginx_conf


def _nginx_t(conf, prefix):
    command = [nginx_binary(), "-t", "-c", str(conf), "-p", str(prefix)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def test_host_rendering_passes_nginx_t(nginx_prefix, tmp_path):
    conf = write_nginx_conf(
        nginx_prefix, port=get_port(None), web="127.0.0.1:8000", api="127.0.0.1:8080", static=tmp_path, media=tmp_path
    )
    result = _nginx_t(conf, nginx_prefix)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_compose_rendering_passes_nginx_t_where_the_service_names_resolve(nginx_prefix, tmp_path):
    """The `nginx` compose profile proxies to web:8000 and api:8000; check it as that container
    would see them, in a private mount namespace whose /etc/hosts names the services."""
    conf = write_nginx_conf(
        nginx_prefix, port=get_port(None), web="web:8000", api="api:8000", static=tmp_path, media=tmp_path
    )
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n127.0.0.2 web\n127.0.0.3 api\n")
    command = f"mount --bind {hosts} /etc/hosts && {nginx_binary()} -t -c {conf} -p {nginx_prefix}"
    # As root a mount namespace is enough; otherwise map the user to root in a user namespace.
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    result = subprocess.run([*unshare, "sh", "-c", command], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    # Without those names the same file fails: the check above really resolved them.
    assert _nginx_t(conf, nginx_prefix).returncode != 0


def test_placeholders_are_all_filled_and_none_may_be_empty():
    text = render.render({})
    assert not render.PLACEHOLDER.search(text)
    with pytest.raises(KeyError):
        render.render({"DBLOOD_API_UPSTREAM": ""})


def test_a_scaled_api_gets_one_server_line_per_published_port():
    text = render.render({"DBLOOD_API_UPSTREAM": "127.0.0.1:8080, 127.0.0.1:8081,127.0.0.1:8082"})
    api = text.split("upstream dblood_api {", 1)[1].split("}", 1)[0]
    servers = [line.split()[1] for line in api.splitlines() if line.strip().startswith("server ")]
    assert servers == ["127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8082"]


def test_env_file_rendering_uses_the_same_host_folders_as_compose(tmp_path):
    env = tmp_path / ".env"
    env.write_text("DBLOOD_MEDIA_DIR=./data/media\nDBLOOD_STATIC_DIR=/srv/static\n")
    values = render.read_env_file(env)
    text = render.render(values, base=tmp_path)
    assert f"alias {tmp_path}/data/media/;" in text
    assert "alias /srv/static/;" in text
    assert f"alias {ROOT}/deploy/nginx/errors/;" in text


@pytest.fixture
def nginx_with_apps_down(nginx_prefix, tmp_path):
    port, dead = get_port(None), get_port(None)  # nothing listens on `dead`
    conf = write_nginx_conf(
        nginx_prefix, port=port, web=f"127.0.0.1:{dead}", api=f"127.0.0.1:{dead}", static=tmp_path, media=tmp_path
    )
    executor = TCPExecutor([nginx_binary(), "-c", str(conf), "-p", str(nginx_prefix)], host="127.0.0.1", port=port)
    executor.start()
    yield f"http://127.0.0.1:{port}"
    executor.stop()


def test_friendly_pages_while_the_apps_are_down(nginx_with_apps_down):
    with httpx.Client(base_url=nginx_with_apps_down, timeout=20) as client:
        page = client.get("/donor/appointments")
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert "dblood is briefly unavailable" in page.text
        assert "sedang tidak dapat dijangkau" in page.text
        assert page.headers["retry-after"] == "30"
        api = client.get("/api/v1/me")
        assert api.status_code == 503
        assert api.json() == {
            "status": 503,
            "code": "unavailable",
            "detail": "The dblood api is briefly unavailable (restarting or updating). Retry in a minute.",
        }
        # The error pages themselves are not reachable as URLs.
        assert client.get("/_dblood_errors/503.html").status_code == 404
        assert client.get("/readyz").status_code == 404
        assert client.get("/_nginx/health").text == "ok\n"
        assert page.headers["x-frame-options"] == "DENY"


def test_nginx_refusals_under_api_use_the_apis_json_error_shape(nginx_with_apps_down):
    with httpx.Client(base_url=nginx_with_apps_down, timeout=20) as client:
        big = client.put("/api/v1/sites/1/photo", content=b"x" * (11 * 1024 * 1024))
        assert big.status_code == 413
        assert big.headers["content-type"].startswith("application/json")
        assert (big.json()["status"], big.json()["code"]) == (413, "request_too_large")
        answers = [client.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "x"}) for _ in range(40)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited, [a.status_code for a in answers]
        assert limited[0].headers["content-type"].startswith("application/json")
        assert limited[0].json()["code"] == "throttled" and int(limited[0].headers["retry-after"]) > 0


def test_with_tls_plain_http_is_redirected_to_https(nginx_prefix, tmp_path):
    """DBLOOD_TLS=on (certbot added the ssl listener): every plain-HTTP request, /api/ and /admin/
    included, is a 301 to HTTPS, except nginx's health check; over HTTPS the site answers."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port, tls_port, dead = get_port(None), get_port(None), get_port(None)
    conf = write_nginx_conf(
        nginx_prefix, port=port, web=f"127.0.0.1:{dead}", api=f"127.0.0.1:{dead}", static=tmp_path, media=tmp_path,
        tls="on", extra_listen=f"    listen 127.0.0.1:{tls_port} ssl;\n    ssl_certificate {cert};\n"
        f"    ssl_certificate_key {key};",
    )  # fmt: skip
    executor = TCPExecutor([nginx_binary(), "-c", str(conf), "-p", str(nginx_prefix)], host="127.0.0.1", port=port)
    executor.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as plain:
            for path in ("/", "/api/v1/sites?city=Bandung", "/admin/login/"):
                answer = plain.get(path)
                assert answer.status_code == 301, (path, answer.status_code)
                assert answer.headers["location"] == f"https://127.0.0.1{path}"
            assert plain.get("/_nginx/health").status_code == 200  # the health check stays plain
        with httpx.Client(base_url=f"https://127.0.0.1:{tls_port}", timeout=20, verify=False) as secure:
            assert secure.get("/_nginx/health").text == "ok\n"
            assert secure.get("/api/v1/me").status_code == 503  # proxied (the api is down), not redirected
    finally:
        executor.stop()


def test_without_tls_nothing_is_redirected(nginx_with_apps_down):
    with httpx.Client(base_url=nginx_with_apps_down, timeout=20) as client:
        assert client.get("/api/v1/me").status_code == 503

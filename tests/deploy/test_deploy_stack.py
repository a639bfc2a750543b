"""The stack without containers: a journey through nginx to the api on PostgreSQL and memcached,
static and media files served by nginx itself, and an api that refuses to start without secrets."""

import re
import socket
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import httpx
import pytest
from port_for import get_port

from testing.mail import mail_file_to, signup_token_in
from tests.deploy.deployhelpers import DEPLOY, ROOT
from tests.deploy.stack import DEMO_PASSWORD, GUNICORN_CONF, api_executor, nginx_executor, running_stack


@pytest.fixture(scope="module")
def stack(postgresql_server, tmp_path_factory):
    with running_stack(tmp_path_factory.mktemp("stack"), postgresql_server) as running:
        yield running


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


def _sign_up(stack, client, email, password, full_name) -> None:
    """Sign up through nginx and confirm with the link the api e-mailed (to its file backend)."""
    body = {"email": email, "password": password, "full_name": full_name}
    registered = client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 202, registered.text
    token = signup_token_in(mail_file_to(stack.mail, email))
    confirmed = client.post("/api/v1/auth/register/confirm", json={"token": token})
    assert confirmed.status_code == 201, confirmed.text


def test_donor_journey_through_nginx(stack, client):
    email = f"stack-{uuid.uuid4().hex[:8]}@example.org"
    password = "stack-pass-2026-long"
    _sign_up(stack, client, email, password, "Stack Donor")
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


def _login(client, email, password):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_staff_open_a_drive_a_donor_books_and_anyone_reads_the_stock(stack, client):
    staff = _login(client, "staff@dblood.local", DEMO_PASSWORD)
    bank = client.get("/api/v1/me", headers=staff).json()["memberships"][0]["site_id"]
    day = (date.today() + timedelta(days=10)).isoformat()
    drive = client.post(
        "/api/v1/drives",
        headers=staff,
        json={
            "organiser": bank,
            "site": bank,
            "name": "Stack drive",
            "date": day,
            "start_time": "08:00",
            "end_time": "10:00",
            "slot_minutes": 30,
            "capacity_per_slot": 3,
            "donation_types": ["whole_blood"],
            "status": "open",
        },
    )
    assert drive.status_code == 201, drive.text
    slot = drive.json()["slots"][0]["id"]

    email, password = f"booker-{uuid.uuid4().hex[:8]}@example.org", "stack-pass-2026-long"
    _sign_up(stack, client, email, password, "Booker")
    donor = _login(client, email, password)
    profile = {"birth_date": "1990-05-01", "sex": "M", "weight_kg": 70, "abo": "O", "rhd": "+", "city": "Jakarta"}
    updated = client.patch("/api/v1/donors/me", headers=donor, json=profile)
    assert updated.status_code == 200, updated.text
    booked = client.post("/api/v1/appointments", headers=donor, json={"slot": slot, "donation_type": "whole_blood"})
    assert booked.status_code == 201, booked.text
    mine = client.get("/api/v1/appointments", headers=donor)
    assert [a["id"] for a in mine.json()["results"]] == [booked.json()["id"]]

    stock = client.get("/api/v1/stock")  # public, no login
    assert stock.status_code == 200, stock.text
    assert client.get("/api/v1/stock.csv").headers["content-type"].startswith("text/csv")


def test_web_pages_through_nginx_with_data_from_the_api(stack, client):
    assert stack.web_url, "dblood_web is in the tree: the stack runs it"
    home = client.get("/", headers={"Accept-Language": "en"})
    assert home.status_code == 200, home.text[:500]
    assert "UDD" in home.text  # the demo blood banks, read from the api's public stock
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home.text)
    assert css, "the web links its hashed stylesheet"
    style = client.get(css.group(1))
    assert style.status_code == 200 and "max-age=315360000" in style.headers["cache-control"]
    assert (stack.static_export / css.group(1).removeprefix("/static/")).exists()
    assert client.get("/healthz").status_code == 404  # not published by nginx


def test_a_scaled_api_behind_nginx_survives_losing_a_replica(stack, tmp_path):
    """README "Updating and scaling": two api replicas in one upstream; one stops, nobody notices."""
    ports = [get_port(None), get_port(None)]
    replicas = [api_executor(stack, port) for port in ports]
    for replica in replicas:
        replica.start()
    nginx, url = nginx_executor(
        stack, tmp_path / "nginx", web="127.0.0.1:9", api=",".join(f"127.0.0.1:{p}" for p in ports)
    )
    nginx.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            # An answer nginx never keeps (no-store): every request reaches a replica.
            path = "/api/v1/questionnaire"
            assert all(client.get(path).status_code == 200 for _ in range(6))
            replicas[0].stop()
            # Idempotent requests that reach the stopped replica are retried on the other one.
            assert [client.get(path).status_code for _ in range(6)] == [200] * 6
            replicas[1].stop()
            down = client.get(path)
            assert down.status_code == 503 and down.json()["code"] == "unavailable"
    finally:
        nginx.stop()
        for replica in replicas:
            if replica.running():
                replica.stop()


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


def test_a_site_photo_goes_through_the_trimmed_pillow_and_nginx_serves_it_as_an_image(stack, client):
    """Upload through nginx as demo staff; the api decodes with the image's trimmed Pillow (no AVIF,
    fonts or lcms, debugging symbols stripped); nginx serves the stored copy as a JPEG, and the
    blood bank's public page shows it."""
    import io

    from PIL import Image

    login = client.post("/api/v1/auth/login", json={"email": "staff@dblood.local", "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    site_id = login.json()["user"]["memberships"][0]["site_id"]
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 20, 20)).save(photo, "WEBP")
    response = client.put(
        f"/api/v1/sites/{site_id}/photo",
        files={"photo": ("../../../etc/x.webp", photo.getvalue(), "image/webp")},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
    )
    assert response.status_code == 200, response.text
    url = response.json()["photo_url"]
    assert re.fullmatch(rf"/media/sites/{site_id}/[0-9a-f]{{32}}\.jpg", url)
    served = client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert Image.open(io.BytesIO(served.content)).size == (64, 48)
    if stack.web_url:
        assert f'src="{url}"' in client.get(f"/blood-banks/{site_id}/").text


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_api_refuses_to_start_without_its_secrets(stack, missing):
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


def test_the_images_healthcheck_script(stack, postgresql_server):
    """deploy/healthcheck.py as the images run it: Host from ALLOWED_HOSTS, HTTPS as nginx says."""

    def healthcheck(*args, **env):
        base = {"PATH": "/usr/bin:/bin", "ALLOWED_HOSTS": "localhost,127.0.0.1"}
        command = [sys.executable, "-S", str(DEPLOY / "healthcheck.py"), *args]
        return subprocess.run(command, env={**base, **env}, capture_output=True, text=True, timeout=30)

    assert healthcheck(f"{stack.api_url}/healthz").returncode == 0
    assert healthcheck(f"{stack.web_url}/healthz").returncode == 0
    assert healthcheck(HEALTHCHECK_URL=f"{stack.api_url}/readyz").returncode == 0
    # A host the app does not serve is a 400 from Django: unhealthy, and it says why.
    wrong_host = healthcheck(f"{stack.api_url}/healthz", ALLOWED_HOSTS="elsewhere.invalid")
    assert wrong_host.returncode == 1 and "HTTP 400" in wrong_host.stderr
    assert healthcheck(f"http://127.0.0.1:{get_port(None)}/healthz").returncode == 1
    assert healthcheck("--tcp", f"{postgresql_server.host}:{postgresql_server.port}").returncode == 0


def _login_ip_counter(memcached: str, address: str) -> int:
    """The api's per-address login counter (dblood.core.throttles) for `address`, this minute or the last."""
    import hashlib
    import time

    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    window = int(time.time() // 60)
    host, port = memcached.split(":")
    total = 0
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        for minute in (window - 1, window):
            connection.sendall(f"get dblood:1:throttle_login_ip_{digest}:{minute}\r\n".encode())
            data = b""
            while not data.endswith(b"END\r\n"):
                data += connection.recv(65536)
            value = re.search(rb"VALUE \S+ \d+ \d+\r\n(\d+)\r\n", data)
            total += int(value.group(1)) if value else 0
    return total


def test_web_sign_ins_are_throttled_per_browser_address(stack):
    """nginx -> web -> api: the api's login throttle counts each browser's address (the web
    forwards it with WEB_PROXY_KEY), not the web's; a forged X-Forwarded-For buys nothing."""
    for browser in ("127.0.0.2", "127.0.0.3"):
        transport = httpx.HTTPTransport(local_address=browser)  # loopback: nginx sees this address
        with httpx.Client(base_url=stack.nginx_url, transport=transport, timeout=30) as client:
            form = client.get("/login/", headers={"Accept-Language": "en"})
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            answer = client.post(
                "/login/",
                data={"csrfmiddlewaretoken": token, "email": f"nobody-{uuid.uuid4().hex[:6]}@example.org",
                      "password": "wrong-password-2026"},
                headers={"X-Forwarded-For": "198.51.100.99", "Accept-Language": "en"},
            )  # fmt: skip
            assert answer.status_code == 200, answer.text[:500]  # the form again, with the api's error
        assert _login_ip_counter(stack.memcached, browser) == 1
    assert _login_ip_counter(stack.memcached, "198.51.100.99") == 0


def test_nginx_limits_the_admins_sign_in_like_the_apis_login(stack):
    """More guesses a second at /admin/login/ than nginx's auth zone allows: nginx itself answers 429
    (before Django's own per-account and per-address buckets)."""
    transport = httpx.HTTPTransport(local_address="127.0.0.4")
    with httpx.Client(base_url=stack.nginx_url, transport=transport, timeout=30) as client:
        statuses = [
            client.post("/admin/login/", data={"username": f"guess{i}@example.org", "password": "x"}).status_code
            for i in range(40)
        ]
    assert 429 in statuses, statuses
    assert statuses[:20].count(429) == 0  # the burst passes; what follows is limited


def test_one_permissions_policy_header_through_nginx(client):
    for path in ("/", "/api/v1/sites", "/admin/login/"):
        headers = client.get(path).headers.get_list("Permissions-Policy")
        assert headers == ["geolocation=(self), camera=(), microphone=(), payment=(), usb=()"], (path, headers)


def _national(response) -> int:
    assert response.status_code == 200, response.text
    return sum(total["available"] for total in response.json()["totals"]["national"])


def test_nginx_keeps_the_public_stock_and_a_change_shows_within_its_max_age(stack, client):
    """The api marks the stock public for PUBLIC_CACHE_SECONDS (5 s): nginx answers repeats itself,
    a client's If-None-Match gets nginx's 304, and a discarded unit shows within that time."""
    first = client.get("/api/v1/stock")
    assert first.headers["cache-control"] == "public, max-age=5, stale-while-revalidate=10"
    assert first.headers["access-control-allow-origin"] == "*"
    again = client.get("/api/v1/stock")
    assert again.headers["x-cache-status"] == "HIT" and again.content == first.content
    assert again.headers["x-frame-options"] == "DENY"  # the security headers are still there
    held = client.get("/api/v1/stock", headers={"If-None-Match": again.headers["etag"]})
    assert held.status_code == 304 and held.headers["x-cache-status"] == "HIT"

    staff = _login(client, "staff@dblood.local", DEMO_PASSWORD)
    units = client.get("/api/v1/units", params={"state": "available"}, headers=staff).json()["results"]
    before = _national(client.get("/api/v1/stock"))
    discarded = client.post(f"/api/v1/units/{units[0]['id']}/discard", headers=staff, json={"reason": "bag leak"})
    assert discarded.status_code == 200, discarded.text
    changed_at = time.monotonic()
    while _national(client.get("/api/v1/stock")) == before:
        assert time.monotonic() - changed_at < 5 + 2, "the change did not show through nginx within max-age"
        time.sleep(0.2)


def test_nginx_keys_public_answers_on_the_query_and_the_language(client):
    path = f"/api/v1/stock?province={uuid.uuid4().hex}"  # asked for by no one before
    assert client.get(path, headers={"Accept-Language": "en"}).headers["x-cache-status"] == "MISS"
    assert client.get(path, headers={"Accept-Language": "en"}).headers["x-cache-status"] == "HIT"
    assert client.get(path, headers={"Accept-Language": "id"}).headers["x-cache-status"] == "MISS"
    assert client.get(path + "&abo=O", headers={"Accept-Language": "en"}).headers["x-cache-status"] == "MISS"


@pytest.mark.parametrize("credentials", ["token", "sessionid", "dblood_web_session"])
def test_nginx_never_caches_a_request_with_credentials(client, credentials):
    if credentials == "token":
        headers = _login(client, "staff@dblood.local", DEMO_PASSWORD)
    else:
        headers = {"Cookie": f"{credentials}=anything"}
    for path in (f"/api/v1/stock?province={uuid.uuid4().hex}", f"/api/v1/sites?q={uuid.uuid4().hex}"):
        signed_in = client.get(path, headers=headers)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.headers["x-cache-status"] == "BYPASS"
        if credentials != "dblood_web_session":  # the web's cookie means nothing to the api: nginx's rule
            assert signed_in.headers["cache-control"].startswith("private,")
        # Not stored either: the first anonymous request for it goes to the api.
        assert client.get(path).headers["x-cache-status"] == "MISS"
        assert client.get(path, headers=headers).headers["x-cache-status"] == "BYPASS"  # not served from it


def test_nginx_keeps_nothing_the_api_does_not_mark_public(client):
    drive = client.get("/api/v1/drives").json()["results"][0]["id"]
    for path in (f"/api/v1/drives/{drive}", "/api/v1/questionnaire"):
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, response.text
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["x-cache-status"] == "MISS"

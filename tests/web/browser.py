"""Real processes for the browser tests: PostgreSQL, the api and the web under gunicorn, Chromium.

Nothing is mocked here: the web talks HTTP to the api, the api to PostgreSQL.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mirakuru import HTTPExecutor
from port_for import get_port

from testing.servers import create_database

ROOT = Path(__file__).resolve().parents[2]
LOGS = ROOT / "test-artifacts"
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SECRET = "browser-test-only-key-" + "x7Qp!" * 10
# The api writes its email here (file backend), so a test can open the link a message holds.
MAIL_DIR = Path(tempfile.mkdtemp(prefix="dblood-browser-mail-"))
# Uploads (site photos) land here, not in the checkout's media/.
MEDIA_DIR = Path(tempfile.mkdtemp(prefix="dblood-browser-media-"))


def _clean_env(**extra: str) -> dict[str, str]:
    # The web's test settings leave their values in os.environ; the processes get only their own.
    drop = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DBLOOD_API_URL",
        "WHITENOISE_USE_FINDERS",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith(("SECURE_", "SESSION_"))}
    env.update(extra)
    return env


def api_env(pg) -> dict[str, str]:
    return _clean_env(
        DJANGO_SETTINGS_MODULE="dblood.settings.development",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@{pg.host}:{pg.port}/dblood",
        DATABASE_CONN_MAX_AGE="0",
        EMAIL_URL=f"filemail:///{MAIL_DIR}",
        MEDIA_ROOT=str(MEDIA_DIR),
    )


def start_api(pg) -> HTTPExecutor:
    create_database(pg, "dblood")
    env = api_env(pg)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    # The demo's people and sites (staff of UDD Jakarta, a verified hospital), but no demo stock:
    # the journeys' own units are then the only ones, and what the pages show is theirs.
    load = "from dblood.accounts import demo as a; from dblood.sites import demo as s; s.load(); a.load()"
    subprocess.run([sys.executable, "manage.py", "shell", "-c", load], cwd=ROOT, env=env, check=True)
    # Its own HTML pages (admin, Swagger UI, Redoc) link hashed static files, as in the image.
    env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="dblood-api-static-")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    return _gunicorn("dblood.wsgi", env, "--access-logfile", "-")


def start_web(api_url: str) -> HTTPExecutor:
    static_root = tempfile.mkdtemp(prefix="dblood-web-static-")
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="dblood_web.settings",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DBLOOD_API_URL=api_url,
        STATIC_ROOT=static_root,
        # Plain HTTP on loopback: no TLS redirect, cookies not marked Secure.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
    )
    subprocess.run(
        [sys.executable, "manage_web.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**env, "DEBUG": "0"},
        check=True,
    )
    return _gunicorn("dblood_web.wsgi", env)


def _gunicorn(app: str, env: dict, *args: str) -> HTTPExecutor:
    """`app` under gunicorn (2 workers) on a free loopback port, started once /healthz answers.

    Its output goes to test-artifacts/<app>.log, never to a pipe: nobody reads a pipe, and once
    its 64 KB buffer is full (a few hundred access-log lines) every worker blocks on its next
    write, so the whole suite's later browser tests saw the api time out."""
    port = get_port(None)
    LOGS.mkdir(exist_ok=True)
    log = open(LOGS / f"{app.split('.')[0]}.log", "ab")  # noqa: SIM115 - open for the process's life
    executor = HTTPExecutor(
        [str(BIN / "gunicorn"), app, "-b", f"127.0.0.1:{port}", "-w", "2", *args],
        url=f"http://127.0.0.1:{port}/healthz",
        cwd=str(ROOT),
        envvars=env,
        timeout=60,
        method="GET",
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    executor.start()
    executor.base_url = f"http://127.0.0.1:{port}"
    return executor


def api_sign_up(api_url: str, email: str, password: str, full_name: str) -> dict:
    """A donor signed up through the api and confirmed by the e-mailed link (from MAIL_DIR)."""
    from testing.mail import sign_up

    return sign_up(api_url, MAIL_DIR, email=email, password=password, full_name=full_name)


def manage(pg, *args: str) -> str:
    """Run one of the api's management commands against the live stack's database."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=api_env(pg), check=True, capture_output=True, text=True
    )
    return result.stdout


class ApiUser:
    """Someone using the api directly (staff and hospital steps that have no web page yet)."""

    def __init__(self, base_url: str, email: str, password: str = "demo-pass-2026"):
        import httpx

        self.http = httpx.Client(base_url=f"{base_url}/api/v1/", timeout=30)
        answer = self.http.post("auth/login", json={"email": email, "password": password})
        answer.raise_for_status()
        self.user = answer.json()["user"]
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def check_label(self, unit_id: int) -> dict:
        """Print the unit's label (the api's PDF) and scan it, as the clerk at the bench does: zbar
        reads the DIN and product barcodes off the page and the api checks both against the unit
        (which lets a released unit into stock). Returns the two scans."""
        from testing.scanner import decode, rasterise

        label = self.http.get(f"units/{unit_id}/label.pdf")
        assert label.status_code == 200, label.text
        symbols = [data for _kind, data in decode(rasterise(label.content, dpi=300))]
        scans = {"din": symbols[0], "product_code": next(s for s in symbols if s.startswith("=<"))}
        self.call("POST", f"units/{unit_id}/label-verification", scans, expect=201)
        return scans

    def call(self, method: str, path: str, json=None, expect: int | None = None):
        response = self.http.request(method, path, json=json)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text)
        else:
            assert response.status_code < 400, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def check_label_in_browser(page) -> None:
    """On a unit's page: print its label (the PDF the web hands over), let zbar read the two barcodes
    off it, and scan them into the label check, as the clerk at the bench does."""
    from playwright.sync_api import expect

    from testing.scanner import decode, rasterise

    label = page.request.get(
        page.base + page.get_by_role("link", name=re.compile(r"^Print .*label")).get_attribute("href")
    )
    assert label.status == 200, label.text()
    symbols = [data for _kind, data in decode(rasterise(label.body(), dpi=300))]
    page.reload()
    page.get_by_label("DIN barcode (scan it from the label)").fill(symbols[0])
    page.get_by_label("Product barcode (scan it from the label)").fill(next(s for s in symbols if s.startswith("=<")))
    page.get_by_role("button", name="Check the label").click()
    expect(page.get_by_role("status")).to_contain_text("Label verified: both barcodes match this unit.")

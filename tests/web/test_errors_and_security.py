"""Api failures become pages, forms carry CSRF tokens, headers lock the pages down."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_api_down_gives_a_friendly_503_page(client, monkeypatch):
    from dblood_web import api

    def refuse(request):
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(api, "TRANSPORT", httpx.MockTransport(refuse))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    html = response.content.decode()
    assert "taking a short break" in html
    assert "Traceback" not in html and "ConnectError" not in html


def test_api_503_is_the_same_friendly_page(client, fake_api):
    fake_api.on("GET", "stock", status=503, body={"status": 503, "code": "service_unavailable", "detail": "db"})
    assert client.get("/").status_code == 503


@pytest.mark.parametrize(
    ("status", "text"), [(404, "Page not found"), (403, "Not allowed"), (429, "Too many attempts")]
)
def test_api_404_and_403_become_proper_pages(client, fake_api, status, text):
    fake_api.on("GET", r"sites/\d+", status=status, body={"status": status, "code": "x", "detail": "x"})
    response = client.get("/blood-banks/99/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert text in response.content.decode()


def test_unknown_page_is_a_404_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_wrong_role_gets_the_403_page(client, fake_api):
    staff = {"id": 2, "email": "s@x.org", "full_name": "S", "role": "bank_staff", "language": "en", "memberships": []}
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": staff})
    client.post("/login/", {"email": "s@x.org", "password": "pw-long-enough"})
    assert client.get("/me/card/").status_code == 403


def test_every_form_needs_its_csrf_token(fake_api):
    strict = Client(enforce_csrf_checks=True)
    for path in ["/login/", "/signup/", "/logout/", "/language/", "/password-reset/", "/me/appointments/book/"]:
        response = strict.post(path, {"email": "a@b.org"})
        assert response.status_code == 403, path
    assert not fake_api.requests


def test_every_post_form_in_the_templates_has_a_csrf_token():
    templates = ROOT / "dblood_web" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert text.count('method="post"') == text.count("{% csrf_token %}"), path


def test_security_headers_and_content_security_policy(client, fake_api):
    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in response["Permissions-Policy"]


def test_templates_have_no_inline_script_or_style_and_no_cdn():
    for path in (ROOT / "dblood_web" / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "style=" not in text and "<style" not in text, path
        assert "http://" not in text and "https://" not in text, path


def test_session_lives_in_a_signed_cookie_and_there_is_no_database():
    from django.conf import settings

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.dummy"  # DATABASES = {}
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies"
    assert settings.SESSION_COOKIE_HTTPONLY


def test_the_web_never_imports_the_api_package():
    """The web reaches the api over HTTP only (DESIGN.md): no `import dblood` anywhere in dblood_web."""
    offenders = []
    for path in (ROOT / "dblood_web").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            offenders += [f"{path}: {name}" for name in names if name == "dblood" or name.startswith("dblood.")]
    assert offenders == []


def test_loading_every_web_module_leaves_dblood_unimported():
    code = (
        "import django, pkgutil, importlib, sys; django.setup(); import dblood_web;"
        "[importlib.import_module(m.name) for m in pkgutil.walk_packages(dblood_web.__path__, 'dblood_web.')];"
        "import dblood_web.urls, dblood_web.wsgi;"
        "print(sorted(m for m in sys.modules if m == 'dblood' or m.startswith('dblood.')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dblood_web.settings", "DEBUG": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def run_web(*args: str, **env: str) -> subprocess.CompletedProcess:
    test_only = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    clean.update(DJANGO_SETTINGS_MODULE="dblood_web.settings", **env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.management import call_command;"
            f"call_command(*{list(args)!r})",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_web_refuses_to_start_without_secret_key():
    result = run_web("check", ALLOWED_HOSTS="example.org")
    assert result.returncode == 78
    assert (
        result.stderr.strip()
        == "dblood_web: SECRET_KEY is not set; set SECRET_KEY or SECRET_KEY_FILE in the environment."
    )


def test_production_web_passes_check_deploy():
    result = run_web(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "a8Zq!x" * 10,
        ALLOWED_HOSTS="dblood.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_static_files_collected_with_debug_on_still_serve_with_debug_off(tmp_path):
    """The image runs `manage_web.py collectstatic` (DEBUG on by default there) and then serves
    with DEBUG off: the manifest must exist either way."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(STATIC_ROOT=str(tmp_path), SECRET_KEY="build-only", ALLOWED_HOSTS="build.invalid")
    subprocess.run(
        [sys.executable, "manage_web.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    assert (tmp_path / "staticfiles.json").exists()
    render = (
        "import django; django.setup(); from django.templatetags.static import static;"
        "print(static('dblood_web/css/site.css'))"
    )
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="dblood_web.settings")
    result = subprocess.run([sys.executable, "-c", render], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"/static/dblood_web/css/site\.[0-9a-f]{12}\.css", result.stdout.strip())


def test_signed_in_pages_are_never_cached_and_public_ones_may_be(signed_in, fake_api):
    from django.test import Client

    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    assert "no-store" not in Client().get("/").get("Cache-Control", "")
    fake_api.on("GET", "appointments", body={"count": 0, "results": []})
    page = signed_in.get("/me/appointments/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert signed_in.get("/")["Cache-Control"] == "private, no-store"  # anything a signed-in reader sees


def test_the_language_cookie_is_secure_with_https():
    result = run_web("diffsettings", "--all", DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="x")
    assert result.returncode == 0, result.stderr
    settings_text = result.stdout
    assert "LANGUAGE_COOKIE_SECURE = True" in settings_text and "LANGUAGE_COOKIE_HTTPONLY = True" in settings_text

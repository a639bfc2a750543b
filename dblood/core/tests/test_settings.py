"""Production settings: refuse to start without secrets; pass `check --deploy` with them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="dblood.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "dblood: SECRET_KEY is not set; set SECRET_KEY or SECRET_KEY_FILE in the environment."
    ]


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 40 + "Q9!kz" * 6)
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="example.org"
    )
    assert result.returncode == 0, result.stderr


def test_check_deploy_passes_with_secrets_set():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "a8Zq!x" * 10,
        ALLOWED_HOSTS="dblood.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_set():
    from django.conf import settings

    assert settings.DEBUG is False
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="x",
    )
    assert result.stdout.strip() == "False"

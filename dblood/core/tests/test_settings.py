"""Production settings: refuse to start without secrets; pass `check --deploy` with them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# Given to every run below unless a test takes one away: they are required like SECRET_KEY.
NIK_KEYS = {"NIK_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi10ZXN0LW5pay1rZXktMzItYnl0ZXM=", "NIK_HASH_KEY": "n" * 50}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", *NIK_KEYS}}
    clean.update(DJANGO_SETTINGS_MODULE="dblood.settings.production", **{**NIK_KEYS, **env})
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


@pytest.mark.parametrize("missing", sorted(NIK_KEYS))
def test_production_refuses_to_start_without_the_nik_keys(missing):
    result = run_manage("check", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.org", **{missing: ""})
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"dblood: {missing} is not set; set {missing} or {missing}_FILE in the environment."
    ]


def test_production_refuses_a_malformed_nik_encryption_key():
    result = run_manage(
        "check", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.org", NIK_ENCRYPTION_KEYS="not-a-fernet-key"
    )
    assert result.returncode != 0
    assert "donors.E001" in result.stderr and "NIK_ENCRYPTION_KEYS" in result.stderr


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


def test_check_deploy_is_clean_under_composes_environment():
    """The api's environment in docker-compose.yml (x-api-env), filled with .env.example's values:
    `check --deploy` reports nothing (the HTTPS redirect is nginx's there: DBLOOD_TLS)."""
    import re

    import yaml

    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#") and "=" in line
    )
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["services"]["api"]["environment"]

    def fill(value) -> str:
        def one(match):
            name, rest = match.group(1), match.group(2) or ""
            default = rest[2:] if rest.startswith(":-") else ""
            return example.get(name) or default or "x"

        return re.sub(r"\$\{([A-Z_]+)(:[-?][^}]*)?\}", one, str(value))

    filled = {name: fill(value) for name, value in env.items() if name != "DJANGO_SETTINGS_MODULE"}
    filled = {k: v for k, v in filled.items() if not k.endswith("_FILE")}
    filled["SECRET_KEY"] = "k3y-" + "a8Zq!x" * 10  # the operator's own secret (.env.example has a placeholder)
    filled.update(NIK_KEYS)  # and the NIK's keys (empty in .env.example too)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **filled)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout


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


def test_shared_settings_are_declared_once_and_read_top_to_bottom():
    """INSTALLED_APPS, MIDDLEWARE and REST_FRAMEWORK are each one literal: nothing later in the file
    appends to, inserts into or assigns a key of them, so a reader sees the whole value in one place."""
    import ast

    declared_once = {"INSTALLED_APPS", "MIDDLEWARE", "REST_FRAMEWORK", "TEMPLATES", "SPECTACULAR_SETTINGS"}
    tree = ast.parse((ROOT / "dblood" / "settings" / "base.py").read_text())
    changed_later = []
    assignments = {name: 0 for name in declared_once}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in declared_once:
                    assignments[target.id] += 1
                if isinstance(target, ast.Subscript) and getattr(target.value, "id", None) in declared_once:
                    changed_later.append(f"line {node.lineno}: {target.value.id}[...] = ...")
        if isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) in declared_once:
            changed_later.append(f"line {node.lineno}: {node.target.id} += ...")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = getattr(node.func.value, "id", None)
            if owner in declared_once and node.func.attr in {"append", "insert", "extend", "update", "setdefault"}:
                changed_later.append(f"line {node.lineno}: {owner}.{node.func.attr}(...)")
    assert changed_later == []
    assert assignments == {name: 1 for name in declared_once}

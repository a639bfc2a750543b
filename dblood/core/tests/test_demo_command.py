"""`manage.py demo` under production settings: refused unless forced, and never with the README's
password (the demo makes a superuser)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from dblood.accounts import demo as accounts_demo
from dblood.accounts.models import User
from dblood.core.demodata import DEMO_PASSWORD
from dblood.core.management.commands import demo as command

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def accounts_only(monkeypatch):
    monkeypatch.setattr(command, "demo_loaders", lambda: [("accounts", accounts_demo.load)])


def test_production_settings_refuse_the_demo():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dblood.settings.production",
        SECRET_KEY="demo-test-" + "k3y!Zq" * 10,
        ALLOWED_HOSTS="localhost",
        NIK_ENCRYPTION_KEYS="ZGVtby10ZXN0LW5pay1rZXktMzItYnl0ZXMtbG9uZyE=",
        NIK_HASH_KEY="demo-test-nik-hash-key",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/none",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "Refused under production settings" in done.stderr


@pytest.mark.django_db
@override_settings(PRODUCTION=True)
def test_forced_demo_in_production_needs_its_own_password(accounts_only, monkeypatch):
    with pytest.raises(CommandError, match="allow-production"):
        call_command("demo")
    for weak in ("", DEMO_PASSWORD, "short"):
        monkeypatch.setenv("DEMO_PASSWORD", weak)
        with pytest.raises(CommandError, match="DEMO_PASSWORD"):
            call_command("demo", "--allow-production")
    assert not User.objects.exists()
    monkeypatch.setenv("DEMO_PASSWORD", "an-operator-chosen-pw")
    call_command("demo", "--allow-production")
    admin = User.objects.get(email="admin@dblood.local")
    assert admin.is_superuser
    assert admin.check_password("an-operator-chosen-pw") and not admin.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_development_demo_keeps_the_readme_password(accounts_only):
    call_command("demo")
    assert User.objects.get(email="admin@dblood.local").check_password(DEMO_PASSWORD)

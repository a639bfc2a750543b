"""English and Bahasa Indonesia: compiled messages that match their source, and the switcher."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from webfakes import USER

LOCALE = Path(__file__).resolve().parents[2] / "dblood_web" / "locale" / "id" / "LC_MESSAGES"


def test_indonesian_catalogue_is_complete_and_compiled(tmp_path):
    po = LOCALE / "django.po"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(tmp_path / "fresh.mo"), str(po)],
        capture_output=True,
        text=True,
    )
    assert stats.returncode == 0, stats.stderr
    assert "untranslated" not in stats.stderr and "fuzzy" not in stats.stderr, stats.stderr
    # The committed .mo is what msgfmt makes of the committed .po (run `make web-messages`).
    assert (LOCALE / "django.mo").read_bytes() == (tmp_path / "fresh.mo").read_bytes()


def test_every_string_of_the_webs_code_and_templates_is_in_the_catalogue(tmp_path):
    """A copy of the web, its catalogue refreshed from the code by `makemessages` (as `make
    web-messages` does): nothing comes out untranslated or fuzzy, so no page has a sentence that
    stays English in Indonesian because it never reached the catalogue."""
    web = LOCALE.parents[2]
    shutil.copytree(web, tmp_path / "dblood_web", ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "dblood_web.settings", "PYTHONPATH": str(tmp_path)}
    made = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "--no-obsolete"],
        cwd=tmp_path / "dblood_web",
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    fresh = tmp_path / "dblood_web" / "locale" / "id" / "LC_MESSAGES" / "django.po"
    missing = subprocess.run(["msgattrib", "--untranslated", "--no-wrap", str(fresh)], capture_output=True, text=True)
    fuzzy = subprocess.run(["msgattrib", "--only-fuzzy", "--no-wrap", str(fresh)], capture_output=True, text=True)
    strays = [
        line
        for line in (missing.stdout + fuzzy.stdout).splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]
    assert strays == [], (
        "strings of the web missing from its catalogue (make web-messages, then translate):\n" + "\n".join(strays)
    )


def test_default_language_is_indonesian(fake_api):
    from django.test import Client

    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    html = Client().get("/").content.decode()
    assert '<html lang="id">' in html and "Cari kegiatan donor" in html


def test_language_switcher_sets_the_cookie_and_returns_to_the_page(client, fake_api):
    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    response = client.post("/language/", {"language": "id", "next": "/?province=Bali"})
    assert response["Location"] == "/?province=Bali"
    assert response.cookies["dblood_language"].value == "id"
    assert "Stok darah hari ini" in client.get("/").content.decode()
    assert not [r for r in fake_api.requests if r.method == "PATCH"]  # anonymous: nothing to save


def test_language_switch_is_saved_on_the_account_when_signed_in(signed_in, fake_api):
    fake_api.on("PATCH", "me", body={**USER, "language": "id"})
    signed_in.post("/language/", {"language": "id", "next": "/account/"})
    assert fake_api.last_json("PATCH", "me") == {"language": "id"}


def test_unknown_language_is_ignored(client):
    response = client.post("/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "dblood_language" not in response.cookies


def test_messages_follow_the_readers_language_whatever_loaded_the_module_first(client, fake_api):
    """Module-level texts are lazy: a view module first imported during an Indonesian request
    must still answer an English reader in English."""
    from django.test import Client

    staff = {**USER, "role": "blood_bank_staff"}
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": staff})
    fake_api.on("POST", r"requests/3/allocate", body={})
    fake_api.on("GET", r"requests/3", status=404, body={"status": 404, "code": "not_found", "detail": "x"})
    for language, text in (("id", "Kantong dipesan"), ("en", "Units reserved")):
        reader = Client(HTTP_ACCEPT_LANGUAGE=language)
        reader.post("/login/", {"email": "s@x.org", "password": "pw-long-enough"})
        reader.cookies.pop("dblood_language", None)
        response = reader.post("/requests/3/allocate/", follow=True)
        assert text in response.content.decode()

"""Image sizes (`make image-report`) within the issue's targets, and the trimming they rely on."""

import json
import subprocess
import sys

from tests.deploy.deployhelpers import DEPLOY, ROOT

sys.path.insert(0, str(DEPLOY))
import trim  # noqa: E402


def test_images_are_within_their_size_targets():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "image_report.py"), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    figures = {r["target"]: r for r in json.loads(result.stdout)}
    assert figures["api"]["total_mb"] <= 100, figures["api"]
    assert figures["web"]["total_mb"] <= 80, figures["web"]
    assert figures["api"]["static_mb"] > 0 and figures["api"]["app_mb"] > 0
    # The web image carries no database driver, cache client or DRF.
    web_packages = {name for name, _ in figures["web"]["biggest"]}
    assert not {"psycopg_binary", "psycopg", "pymemcache", "djangorestframework"} & web_packages
    assert result.returncode == 0, result.stderr


def _touch(path, content=b"x" * 100):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_trim_keeps_what_the_runtime_reads(tmp_path):
    site = tmp_path / "site"
    for language in ("en", "id", "fr", "pt_BR"):
        _touch(site / "django/conf/locale" / language / "formats.py")
        _touch(site / "django/contrib/admin/locale" / language / "LC_MESSAGES/django.mo")
    _touch(site / "django/conf/locale/__init__.py")
    _touch(site / "django/test/__init__.py")
    _touch(site / "pymemcache/test/__init__.py")
    _touch(site / "jsonschema/tests/test_x.py")
    _touch(site / "django/contrib/admin/static/admin/css/base.css")
    _touch(site / "django/__pycache__/x.cpython-311.pyc")

    removed = trim.trim_site_packages(site)
    assert removed > 0
    assert sorted(p.name for p in (site / "django/conf/locale").iterdir()) == ["__init__.py", "en", "id"]
    assert sorted(p.name for p in (site / "django/contrib/admin/locale").iterdir()) == ["en", "id"]
    assert (site / "django/test/__init__.py").exists() and (site / "pymemcache/test/__init__.py").exists()
    assert not (site / "jsonschema/tests").exists() and not (site / "django/__pycache__").exists()
    assert (site / "django/contrib/admin/static").exists()  # collectstatic still needs it

    trim.trim_site_packages(site, drop_static=True)
    assert not (site / "django/contrib/admin/static").exists()


def test_trim_static_root_keeps_hashed_files_only(tmp_path):
    manifest = {"paths": {"app.js": "app.abc.js", "app.js.map": "app.js.def.map", "robots.txt": "robots.txt"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    for name in ("app.js", "app.js.gz", "app.abc.js", "app.abc.js.gz", "app.js.map", "app.js.def.map", "robots.txt"):
        _touch(tmp_path / name)
    trim.trim_static_root(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "app.abc.js",
        "app.abc.js.gz",
        "robots.txt",
        "staticfiles.json",
    ]

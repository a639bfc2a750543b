"""Image sizes (`make image-report`) within the issue's targets, and the trimming they rely on."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert figures["api"]["total_mb"] <= 145, figures["api"]  # scripts/image_report.py says why 145
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


def test_trim_drops_pillows_unused_modules_and_their_libraries_only(tmp_path):
    site = tmp_path / "site"
    kept = ["PIL/_imaging.cpython-311-x86_64-linux-musl.so", "PIL/_webp.cpython-311-x86_64-linux-musl.so",
            "PIL/Image.py", "pillow.libs/libjpeg-13ebaf1d.so.62.4.0", "pillow.libs/libwebp-0dc00d06.so.7.2.0",
            "pillow.libs/libtiff-e100ab0d.so.6.3.0"]  # fmt: skip
    dropped = ["PIL/_avif.cpython-311-x86_64-linux-musl.so", "PIL/_imagingft.cpython-311-x86_64-linux-musl.so",
               "PIL/_imagingcms.cpython-311-x86_64-linux-musl.so", "pillow.libs/libavif-2048687b.so.16.4.2",
               "pillow.libs/libfreetype-e0269c81.so.6.20.6", "pillow.libs/libharfbuzz-030726e0.so.0.61450.0",
               "pillow.libs/liblcms2-7b667b83.so.2.0.19"]  # fmt: skip
    for name in kept + dropped:
        _touch(site / name)
    trim.trim_site_packages(site)
    assert all((site / name).exists() for name in kept)
    assert not any((site / name).exists() for name in dropped)


def test_trim_strips_debugging_symbols_and_the_module_still_loads(tmp_path):
    import PIL

    source = next(Path(PIL.__file__).parent.glob("_imaging.*.so"))
    site = tmp_path / "site" / "PIL"
    shutil.copytree(Path(PIL.__file__).parent, site)
    shutil.copytree(Path(PIL.__file__).parent.parent / "pillow.libs", site.parent / "pillow.libs")
    copy = next(site.glob("_imaging.*.so"))
    before = copy.stat().st_size
    assert trim.strip_debug(site.parent) > 0
    assert 0 < copy.stat().st_size < before and copy.read_bytes()[:4] == source.read_bytes()[:4]
    script = "import io, PIL.Image as I; I.new('RGB', (8, 8)).save(io.BytesIO(), 'WEBP'); print(I.__file__)"
    result = subprocess.run([sys.executable, "-c", script], cwd=site.parent, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith(str(site)), result.stderr


def test_trim_leaves_reportlab_all_a_label_needs(tmp_path):
    """The api's label renders with reportlab trimmed as the image trims it (fonts, charts, samples gone)."""
    import reportlab

    site = tmp_path / "site"
    shutil.copytree(Path(reportlab.__file__).parent, site / "reportlab")
    assert trim.trim_site_packages(site) > 1_000_000
    assert not (site / "reportlab/fonts").exists() and (site / "reportlab/graphics/charts/areas.py").exists()
    script = (
        "import os, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'dblood.settings.test'; import django; django.setup(); "
        "import reportlab; assert reportlab.__file__.startswith(sys.argv[1]), reportlab.__file__; "
        "from scripts.label_image import LABEL; from dblood.inventory.labels_pdf import label_pdf; "
        "print(len(label_pdf(LABEL)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(site), str(ROOT)], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 1000

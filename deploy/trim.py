#!/usr/bin/env python3
"""Remove from an image what the running services never read. Standard library only.

Used by the Dockerfile (so the bytes never reach a final layer) and by `make image-report`
(so the estimate applies exactly the same trimming):

    python trim.py site-packages /opt/venv/lib/python3.11/site-packages [--drop-static]
    python trim.py static-root /app/staticfiles

site-packages:
- translations other than the ones dblood serves (en, id; settings.LANGUAGES);
- third-party test suites: directories named `tests` only. Never `test`: `django/test` is
  imported at run time (by DRF among others);
- bytecode caches (the image runs with PYTHONDONTWRITEBYTECODE; gunicorn preloads the app
  once per container, so compiling on start costs about a second, not 16 MB per image);
- with --drop-static, the packages' `static/` folders: collectstatic has already copied them
  into STATIC_ROOT, which is all whitenoise and nginx serve in production;
- Pillow's optional extension modules the api never loads, with the libraries bundled only for
  them: AVIF (libavif, 5 MB), fonts (freetype, harfbuzz, brotli, libpng), colour management
  (lcms2) and Tk. The api decodes JPEG, PNG and WebP photos (dblood/sites/photos.py), which need
  only `_imaging` and `_webp`; Pillow treats the missing modules as unavailable features
  (`PIL.features.check("avif")` is False), it does not fail to import.

static-root (after collectstatic with whitenoise's CompressedManifestStaticFilesStorage):
- the unhashed copies: templates link the hashed names through the manifest;
- source maps (`*.map`) of the vendored Swagger UI and Redoc bundles: debugging aids for those
  projects' developers, a third of the static bytes. A browser asks for them only with its
  developer tools open, and then gets a 404.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KEEP_LANGUAGES = frozenset({"en", "id"})
# Pillow: optional extension modules (PIL/<name>.*.so) and the bundled libraries only they link
# (pillow.libs/<prefix>-<hash>.so.* in a wheel; checked with `readelf -d` on Pillow 13's wheels).
PILLOW_UNUSED_MODULES = ("_avif", "_imagingft", "_imagingcms", "_imagingtk")
PILLOW_UNUSED_LIBRARIES = (
    "libavif",
    "libfreetype",
    "libharfbuzz",
    "libbrotlicommon",
    "libbrotlidec",
    "libpng16",
    "liblcms2",
)


def _is_language_dir(path: Path) -> bool:
    return path.is_dir() and ((path / "LC_MESSAGES").is_dir() or (path / "formats.py").is_file())


def trim_site_packages(root: Path, *, drop_static: bool = False) -> int:
    """Trim an unpacked site-packages in place; returns the bytes removed."""
    doomed: list[Path] = []
    for locale in root.rglob("locale"):
        if locale.is_dir():
            languages = [child for child in locale.iterdir() if _is_language_dir(child)]
            doomed += [child for child in languages if child.name not in KEEP_LANGUAGES]
    doomed += [path for path in root.rglob("tests") if path.is_dir()]
    doomed += [path for path in root.rglob("__pycache__") if path.is_dir()]
    if drop_static:
        doomed += [path for path in root.rglob("static") if path.is_dir()]
    doomed += _pillow_unused(root)
    return _remove(doomed) + strip_debug(root)


def _pillow_unused(root: Path) -> list[Path]:
    doomed = [path for name in PILLOW_UNUSED_MODULES for path in root.glob(f"PIL/{name}.*")]
    for libs in root.glob("pillow.libs"):  # manylinux/musllinux wheels bundle their libraries here
        doomed += [
            lib for lib in libs.iterdir() if lib.name.startswith(tuple(f"{n}-" for n in PILLOW_UNUSED_LIBRARIES))
        ]
    return doomed


def strip_debug(root: Path) -> int:
    """Drop DWARF debugging sections from every shared object under root; returns bytes saved."""
    strip = shutil.which("strip")
    if strip is None:
        print("trim: `strip` not found (binutils); compiled modules keep their debugging symbols")
        return 0
    saved = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stripped"
        for path in sorted(root.rglob("*.so*")):
            if path.is_symlink() or not path.is_file() or not _is_elf(path):
                continue
            command = [strip, "--strip-debug", "-o", str(out), str(path)]
            if subprocess.run(command, capture_output=True).returncode:  # noqa: S603 (our own file list)
                continue  # not something strip understands: leave it as it is
            before, after = path.stat().st_size, out.stat().st_size
            if after < before:
                shutil.copymode(path, out)
                shutil.move(out, path)
                saved += before - after
    return saved


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def trim_static_root(root: Path) -> int:
    """Trim a collected STATIC_ROOT in place; returns the bytes removed."""
    manifest = json.loads((root / "staticfiles.json").read_text())
    doomed = [root / name for name, hashed in manifest["paths"].items() if name != hashed]
    doomed += [path.with_name(path.name + ".gz") for path in doomed]
    doomed += [path for pattern in ("*.map", "*.map.gz") for path in root.rglob(pattern)]
    return _remove(doomed)


def _size(path: Path) -> int:
    if path.is_file() and not path.is_symlink():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _remove(paths: list[Path]) -> int:
    removed = 0
    # Deepest first, so a folder inside a removed folder is not visited twice.
    for path in sorted(set(paths), key=lambda p: len(p.parts), reverse=True):
        if not path.exists():
            continue
        removed += _size(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    packages = sub.add_parser("site-packages")
    packages.add_argument("path", type=Path)
    packages.add_argument("--drop-static", action="store_true")
    static = sub.add_parser("static-root")
    static.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "site-packages":
        removed = trim_site_packages(args.path, drop_static=args.drop_static)
    else:
        removed = trim_static_root(args.path)
    print(f"trim {args.command} {args.path}: removed {removed / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
import struct
import sys
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

# reportlab: what the labels never read (tests/deploy/test_deploy_image_size.py renders a label
# with a trimmed copy).
REPORTLAB_UNUSED = (
    "reportlab/fonts",
    "reportlab/graphics/samples",
    "reportlab/graphics/renderPM.py",
    "reportlab/graphics/renderPS.py",
    "reportlab/graphics/renderSVG.py",
    "reportlab/graphics/testdrawings.py",
    "reportlab/graphics/testshapes.py",
    "reportlab/graphics/widgets",
    "reportlab/graphics/charts/*.py",  # the charts: the barcodes import only the plot area
)
REPORTLAB_KEEP = ("reportlab/graphics/charts/__init__.py", "reportlab/graphics/charts/areas.py")
# RapidFuzz ships each compiled module twice, plain and built for AVX2, and imports the AVX2 one only
# when the CPU has it and it is there (else the plain one, same answers). The duplicate check
# compares a few hundred short names at a time: the AVX2 copies (~5.5 MB) buy nothing there.
RAPIDFUZZ_UNUSED = ("rapidfuzz/*_avx2.*", "rapidfuzz/distance/*_avx2.*")


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
    kept = {root / name for name in REPORTLAB_KEEP}
    doomed += [path for name in REPORTLAB_UNUSED for path in root.glob(name) if path not in kept]
    doomed += [path for name in RAPIDFUZZ_UNUSED for path in root.glob(name)]
    return _remove(doomed) + strip_debug(root)


def _pillow_unused(root: Path) -> list[Path]:
    doomed = [path for name in PILLOW_UNUSED_MODULES for path in root.glob(f"PIL/{name}.*")]
    for libs in root.glob("pillow.libs"):  # manylinux/musllinux wheels bundle their libraries here
        doomed += [
            lib for lib in libs.iterdir() if lib.name.startswith(tuple(f"{n}-" for n in PILLOW_UNUSED_LIBRARIES))
        ]
    return doomed


def strip_debug(root: Path) -> int:
    """Drop DWARF debugging sections from every shared object under root; returns bytes saved.

    Done here in Python (strip_elf_debug), not with binutils' `strip --strip-debug`: the image's
    stages have nothing but python, pip and a shell, and the estimate must trim exactly as they do.
    """
    saved = 0
    for path in sorted(root.rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        data = path.read_bytes()
        stripped = strip_elf_debug(data)
        if stripped is not None and len(stripped) < len(data):
            path.write_bytes(stripped)
            saved += len(data) - len(stripped)
    return saved


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


_SECTION = struct.Struct("<IIQQQQIIQQ")  # name, type, flags, addr, offset, size, link, info, align, entsize
_SEGMENT = struct.Struct("<IIQQQQQQ")  # type, flags, offset, vaddr, paddr, filesz, memsz, align
_SHF_ALLOC, _SHT_NOBITS = 0x2, 8


def strip_elf_debug(data: bytes) -> bytes | None:
    """A little-endian ELF64 file without the contents of its .debug_* sections, or None.

    What `strip --strip-debug` saves, done the simplest safe way. Debug sections are never
    loaded, but the bytes after them may be (patchelf, which auditwheel runs on every wheel,
    appends segments at the end), so each stretch of debug bytes that no segment, header or
    kept section uses is cut out, rounded down to a multiple of the largest alignment, and every
    file offset after it (program and section headers) moves up by that much: a loaded segment's
    offset stays congruent to its address. Every section keeps its index (a debug section stays,
    empty), so no symbol or link is renumbered. None for another class or byte order, or when
    nothing is saved: the file is left as it is.
    """
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
    if not shoff or not shnum or shentsize != _SECTION.size or shstrndx >= shnum or phentsize != _SEGMENT.size:
        return None
    sections = [list(_SECTION.unpack_from(data, shoff + i * _SECTION.size)) for i in range(shnum)]
    segments = [list(_SEGMENT.unpack_from(data, phoff + i * _SEGMENT.size)) for i in range(phnum)]
    names = sections[shstrndx][4]

    def name(section: list) -> bytes:
        first = names + section[0]
        return data[first : data.index(b"\0", first)]

    def has_bytes(section: list) -> bool:
        return section[1] != _SHT_NOBITS and section[5] > 0

    doomed = {
        i for i, sec in enumerate(sections)
        if i and has_bytes(sec) and not sec[2] & _SHF_ALLOC and name(sec).startswith((b".debug", b".zdebug"))
    }  # fmt: skip
    if not doomed:
        return None
    kept = [(0, 64), (phoff, phoff + phnum * phentsize), (shoff, shoff + shnum * shentsize)]
    kept += [(seg[2], seg[2] + seg[5]) for seg in segments if seg[5]]  # p_offset, p_filesz
    kept += [(sec[4], sec[4] + sec[5]) for i, sec in enumerate(sections) if i not in doomed and has_bytes(sec)]
    step = max([seg[7] for seg in segments] + [sec[8] for sec in sections] + [8])  # p_align, sh_addralign
    cuts = []  # (start, length): bytes removed
    for first, last in _merge([(sections[i][4], sections[i][4] + sections[i][5]) for i in doomed]):
        for low, high in _subtract((first, last), kept):
            length = (high - low) // step * step
            if length:
                cuts.append((high - length, length))
    if not cuts:
        return None

    def moved(offset: int) -> int:
        """Where a byte ends up; one inside a cut goes to where the cut was."""
        return offset - sum(min(length, offset - start) for start, length in cuts if start < offset)

    out = bytearray()
    position = 0
    for start, length in sorted(cuts):
        out += data[position:start]
        position = start + length
    out += data[position:]
    for i, section in enumerate(sections):
        section[4] = moved(section[4])
        if i in doomed:
            section[5] = 0
    for segment in segments:
        segment[2] = moved(segment[2])
    struct.pack_into("<QQ", out, 0x20, moved(phoff), moved(shoff))
    for i, segment in enumerate(segments):
        _SEGMENT.pack_into(out, moved(phoff) + i * _SEGMENT.size, *segment)
    for i, section in enumerate(sections):
        _SECTION.pack_into(out, moved(shoff) + i * _SECTION.size, *section)
    return bytes(out)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [(low, high) for low, high in merged]


def _subtract(interval: tuple[int, int], others: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [interval]
    for low, high in others:
        pieces = [
            piece
            for first, last in pieces
            for piece in ((first, min(last, low)), (max(first, high), last))
            if piece[0] < piece[1]
        ]
    return pieces


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

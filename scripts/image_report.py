"""`make image-report`: the final size of each image, estimated without a container engine.

For each Dockerfile target (api, web) the estimate is

    published size of the base image (python:3.11-alpine3.23, amd64)
  + dblood's layers:
    the virtualenv: the production wheels for the base's C library (musllinux_1_2_x86_64 for
    Alpine's musl) unpacked exactly as the Dockerfile installs them, then trimmed by the
    Dockerfile's own script (deploy/trim.py site-packages --drop-static), plus the venv's own
    files (pyvenv.cfg, bin/, activate scripts)
  + the collected static files, trimmed the same way (deploy/trim.py static-root)
  + the application source the Dockerfile copies (.dockerignore: no tests, no caches)
  + the gunicorn config and healthcheck script,

each file counted as a layer tar stores it (512-byte header, content padded to 512 bytes).
It prints the biggest packages and the original deployment's 176 MB beside the totals, and
exits 1 when a target is over its limit. `--json` prints the figures for tests.

The binary wheels differ by C library (Pillow's and psycopg's glibc wheels are ~3 MB bigger
than their musl ones), so `--libc glibc-2.36` estimates dblood's layers on a glibc base such as
the Debian stand-in `make stack-test` builds when no registry is reachable: that is the figure
to hold against what the engine measured there (tests/deploy/test_deploy_image_measured.py).
Only the default (the Alpine base) has a published base size, a total and a limit.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

import trim  # noqa: E402  (deploy/trim.py: the Dockerfile's trimming, applied here too)

BASE_IMAGE = "python:3.11-alpine3.23"
BASE_LIBC = "musl-1.2"  # Alpine 3.23's musl 1.2.5
BASE_MB = 54.5  # published uncompressed size, amd64, 2026-08 (see MACHINE.md)
SEED_MB = {"seed multi-stage": 176, "seed single-stage": 336}
INTERPRETER = ["--python-version", "3.11", "--implementation", "cp", "--abi", "cp311", "--only-binary=:all:"]
TARGETS = {
    "api": {
        "requirements": ROOT / "requirements-prod.txt",
        # 100 MB until the reports' XLSX writer (0.9 MB) and app took the api to 100.9; 102 until the FHIR
        # endpoint (dblood/fhir) took it to 143.3: fhir.resources (15.0 MB: it ships R5, R4B and STU3,
        # kept whole), pydantic and its core (8.0) and, for django-oauth-toolkit's jwcrypto,
        # cryptography (15.6). psycopg's binary wheel (~10 MB) against Alpine's own libpq is the next
        # saving at hand.
        "limit_mb": 145,
        "manage": "manage.py",
        "settings": "dblood.settings.production",
        "source": ["manage.py", "dblood"],
    },
    "web": {
        "requirements": ROOT / "deploy" / "requirements-web.txt",
        "limit_mb": 80,
        "manage": "manage_web.py",
        "settings": "dblood_web.settings",
        "source": ["manage_web.py", "dblood_web"],
    },
}
EXTRAS = [ROOT / "deploy" / "gunicorn.conf.py", ROOT / "deploy" / "healthcheck.py"]
IGNORED_DIRS = {"tests", "__pycache__"}  # as .dockerignore says


def platform_args(libc: str) -> list[str]:
    """pip's options for the wheels an image with this C library installs (x86_64, CPython 3.11):
    `musl-1.2` -> musllinux_1_0 .. musllinux_1_2, `glibc-2.36` -> manylinux_2_17 .. manylinux_2_36."""
    family, _, version = libc.partition("-")
    major, _, minor = version.partition(".")
    if family == "musl" and major == "1" and minor.isdigit():
        tags = [f"musllinux_1_{n}_x86_64" for n in range(int(minor) + 1)]
    elif family == "glibc" and major == "2" and minor.isdigit() and int(minor) >= 17:
        tags = ["manylinux2014_x86_64"] + [f"manylinux_2_{n}_x86_64" for n in range(17, int(minor) + 1)]
    else:
        raise ValueError(f"--libc: musl-1.N or glibc-2.N (N >= 17), not {libc!r}")
    return [arg for tag in tags for arg in ("--platform", tag)] + INTERPRETER


def venv_skeleton_bytes(work: Path) -> int:
    """The files `python -m venv --without-pip` writes (pyvenv.cfg, bin/python*, activate scripts)."""
    venv = work / "skeleton"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return tar_bytes(venv)


def tar_bytes(path: Path) -> int:
    """Bytes a file or folder takes in a layer tar."""
    paths = [path] if path.is_file() else [path, *path.rglob("*")]
    total = 0
    for item in paths:
        total += 512
        if item.is_file() and not item.is_symlink():
            total += -(-item.stat().st_size // 512) * 512
    return total


def pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def packages(site: Path) -> dict[str, int]:
    """Bytes per installed distribution, from each RECORD (files trimmed away no longer count)."""
    sizes: dict[str, int] = {}
    for record in site.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0]
        with record.open(newline="") as handle:
            files = {site / row[0] for row in csv.reader(handle) if row}
        sizes[name] = sum(tar_bytes(path) for path in files if path.is_file())
    return sizes


def collect_static(target: dict, destination: Path) -> int:
    if not (ROOT / target["manage"]).exists():
        return 0
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": target["settings"],
        "SECRET_KEY": "build-only",
        "ALLOWED_HOSTS": "build.invalid",
        "DEBUG": "false",  # manage_web.py defaults it on; the image collects as production does
        "STATIC_ROOT": str(destination),
    }
    subprocess.run(
        [sys.executable, target["manage"], "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    trim.trim_static_root(destination)
    return tar_bytes(destination)


def source_bytes(target: dict) -> int:
    total = 0
    for name in target["source"]:
        path = ROOT / name
        if path.is_file():
            total += tar_bytes(path)
        elif path.is_dir():
            for item in [path, *path.rglob("*")]:
                if IGNORED_DIRS & set(item.relative_to(ROOT).parts) or item.suffix in (".pyc", ".pyo"):
                    continue
                total += 512 + (-(-item.stat().st_size // 512) * 512 if item.is_file() else 0)
    return total


def estimate(name: str, wheels: Path, work: Path, libc: str) -> dict:
    target = TARGETS[name]
    site = work / name / "site-packages"
    # As the Dockerfile: resolve from the wheels built from requirements-prod.txt, nothing else.
    pip("install", "--no-index", "--find-links", str(wheels), "--no-compile", "--target", str(site),
        *platform_args(libc), "-r", str(target["requirements"]))  # fmt: skip
    trim.trim_site_packages(site, drop_static=True)
    # pip --target puts the console scripts in site/bin: they are counted with the packages.
    venv = tar_bytes(site) + venv_skeleton_bytes(work / name)
    static = collect_static(target, work / name / "static")
    app = source_bytes(target)
    extras = sum(tar_bytes(path) for path in EXTRAS)
    layers_mb = (venv + static + app + extras) / 1e6
    base_mb = BASE_MB if libc == BASE_LIBC else None  # only the Alpine base's size is known
    biggest = sorted(packages(site).items(), key=lambda item: item[1], reverse=True)[:8]
    return {
        "target": name,
        "libc": libc,
        "base_mb": base_mb,
        "venv_mb": round(venv / 1e6, 1),
        "static_mb": round(static / 1e6, 1),
        "app_mb": round((app + extras) / 1e6, 1),
        "layers_mb": round(layers_mb, 1),
        "total_mb": round(base_mb + layers_mb, 1) if base_mb is not None else None,
        "limit_mb": target["limit_mb"] if base_mb is not None else None,
        "app_present": (ROOT / target["manage"]).exists(),
        "biggest": [(package, round(size / 1e6, 1)) for package, size in biggest],
    }


def over_limit(result: dict) -> bool:
    return result["limit_mb"] is not None and result["total_mb"] > result["limit_mb"]


def report(results: list[dict], libc: str) -> str:
    if libc == BASE_LIBC:
        title = f"Estimated final image sizes (base {BASE_IMAGE} {BASE_MB} MB, amd64, uncompressed)"
    else:
        title = f"Estimated dblood layers on a {libc} base (amd64, uncompressed; no base size, no total)"
    lines = [title, ""]
    lines.append(f"{'target':<8}{'base':>7}{'venv':>7}{'static':>8}{'app':>6}{'layers':>8}{'total':>8}{'limit':>7}")
    for r in results:
        row = f"{r['target']:<8}"
        row += f"{r['base_mb']:>7.1f}" if r["base_mb"] is not None else f"{'-':>7}"
        row += f"{r['venv_mb']:>7.1f}{r['static_mb']:>8.1f}{r['app_mb']:>6.1f}{r['layers_mb']:>8.1f}"
        if r["total_mb"] is not None:
            row += f"{r['total_mb']:>8.1f}{r['limit_mb']:>7}  {'OVER' if over_limit(r) else 'ok'}"
        else:
            row += f"{'-':>8}{'-':>7}"
        lines.append(row + ("" if r["app_present"] else "  (app not in this checkout yet: packages only)"))
    if libc == BASE_LIBC:
        for label, size in SEED_MB.items():
            lines.append(f"{label:<22}{size:>30} MB  (the original deployment, for comparison)")
    for r in results:
        lines += ["", f"biggest packages in {r['target']} (MB, after trimming):"]
        lines += [f"  {package:<28}{size:>6.1f}" for package, size in r["biggest"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Estimate the dblood images' sizes without an engine.")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--libc",
        default=BASE_LIBC,
        help=f"the base image's C library, for its wheels: {BASE_LIBC} ({BASE_IMAGE}, the default) or e.g. glibc-2.36",
    )
    parser.add_argument("targets", nargs="*", metavar="target", help="api, web (default: both)")
    args = parser.parse_args(argv)
    if unknown := set(args.targets) - set(TARGETS):
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")
    try:
        platform = platform_args(args.libc)
    except ValueError as error:
        parser.error(str(error))
    with tempfile.TemporaryDirectory(prefix="dblood-image-") as tmp:
        work = Path(tmp)
        wheels = work / "wheels"
        # The builder stage's `pip wheel -r requirements-prod.txt`, for the image's platform.
        pip("download", "--no-deps", "--dest", str(wheels), *platform, "-r", str(ROOT / "requirements-prod.txt"))
        results = [estimate(name, wheels, work, args.libc) for name in args.targets or TARGETS]
    print(json.dumps(results, indent=2) if args.json else report(results, args.libc))
    return 1 if any(over_limit(r) for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

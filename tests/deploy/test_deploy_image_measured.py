"""`make image-report`'s estimate against the images a real engine built (`make stack-test`).

tests/stack/results.json holds what the last `make stack-test` measured: each image's size as
podman reports it, dblood's own layers (the image minus its base) and the C library of the base
the images were built on. The base may be a local stand-in (Debian's glibc, when no registry is
reachable) whose binary wheels differ from the Alpine base's musl ones, so the estimate held
against the measured layers is image-report's for that C library (`--libc`); the README's table
shows the engine's figures beside the estimate for the Alpine base.
"""

import json
import re
import subprocess
import sys

import pytest

from tests.deploy.deployhelpers import ROOT

RESULTS = ROOT / "tests" / "stack" / "results.json"


@pytest.fixture(scope="module")
def measured():
    results = json.loads(RESULTS.read_text())
    assert results["command"] == "make stack-test"
    return results


@pytest.fixture(scope="module")
def estimate(measured):
    report = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "image_report.py"), "--json", "--libc", measured["libc"]],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return {entry["target"]: entry for entry in json.loads(report.stdout)}


@pytest.mark.parametrize("target", ["api", "web"])
def test_the_estimate_is_within_5_percent_of_dbloods_measured_layers(measured, estimate, target):
    layers = measured[target]["dblood_layers_mb"]
    guess = estimate[target]["layers_mb"]
    assert abs(guess - layers) <= 0.05 * layers, (
        f"{target}: image-report estimates {guess:.1f} MB of dblood layers on {measured['libc']}, the engine "
        f"measured {layers:.1f} MB (rerun `make stack-test` after changing the image, then fix "
        "scripts/image_report.py if they still differ)"
    )


def test_the_readme_table_shows_the_engines_figures(measured):
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("### What the images weigh") :]
    table = table[: table.index("\n### ")]
    for target in ("api", "web"):
        row = re.search(rf"^\| `{target}` \|.*$", table, re.M)
        assert row, f"README image table has no `{target}` row"
        for figure in ("dblood_layers_mb", "image_mb", "estimate_alpine_layers_mb", "estimate_alpine_total_mb"):
            assert f"{measured[target][figure]:.1f}" in row.group(0), (target, figure, row.group(0))
    if measured["base"]["stand_in"]:
        assert "stand-in" in table and measured["libc"] in table

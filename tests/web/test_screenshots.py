"""The README's phone screenshots and scripts/screenshots.py agree: every page the script takes is a
committed PNG of phone width shown in the README, and the README shows no screenshot the script
does not make (a picture nobody can regenerate goes stale). Not a pixel comparison."""

import importlib.util
import re
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _script():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def test_every_screenshot_the_script_takes_is_committed_at_phone_width_and_in_the_readme():
    script = _script()
    assert {shot.path for shot in script.PAGES} >= {"/home/", "/staff/", "/staff/lab/"}
    assert "scripts/screenshots.py" in (ROOT / "Makefile").read_text(), "no `make screenshots`"
    for shot in script.PAGES:
        png = ROOT / "docs" / "screenshots" / shot.file
        assert png.exists(), f"{png} missing: run `make screenshots`"
        assert _png_size(png) == (script.WIDTH, script.HEIGHT), f"{png} is not a {script.WIDTH}-px phone screen"
        assert f"](docs/screenshots/{shot.file})" in README, f"the README does not show {shot.file}"
        assert shot.caption in README, f"the README's table has no '{shot.caption}' column"


def test_the_readme_shows_no_screenshot_the_script_does_not_make():
    shown = set(re.findall(r"\]\(docs/screenshots/([^)]+)\)", README))
    assert shown == {shot.file for shot in _script().PAGES}


def test_the_screenshots_stay_small():
    total = sum(png.stat().st_size for png in (ROOT / "docs" / "screenshots").glob("*.png"))
    assert total < 400_000, f"docs/screenshots/ holds {total} bytes of PNG; keep the README light"

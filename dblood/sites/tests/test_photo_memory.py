"""Peak memory of one photo upload stays bounded, whatever the image declares: each case runs
photo_reencode in a fresh interpreter and reads how far its peak resident size (VmHWM) grew."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# The stated bound for the largest image accepted (SITE_PHOTO_MAX_PIXELS, 12 MP by default: a phone
# camera's photo). Measured: JPEG about 35 MB (decoded at reduced scale), PNG with alpha about
# 120 MB, WebP about 190 MB (its decoder's own buffers). A 6300 x 6300 PNG took about 600 MB before
# the limits.
ACCEPTED_PEAK_MB = 200
REFUSED_PEAK_MB = 20

MEASURE = """
import json, sys
import django


def peak_mb():
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024


django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from dblood.sites.photos import photo_reencode

path = sys.argv[1]
content = open(path, "rb").read()
upload = SimpleUploadedFile(path, content)
before = peak_mb()
try:
    photo_reencode(upload)
    outcome = "stored"
except Exception as exc:
    outcome = type(exc).__name__
after = peak_mb()
print(json.dumps({"outcome": outcome, "grew_mb": after - before, "bytes": len(content), "before_mb": before}))
"""


def measure(tmp_path, fmt: str, width: int, height: int, mode: str = "RGB") -> dict:
    from PIL import Image

    path = tmp_path / f"upload.{fmt.lower()}"
    Image.new(mode, (width, height), 0).save(path, format=fmt)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "dblood.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_small_file_declaring_a_huge_image_is_refused_before_decoding(tmp_path):
    bomb = measure(tmp_path, "PNG", 6300, 6300)
    assert bomb["bytes"] < 400_000 and bomb["outcome"] == "ValidationError"
    assert bomb["grew_mb"] < REFUSED_PEAK_MB, bomb


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("JPEG", "RGB"), ("WEBP", "RGB")])
def test_the_largest_accepted_image_stays_under_the_stated_peak(tmp_path, fmt, mode):
    largest = measure(tmp_path, fmt, 4000, 3000, mode)
    assert largest["outcome"] == "stored"
    assert largest["grew_mb"] < ACCEPTED_PEAK_MB, largest

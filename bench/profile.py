"""py-spy over the gunicorn workers while wrk loads one endpoint; a text summary of where time went."""

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise RuntimeError("py-spy not found: it is pinned in requirements-dev.txt")
    return found


def start(master_pid: int, seconds: int, raw: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [py_spy(), "record", "--pid", str(master_pid), "--subprocesses", "--duration", str(seconds),
         "--rate", "250", "--format", "raw", "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def summarise(raw: Path, top: int = 25) -> str:
    """Self time by innermost frame and inclusive time by frame, as shares of all samples."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        total += n
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "no samples\n"
    out = [f"{total} samples", "", "self (innermost frame):"]
    out += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(top)]
    out += ["", "inclusive (frame anywhere on the stack), dblood/django/rest_framework/psycopg frames:"]
    ours = [
        (f, n)
        for f, n in inclusive.most_common()
        if any(k in f for k in ("dblood", "django", "rest_framework", "psycopg"))
    ]
    out += [f"  {n / total:6.1%}  {frame}" for frame, n in ours[:top]]
    return "\n".join(out) + "\n"
